/**
 * The HTTP client every HTTP driver uses: axios over keep-alive agents with TLS verification on,
 * authentication, a per-credential rate governor, retries with backoff, typed and redacted errors.
 */
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import axios, { AxiosHeaders, type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { SyncError, type ErrorCode } from '../../lib/errors';
import { noAuth, type AuthContext, type AuthProvider, type HttpLog, type HttpLogLevel } from './auth';
import {
  RateGovernor,
  sharedGovernors,
  type GovernorRegistry,
  type GovernorStats,
  type RateLimits,
  type ReleaseSlot,
} from './governor';
import {
  classifyNetworkError,
  errorFromNetwork,
  errorFromResponse,
  finalError,
  type FailedRequest,
} from './http-errors';
import { SecretRedactor } from './redact';
import {
  DEFAULT_RETRY_OPTIONS,
  RETRY_STATUSES,
  UNPROCESSED_STATUSES,
  backoffDelay,
  isIdempotentRequest,
  serverDelayMs,
  type RetryOptions,
} from './retry';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | undefined;
/** `json` parses JSON answers and returns other content types as text; empty bodies give `undefined`. */
export type ResponseType = 'json' | 'text' | 'buffer';

export interface TlsOptions {
  /** Verify the server certificate. Default true; turn it off for a test system only. */
  rejectUnauthorized?: boolean | undefined;
  /** CA certificates (PEM) to trust, e.g. the internal CA of an on-premises server. */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
}

export interface HttpClientOptions {
  /** The connection's system name, used in every error and log line. */
  system: string;
  /** Relative request URLs are appended to it; absolute URLs must have its origin. */
  baseUrl: string;
  /** Default: no authentication. */
  auth?: AuthProvider | undefined;
  /** Sent with every request; a request's own headers win. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Per attempt. Default 100 s. */
  timeoutMs?: number | undefined;
  tls?: TlsOptions | undefined;
  /** Requests of this client in flight at once, on top of the limits shared per credential. */
  maxConcurrency?: number | undefined;
  /** Limits of the governor shared by every client with the same credential (see RATE_LIMIT_PRESETS). */
  rateLimits?: RateLimits | undefined;
  /** Default: the process-wide registry. */
  governors?: GovernorRegistry | undefined;
  retry?: Partial<RetryOptions> | undefined;
  log?: HttpLog | undefined;
  /** Told before each automatic retry, e.g. to show "retrying" in a node status. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
}

export interface HttpResponse<T = unknown> {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  data: T;
}

export interface RetryContext {
  method: HttpMethod;
  path: string;
  /** The attempt that failed, 1 for the first. */
  attempt: number;
  error: SyncError;
}

/** `retry` sends the request again, `fail` gives up, `{ response }` ends the request with that answer. */
export type BeforeRetryDecision<T> = 'retry' | 'fail' | { response: HttpResponse<T> };

/**
 * Asked before a request whose outcome is unknown (a non-idempotent request that timed out, was reset, or
 * got 502/504) is sent again, after the backoff wait. Typically it looks the record up, e.g. by external
 * document number, and returns it instead of creating a duplicate. If it throws, the request fails with that error.
 */
export type BeforeRetry<T> = (context: RetryContext) => BeforeRetryDecision<T> | Promise<BeforeRetryDecision<T>>;

export interface RequestOptions<T = unknown> {
  query?: Readonly<Record<string, QueryValue>> | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
  /** Default: application/json for objects, text/plain for strings, octet-stream for buffers. */
  contentType?: string | undefined;
  responseType?: ResponseType | undefined;
  /** Overrides the method-based rule for whether the request may be sent twice. */
  idempotent?: boolean | undefined;
  beforeRetry?: BeforeRetry<T> | undefined;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface HttpRequest<T = unknown> extends RequestOptions<T> {
  method: HttpMethod;
  /** Relative to the base URL, or absolute with the same origin (e.g. an `@odata.nextLink`). */
  url: string;
  /** Strings and buffers are sent as they are (e.g. a multipart $batch); other values as JSON. */
  body?: unknown;
}

export interface RetryEvent {
  system: string;
  method: HttpMethod;
  path: string;
  /** The attempt that failed. */
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  code: ErrorCode;
  /** `HTTP 503`, `ECONNRESET`, … */
  reason: string;
}

export interface HttpClientStats {
  /** Shared by every client with the same credential. */
  credential: GovernorStats;
  client: { inFlight: number; queued: number };
}

export interface ODataPage<T> {
  value?: T[];
  '@odata.nextLink'?: string;
}

export interface HttpClient {
  readonly system: string;
  /** Knows every secret of this client; use it for anything a driver logs itself. */
  readonly redactor: SecretRedactor;
  request<T = unknown>(request: HttpRequest<T>): Promise<HttpResponse<T>>;
  get<T = unknown>(url: string, options?: RequestOptions<T>): Promise<HttpResponse<T>>;
  post<T = unknown>(url: string, body?: unknown, options?: RequestOptions<T>): Promise<HttpResponse<T>>;
  put<T = unknown>(url: string, body?: unknown, options?: RequestOptions<T>): Promise<HttpResponse<T>>;
  patch<T = unknown>(url: string, body?: unknown, options?: RequestOptions<T>): Promise<HttpResponse<T>>;
  delete<T = unknown>(url: string, options?: RequestOptions<T>): Promise<HttpResponse<T>>;
  /** GETs an OData collection page by page, following `@odata.nextLink` verbatim. */
  pages<T = unknown>(url: string, options?: RequestOptions<ODataPage<T>>): AsyncGenerator<T[], void, undefined>;
  stats(): HttpClientStats;
  /** Closes idle keep-alive connections. */
  close(): void;
}

const DEFAULT_TIMEOUT_MS = 100_000;
/**
 * Idle keep-alive sockets are closed after this long. Load balancers drop idle connections silently, and a
 * POST sent on such a socket fails with a reset whose outcome looks unknown although nothing was processed.
 */
const IDLE_SOCKET_TIMEOUT_MS = 30_000;
const ABSOLUTE_URL = /^https?:\/\//i;

interface PreparedRequest<T> {
  method: HttpMethod;
  url: URL;
  /** Redacted, for messages and events. */
  path: string;
  target: FailedRequest;
  headers: Record<string, string>;
  data?: string | Buffer;
  responseType: ResponseType;
  idempotent: boolean;
  beforeRetry?: BeforeRetry<T>;
  timeoutMs: number;
  signal?: AbortSignal;
}

interface AttemptFailure {
  error: SyncError;
  /** A later attempt may succeed: throttled, overloaded, timed out, reset, unreachable. */
  transient: boolean;
  /** The server cannot have processed the request, so sending it again is safe whatever the method. */
  unprocessed: boolean;
  reason: string;
  status?: number;
  serverDelayMs?: number;
  /** The Authorization value that the API answered with 401. */
  rejectedAuthorization?: string;
}

type Attempt<T> = { response: HttpResponse<T> } | { failure: AttemptFailure };

function mergeHeaders(...sources: ReadonlyArray<Readonly<Record<string, string>>>): Record<string, string> {
  const merged = new Map<string, readonly [string, string]>();
  for (const source of sources) {
    for (const [name, value] of Object.entries(source)) merged.set(name.toLowerCase(), [name, value]);
  }
  return Object.fromEntries(merged.values());
}

function plainHeaders(headers: AxiosResponse['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  const source: Record<string, unknown> = headers instanceof AxiosHeaders ? headers.toJSON() : headers;
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && value !== null && value !== false) {
      result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    }
  }
  return result;
}

function serializeBody(body: unknown, contentType: string | undefined): { data: string | Buffer; type: string } {
  if (body instanceof Uint8Array) {
    return {
      data: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
      type: contentType ?? 'application/octet-stream',
    };
  }
  if (typeof body === 'string') return { data: body, type: contentType ?? 'text/plain; charset=utf-8' };
  if (body instanceof URLSearchParams) {
    return { data: body.toString(), type: contentType ?? 'application/x-www-form-urlencoded' };
  }
  return { data: JSON.stringify(body), type: contentType ?? 'application/json' };
}

function decodeBody(raw: Buffer, contentType: string | undefined, responseType: ResponseType): unknown {
  if (responseType === 'buffer') return raw;
  const text = raw.toString('utf8');
  if (responseType === 'text') return text;
  if (text.trim() === '') return undefined;
  return /\bjson\b/i.test(contentType ?? '') ? JSON.parse(text) : text;
}

/** Query values are percent-encoded; the `$` of OData system query options stays readable. */
function appendQuery(url: URL, query: Readonly<Record<string, QueryValue>>): void {
  const pairs = Object.entries(query)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([name, value]) => `${encodeURIComponent(name).replace(/^%24/, '$')}=${encodeURIComponent(String(value))}`);
  if (pairs.length > 0) url.search = `${url.search === '' ? '?' : `${url.search}&`}${pairs.join('&')}`;
}

