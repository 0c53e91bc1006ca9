/**
 * Maps HTTP answers and network failures to the error contract (`SyncError`), keeping the remote
 * system's own code and message in `details`. Everything that goes into an error passes the redactor;
 * the axios error itself never does (its config carries the Authorization header).
 */
import { STATUS_CODES } from 'node:http';
import { SyncError, type ErrorCode } from '../../lib/errors';
import type { SecretRedactor } from './redact';

export interface HttpErrorDetails {
  method: string;
  /** URL path without the query string. */
  path: string;
  /** The system's own error code: BC/Dataverse `error.code`, Salesforce `errorCode`, HubSpot `category`, OAuth `error`. */
  systemCode?: string;
  systemMessage?: string;
  /** Fields the system blamed (Salesforce `fields`, HubSpot `errors[].in`). */
  fields?: string[];
  /** The system's individual errors (Salesforce error array, HubSpot `errors`). */
  errors?: unknown[];
  correlationId?: string;
  /** How long the server asked clients to wait (Retry-After or HubSpot's rate-limit interval). */
  retryAfterMs?: number;
  /** Node's network error code (ECONNRESET, ETIMEDOUT, DEPTH_ZERO_SELF_SIGNED_CERT, …). */
  networkCode?: string;
  attempts?: number;
  /** A non-idempotent request failed after it may have reached the server: look it up before sending it again. */
  outcomeUnknown?: boolean;
}

/** The request a failure belongs to. Token requests fail as AUTH whatever went wrong. */
export interface FailedRequest {
  system: string;
  method: string;
  url: URL;
  tokenRequest?: boolean;
}

export interface SystemError {
  code?: string;
  message?: string;
  fields?: string[];
  errors?: unknown[];
  correlationId?: string;
}

const MAX_MESSAGE_LENGTH = 500;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function truncate(value: string): string {
  return value.length > MAX_MESSAGE_LENGTH ? `${value.slice(0, MAX_MESSAGE_LENGTH)}…` : value;
}

function compact(error: SystemError): SystemError {
  const result: SystemError = {};
  if (error.code !== undefined) result.code = error.code;
  if (error.message !== undefined) result.message = truncate(error.message);
  if (error.fields !== undefined && error.fields.length > 0) result.fields = error.fields;
  if (error.errors !== undefined && error.errors.length > 0) result.errors = error.errors;
  if (error.correlationId !== undefined) result.correlationId = error.correlationId;
  return result;
}

function fieldNames(values: unknown): string[] {
  return Array.isArray(values) ? values.filter((value): value is string => typeof value === 'string') : [];
}

/** Salesforce: `[{"message","errorCode","fields"}]`. */
function parseErrorArray(items: unknown[]): SystemError {
  const records = items.filter(isRecord);
  const messages = records.map((item) => text(item['message'])).filter((m): m is string => m !== undefined);
  const code = records.map((item) => text(item['errorCode'])).find((c) => c !== undefined);
  const fields = [...new Set(records.flatMap((item) => fieldNames(item['fields'])))];
  const error: SystemError = { fields, errors: items };
  if (code !== undefined) error.code = code;
  if (messages.length > 0) error.message = messages.join('; ');
  return error;
}

/**
 * Reads the error shapes of the systems we talk to: OData `{"error":{"code","message"}}` (Business Central,
 * Dataverse), OAuth `{"error","error_description"}`, Salesforce's array, HubSpot's
 * `{"status":"error","message","category","errors"}`, and plain text.
 */
