import type { ConnectionConfig } from './connection';
import {
  basicAuth,
  bearerAuth,
  createHttpClient,
  noAuth,
  oauth2ClientCredentials,
  rateLimitsFor,
  type AuthProvider,
  type GovernorRegistry,
  type HttpClient,
  type HttpLog,
  type RateLimitPreset,
  type RetryOptions,
} from './http';

/** What tests and the runtime may inject into an HTTP driver. */
export interface HttpDriverDeps {
  governors?: GovernorRegistry;
  log?: HttpLog;
  retry?: Partial<RetryOptions>;
}

function authProvider(config: ConnectionConfig, defaultScope: string): AuthProvider {
  const auth = config.auth;
  switch (auth.type) {
    case 'oauth2':
      return oauth2ClientCredentials({
        tokenUrl: auth.tokenUrl,
        clientId: auth.clientId,
        clientSecret: auth.clientSecret,
        scope: auth.scope || defaultScope,
      });
    case 'bearer':
      return bearerAuth(auth.token);
    case 'basic':
      return basicAuth(auth.user, auth.password);
    case 'none':
      return noAuth();
  }
}

/** The one way an HTTP driver gets its client: auth, TLS, timeouts, and the documented rate limits of its API. */
export function httpClientFor(
  config: ConnectionConfig,
  api: { preset: RateLimitPreset; defaultScope: string; headers?: Record<string, string> },
  deps: HttpDriverDeps = {},
): HttpClient {
  const overrides = config.rateLimits ?? {};
  return createHttpClient({
    system: config.system,
    baseUrl: config.baseUrl,
    auth: authProvider(config, api.defaultScope),
    headers: api.headers,
    timeoutMs: config.timeoutMs,
    tls: { rejectUnauthorized: config.tlsVerify },
    maxConcurrency: config.maxConcurrency,
    rateLimits: rateLimitsFor(api.preset, {
      ...(overrides.requestsPerWindow !== undefined ? { maxRequests: overrides.requestsPerWindow } : {}),
      ...(overrides.windowMs !== undefined ? { windowMs: overrides.windowMs } : {}),
      ...(overrides.concurrent !== undefined ? { maxConcurrent: overrides.concurrent } : {}),
    }),
    governors: deps.governors,
    retry: deps.retry,
    log: deps.log,
  });
}