class AxiosHttpClient implements HttpClient {
  readonly system: string;
  readonly redactor = new SecretRedactor();
  private readonly baseUrl: URL;
  private readonly auth: AuthProvider;
  private readonly defaultHeaders: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly retry: RetryOptions;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly http: AxiosInstance;
  private readonly governor: RateGovernor;
  private readonly clientLimiter: RateGovernor | undefined;
  private readonly authContext: AuthContext;
  private queued = 0;
  private inFlight = 0;

  constructor(private readonly options: HttpClientOptions) {
    this.system = options.system;
    this.auth = options.auth ?? noAuth();
    this.redactor.add(...this.auth.secrets);
    this.baseUrl = this.parseBaseUrl(options.baseUrl);
    this.defaultHeaders = mergeHeaders({ Accept: 'application/json' }, options.headers ?? {});
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retry = { ...DEFAULT_RETRY_OPTIONS, ...options.retry };

    const verify = options.tls?.rejectUnauthorized !== false;
    this.httpAgent = new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS });
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      timeout: IDLE_SOCKET_TIMEOUT_MS,
      rejectUnauthorized: verify,
      ...(options.tls?.ca === undefined ? {} : { ca: options.tls.ca }),
    });
    if (!verify)
      this.log('warn', `${this.system}: TLS certificate verification is off; use this for test systems only`);

    this.http = axios.create({
      adapter: 'http',
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      // Environment proxies would intercept loopback and on-premises traffic unasked.
      proxy: false,
      // A redirect could carry the Authorization header elsewhere; 3xx answers are returned as they are.
      maxRedirects: 0,
      responseType: 'arraybuffer',
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
    });

    const registry = options.governors ?? sharedGovernors;
    this.governor = registry.governorFor(this.auth.identity(this.baseUrl), options.rateLimits ?? {});
    this.clientLimiter =
      options.maxConcurrency === undefined ? undefined : new RateGovernor({ maxConcurrent: options.maxConcurrency });
    this.authContext = {
      system: this.system,
      requestToken: (tokenUrl, form) => this.requestToken(tokenUrl, form),
      log: (level, message) => this.log(level, message),
    };
  }

  get<T = unknown>(url: string, options: RequestOptions<T> = {}): Promise<HttpResponse<T>> {
    return this.request({ ...options, method: 'GET', url });
  }

  post<T = unknown>(url: string, body?: unknown, options: RequestOptions<T> = {}): Promise<HttpResponse<T>> {
    return this.request({ ...options, method: 'POST', url, body });
  }

  put<T = unknown>(url: string, body?: unknown, options: RequestOptions<T> = {}): Promise<HttpResponse<T>> {
    return this.request({ ...options, method: 'PUT', url, body });
  }

  patch<T = unknown>(url: string, body?: unknown, options: RequestOptions<T> = {}): Promise<HttpResponse<T>> {
    return this.request({ ...options, method: 'PATCH', url, body });
  }

  delete<T = unknown>(url: string, options: RequestOptions<T> = {}): Promise<HttpResponse<T>> {
    return this.request({ ...options, method: 'DELETE', url });
  }

  async *pages<T = unknown>(
    url: string,
    options: RequestOptions<ODataPage<T>> = {},
  ): AsyncGenerator<T[], void, undefined> {
    let next: string | undefined = url;
    let pageOptions = options;
    while (next !== undefined) {
      const page: HttpResponse<ODataPage<T> | undefined> = await this.get<ODataPage<T>>(next, pageOptions);
      const { data } = page;
      yield Array.isArray(data?.value) ? data.value : [];
      const nextLink: unknown = data?.['@odata.nextLink'];
      next = typeof nextLink === 'string' && nextLink !== '' ? nextLink : undefined;
      // The next link already carries the query.
      pageOptions = { ...options, query: undefined };
    }
  }

  async request<T = unknown>(request: HttpRequest<T>): Promise<HttpResponse<T>> {
    const prepared = this.prepare(request);
    const { beforeRetry } = prepared;
    const startedAt = Date.now();
    let tokenRefreshed = false;
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.attempt(prepared);
      if ('response' in outcome) return outcome.response;
      const { failure } = outcome;

      const rejected = failure.rejectedAuthorization;
      if (rejected !== undefined && !tokenRefreshed && this.auth.invalidate(rejected)) {
        // The API did not accept the token, so it did not process the request: one more try, outside the budget.
        tokenRefreshed = true;
        attempt -= 1;
        this.log('info', `${this.system}: ${prepared.method} ${prepared.path} got 401; retrying once with a new token`);
        continue;
      }
      if (!failure.transient) throw finalError(failure.error, attempt, true);

      const safe = failure.unprocessed || prepared.idempotent;
      const delayMs = failure.serverDelayMs ?? backoffDelay(attempt, this.retry);
      if (failure.status === 429) this.governor.pause(delayMs);
      if (!safe && beforeRetry === undefined) throw finalError(failure.error, attempt, false);
      const outOfTime = Date.now() - startedAt + delayMs > this.retry.deadlineMs;
      if (attempt >= this.retry.maxAttempts || outOfTime) throw finalError(failure.error, attempt, safe);

      this.announceRetry(prepared, failure, attempt, delayMs);
      await this.wait(delayMs, prepared);
      if (!safe && beforeRetry !== undefined) {
        const decision = await beforeRetry({
          method: prepared.method,
          path: prepared.path,
          attempt,
          error: failure.error,
        });
        if (decision === 'fail') throw finalError(failure.error, attempt, false);
        if (decision !== 'retry') return decision.response;
      }
    }
  }

  stats(): HttpClientStats {
    return { credential: this.governor.stats(), client: { inFlight: this.inFlight, queued: this.queued } };
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private log(level: HttpLogLevel, message: string): void {
    this.options.log?.(level, this.redactor.redactText(message));
  }

  private configError(message: string): SyncError {
    return new SyncError({ code: 'CONFIG', system: this.system, message: this.redactor.redactText(message) });
  }

  private parseBaseUrl(baseUrl: string): URL {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw this.configError(`${this.system}: the base URL "${baseUrl}" is not a valid URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw this.configError(`${this.system}: the base URL must start with https:// or http://`);
    }
    url.search = '';
    url.hash = '';
    return url;
  }

  /** Relative URLs are appended to the base URL; absolute ones must not lead the credentials elsewhere. */
  private resolveUrl(target: string, query: Readonly<Record<string, QueryValue>> | undefined): URL {
    let url: URL;
    try {
      url = ABSOLUTE_URL.test(target)
        ? new URL(target)
        : new URL(`${this.baseUrl.href.replace(/\/+$/, '')}/${target.replace(/^\/+/, '')}`);
    } catch {
      throw this.configError(`${this.system}: "${target}" is not a valid URL`);
    }
    if (url.origin !== this.baseUrl.origin) {
      throw this.configError(
        `${this.system}: refusing to send a request to ${url.origin}, which is not the configured ${this.baseUrl.origin}`,
      );
    }
    if (query !== undefined) appendQuery(url, query);
    return url;
  }

  private prepare<T>(request: HttpRequest<T>): PreparedRequest<T> {
    const url = this.resolveUrl(request.url, request.query);
    const headers = mergeHeaders(this.defaultHeaders, request.headers ?? {});
    const prepared: PreparedRequest<T> = {
      method: request.method,
      url,
      path: this.redactor.redactText(url.pathname),
      target: { system: this.system, method: request.method, url },
      headers,
      responseType: request.responseType ?? 'json',
      idempotent: request.idempotent ?? isIdempotentRequest(request.method, headers, url.pathname),
      timeoutMs: request.timeoutMs ?? this.timeoutMs,
    };
    if (request.body !== undefined) {
      const { data, type } = serializeBody(request.body, request.contentType);
      prepared.data = data;
      prepared.headers = mergeHeaders(headers, { 'Content-Type': type });
    }
    if (request.beforeRetry !== undefined) prepared.beforeRetry = request.beforeRetry;
    if (request.signal !== undefined) prepared.signal = request.signal;
    return prepared;
  }

  private async acquireSlots(signal: AbortSignal | undefined): Promise<ReleaseSlot[]> {
    const releases: ReleaseSlot[] = [];
    try {
      if (this.clientLimiter !== undefined) releases.push(await this.clientLimiter.acquire(signal));
      releases.push(await this.governor.acquire(signal));
      return releases;
    } catch (error) {
      for (const release of releases) release();
      throw error;
    }
  }

  private async attempt<T>(request: PreparedRequest<T>): Promise<Attempt<T>> {
    let releases: ReleaseSlot[];
    this.queued += 1;
    try {
      releases = await this.acquireSlots(request.signal);
    } catch {
      return { failure: this.cancelled(request) };
    } finally {
      this.queued -= 1;
    }

    this.inFlight += 1;
    try {
      let authorization: string | undefined;
      try {
        authorization = await this.auth.authorization(this.authContext);
      } catch (error) {
        const authError =
          error instanceof SyncError
            ? error
            : this.configError(`${this.system}: the authentication provider failed: ${String(error)}`);
        return {
          failure: { error: authError, transient: authError.retryable, unprocessed: true, reason: 'token request' },
        };
      }
      if (authorization !== undefined) {
        this.redactor.addRotating(authorization).addRotating(authorization.replace(/^\S+\s+/, ''));
      }

      const config: AxiosRequestConfig = {
        url: request.url.href,
        method: request.method,
        headers:
          authorization === undefined
            ? request.headers
            : mergeHeaders(request.headers, { Authorization: authorization }),
        timeout: request.timeoutMs,
      };
      if (request.data !== undefined) config.data = request.data;
      if (request.signal !== undefined) config.signal = request.signal;

      let response: AxiosResponse<Buffer>;
      try {
        response = await this.http.request<Buffer>(config);
      } catch (error) {
        return { failure: this.networkFailure(request.target, error) };
      }
      return this.readResponse(request, response, authorization);
    } finally {
      this.inFlight -= 1;
      for (const release of releases) release();
    }
  }

  private readResponse<T>(
    request: PreparedRequest<T>,
    response: AxiosResponse<Buffer>,
    authorization: string | undefined,
  ): Attempt<T> {
    const { status } = response;
    const headers = plainHeaders(response.headers);
    const raw = Buffer.from(response.data);
    if (status < 400) {
      try {
        return {
          response: { status, headers, data: decodeBody(raw, headers['content-type'], request.responseType) as T },
        };
      } catch {
        const error = new SyncError({
          code: 'TRANSIENT',
          system: this.system,
          status,
          retryable: false,
          message: `${this.system}: ${request.method} ${request.path} answered HTTP ${status} with invalid JSON`,
        });
        return { failure: { error, transient: false, unprocessed: false, reason: 'invalid JSON', status } };
      }
    }

    const delayMs = serverDelayMs(status, headers);
    const failure: AttemptFailure = {
      error: errorFromResponse(request.target, status, raw.toString('utf8'), this.redactor, delayMs),
      transient: RETRY_STATUSES.has(status),
      unprocessed: UNPROCESSED_STATUSES.has(status),
      reason: `HTTP ${status}`,
      status,
    };
    if (delayMs !== undefined) failure.serverDelayMs = delayMs;
    if (status === 401 && authorization !== undefined) failure.rejectedAuthorization = authorization;
    return { failure };
  }

  private networkFailure(target: FailedRequest, error: unknown): AttemptFailure {
    const failure = classifyNetworkError(error);
    const syncError = errorFromNetwork(target, failure, this.redactor);
    return {
      error: syncError,
      transient: syncError.retryable,
      unprocessed: failure.kind === 'unreachable',
      reason: failure.code ?? failure.kind,
    };
  }

  private cancelled<T>(request: PreparedRequest<T>): AttemptFailure {
    const error = errorFromNetwork(request.target, { kind: 'cancelled', text: 'aborted' }, this.redactor);
    return { error, transient: false, unprocessed: true, reason: 'cancelled' };
  }

  private async wait<T>(delayMs: number, request: PreparedRequest<T>): Promise<void> {
    try {
      await sleep(delayMs, undefined, request.signal === undefined ? {} : { signal: request.signal });
    } catch {
      throw this.cancelled(request).error;
    }
  }

  private announceRetry<T>(
    request: PreparedRequest<T>,
    failure: AttemptFailure,
    attempt: number,
    delayMs: number,
  ): void {
    const { maxAttempts } = this.retry;
    this.log(
      'warn',
      `${this.system}: ${request.method} ${request.path} failed (${failure.reason}); ` +
        `attempt ${attempt + 1} of ${maxAttempts} in ${delayMs} ms`,
    );
    this.options.onRetry?.({
      system: this.system,
      method: request.method,
      path: request.path,
      attempt,
      maxAttempts,
      delayMs,
      code: failure.error.code,
      reason: failure.reason,
    });
  }

  /** POSTs a token request with this client's agents; any failure becomes an AUTH error naming the endpoint. */
  private async requestToken(tokenUrl: string, form: Readonly<Record<string, string>>): Promise<unknown> {
    let url: URL;
    try {
      url = new URL(tokenUrl);
    } catch {
      throw this.configError(`${this.system}: the token URL "${tokenUrl}" is not a valid URL`);
    }
    const target: FailedRequest = { system: this.system, method: 'POST', url, tokenRequest: true };
    let response: AxiosResponse<Buffer>;
    try {
      response = await this.http.request<Buffer>({
        url: url.href,
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
        data: new URLSearchParams(form).toString(),
        timeout: this.timeoutMs,
      });
    } catch (error) {
      throw errorFromNetwork(target, classifyNetworkError(error), this.redactor);
    }
    const text = Buffer.from(response.data).toString('utf8');
    if (response.status >= 300) {
      const delayMs = serverDelayMs(response.status, plainHeaders(response.headers));
      throw errorFromResponse(target, response.status, text, this.redactor, delayMs);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new SyncError({
        code: 'AUTH',
        system: this.system,
        message: `${this.system}: the token endpoint ${url.origin} did not answer with JSON`,
        retryable: false,
      });
    }
  }
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  return new AxiosHttpClient(options);
}