export function parseSystemError(body: unknown): SystemError {
  if (typeof body === 'string') {
    const trimmed = body.trim();
    if (trimmed === '') return {};
    try {
      return parseSystemError(JSON.parse(trimmed));
    } catch {
      return compact({ message: trimmed });
    }
  }
  if (Array.isArray(body)) return compact(parseErrorArray(body));
  if (!isRecord(body)) return {};

  const odata = body['error'];
  if (isRecord(odata)) {
    const error: SystemError = {};
    const code = text(odata['code']);
    const message = text(odata['message']);
    if (code !== undefined) error.code = code;
    if (message !== undefined) error.message = message;
    return compact(error);
  }
  if (typeof odata === 'string') {
    const error: SystemError = { code: odata };
    const description = text(body['error_description']);
    const correlationId = text(body['correlation_id']);
    if (description !== undefined) error.message = description;
    if (correlationId !== undefined) error.correlationId = correlationId;
    return compact(error);
  }

  const error: SystemError = {};
  const code = text(body['category']) ?? text(body['errorType']) ?? text(body['errorCode']) ?? text(body['code']);
  const message = text(body['message']);
  const correlationId = text(body['correlationId']);
  if (code !== undefined) error.code = code;
  if (message !== undefined) error.message = message;
  if (correlationId !== undefined) error.correlationId = correlationId;
  if (Array.isArray(body['errors'])) {
    const errors: unknown[] = body['errors'];
    error.errors = errors;
    error.fields = [...new Set(errors.filter(isRecord).flatMap((item) => fieldNames([item['in']])))];
  }
  return compact(error);
}

function codeForStatus(status: number, systemCode: string | undefined): ErrorCode {
  // Salesforce reports its API request limits as 403 REQUEST_LIMIT_EXCEEDED, not 429.
  if (status === 403 && systemCode === 'REQUEST_LIMIT_EXCEEDED') return 'RATE_LIMIT';
  switch (status) {
    case 400:
    case 413:
    case 422:
      return 'VALIDATION';
    case 401:
    case 403:
      return 'AUTH';
    case 404:
    case 410:
      return 'NOT_FOUND';
    case 409:
    case 412:
      return 'CONFLICT';
    case 429:
      return 'RATE_LIMIT';
    case 408:
      return 'TRANSIENT';
    case 405:
    case 406:
    case 415:
    case 501:
      return 'CONFIG';
  }
  return status >= 500 ? 'TRANSIENT' : 'VALIDATION';
}

function subject(request: FailedRequest): string {
  return request.tokenRequest
    ? `token request to ${request.url.origin}${request.url.pathname}`
    : `${request.method} ${request.url.pathname}`;
}

function baseDetails(request: FailedRequest): HttpErrorDetails {
  return { method: request.method, path: request.url.pathname };
}

export function errorFromResponse(
  request: FailedRequest,
  status: number,
  body: unknown,
  redactor: SecretRedactor,
  retryAfterMs?: number,
): SyncError {
  const parsed = parseSystemError(body);
  const code = request.tokenRequest ? 'AUTH' : codeForStatus(status, parsed.code);
  const retryable = request.tokenRequest
    ? status === 429 || status >= 500
    : code === 'RATE_LIMIT' || code === 'TRANSIENT';
  const reason = [parsed.code, parsed.message].filter((part) => part !== undefined).join(': ');
  const message = `${request.system}: ${subject(request)} failed with HTTP ${status}: ${reason || STATUS_CODES[status] || 'no details'}`;

  const details = baseDetails(request);
  if (parsed.code !== undefined) details.systemCode = parsed.code;
  if (parsed.message !== undefined) details.systemMessage = redactor.redactText(parsed.message);
  if (parsed.fields !== undefined) details.fields = parsed.fields;
  if (parsed.errors !== undefined) details.errors = redactor.redact(parsed.errors) as unknown[];
  if (parsed.correlationId !== undefined) details.correlationId = parsed.correlationId;
  if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
  return new SyncError({
    code,
    message: redactor.redactText(message),
    system: request.system,
    status,
    retryable,
    details,
  });
}

export type NetworkFailureKind = 'timeout' | 'reset' | 'unreachable' | 'tls' | 'unknown-host' | 'cancelled' | 'other';

