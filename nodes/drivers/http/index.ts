/** The shared HTTP layer of the HTTP drivers (Business Central API, Dataverse, Salesforce, HubSpot). */
export {
  createHttpClient,
  type BeforeRetry,
  type BeforeRetryDecision,
  type HttpClient,
  type HttpClientOptions,
  type HttpClientStats,
  type HttpMethod,
  type HttpRequest,
  type HttpResponse,
  type ODataPage,
  type QueryValue,
  type RequestOptions,
  type ResponseType,
  type RetryContext,
  type RetryEvent,
  type TlsOptions,
} from './client';
export {
  basicAuth,
  bearerAuth,
  noAuth,
  oauth2ClientCredentials,
  type AuthContext,
  type AuthProvider,
  type HttpLog,
  type HttpLogLevel,
  type OAuth2ClientCredentialsOptions,
} from './auth';
export {
  GovernorRegistry,
  RATE_LIMIT_PRESETS,
  RateGovernor,
  rateLimitsFor,
  sharedGovernors,
  type GovernorStats,
  type RateLimitPreset,
  type RateLimits,
  type ReleaseSlot,
} from './governor';
export { errorFromResponse, parseSystemError, type HttpErrorDetails, type SystemError } from './http-errors';
export { REDACTED, SecretRedactor } from './redact';
export { DEFAULT_RETRY_OPTIONS, isIdempotentRequest, parseRetryAfter, type RetryOptions } from './retry';