export interface NetworkFailure {
  kind: NetworkFailureKind;
  code?: string;
  /** The underlying error's message, not yet redacted. */
  text: string;
}

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);
/** The connection was never made, so the server cannot have seen the request. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL/;

function errorCode(error: unknown): string | undefined {
  const code = isRecord(error) ? error['code'] : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** Reads what kind of network failure an axios (or Node) error is, without keeping the error. */
export function classifyNetworkError(error: unknown): NetworkFailure {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = errorCode(cause) ?? errorCode(error);
  const causeText = cause instanceof Error ? cause.message : '';
  const ownText = error instanceof Error ? error.message : String(error);
  const failureText = causeText || ownText;
  const failure = (kind: NetworkFailureKind): NetworkFailure =>
    code === undefined ? { kind, text: failureText } : { kind, code, text: failureText };

  if (code === 'ERR_CANCELED' || (error instanceof Error && error.name === 'AbortError')) return failure('cancelled');
  if (code !== undefined && TIMEOUT_CODES.has(code)) return failure('timeout');
  if ((code !== undefined && RESET_CODES.has(code)) || /socket hang up/i.test(failureText)) return failure('reset');
  if (code !== undefined && UNREACHABLE_CODES.has(code)) return failure('unreachable');
  if (code === 'ENOTFOUND') return failure('unknown-host');
  if (code !== undefined && TLS_CODE.test(code)) return failure('tls');
  return failure('other');
}

function describeFailure(kind: NetworkFailureKind, url: URL): string {
  switch (kind) {
    case 'timeout':
      return 'timed out';
    case 'reset':
      return 'the connection was reset';
    case 'unreachable':
      return `could not connect to ${url.origin}`;
    case 'tls':
      return `the TLS certificate of ${url.origin} could not be verified`;
    case 'unknown-host':
      return `the host name ${url.hostname} could not be resolved`;
    case 'cancelled':
      return 'the request was cancelled';
    case 'other':
      return 'the request could not be sent';
  }
}

const RETRYABLE_FAILURES: ReadonlySet<NetworkFailureKind> = new Set(['timeout', 'reset', 'unreachable']);

export function errorFromNetwork(request: FailedRequest, failure: NetworkFailure, redactor: SecretRedactor): SyncError {
  let code: ErrorCode = 'TRANSIENT';
  let advice = '';
  if (failure.kind === 'tls') {
    code = 'CONFIG';
    advice = `; trust the server's CA with the tls.ca option, or turn certificate verification off for a test system only`;
  } else if (failure.kind === 'unknown-host') {
    code = 'CONFIG';
  }
  if (request.tokenRequest) code = 'AUTH';

  const cause = failure.code === undefined ? failure.text : `${failure.code}: ${failure.text}`;
  const message = `${request.system}: ${subject(request)} failed: ${describeFailure(failure.kind, request.url)} (${cause})${advice}`;
  const details = baseDetails(request);
  if (failure.code !== undefined) details.networkCode = failure.code;
  return new SyncError({
    code,
    message: redactor.redactText(message),
    system: request.system,
    retryable: RETRYABLE_FAILURES.has(failure.kind),
    details,
  });
}

/**
 * The error a request ends with once no (further) retry will happen. `safeToRepeat` false means the
 * request may have been processed, so even a transient failure is not marked retryable.
 */
export function finalError(error: SyncError, attempts: number, safeToRepeat: boolean): SyncError {
  const details: Record<string, unknown> = { ...(isRecord(error.details) ? error.details : {}), attempts };
  let message = error.message;
  if (!safeToRepeat) {
    details['outcomeUnknown'] = true;
    message += '; the request may have been processed, so it was not sent again';
  } else if (attempts > 1) {
    message += ` (gave up after ${attempts} attempts)`;
  }
  const info = { code: error.code, message, system: error.system, retryable: error.retryable && safeToRepeat, details };
  return new SyncError(error.status === undefined ? info : { ...info, status: error.status });
}
