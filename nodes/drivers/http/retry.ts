/** The retry budget, backoff and the rules for which requests may be sent twice. */

export interface RetryOptions {
  /** Attempts in total, the first one included. */
  maxAttempts: number;
  /** The backoff ceiling of the first retry; it doubles with each retry. */
  baseDelayMs: number;
  /** Upper bound of one backoff delay (a server's Retry-After may ask for more, within the deadline). */
  maxDelayMs: number;
  /** No retry is started whose wait would end later than this, counted from the first attempt. */
  deadlineMs: number;
}

export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  deadlineMs: 120_000,
};

/** Statuses that a later attempt may cure. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * 429 and 503 mean the server refused the request before processing it (throttled, or overloaded and
 * queue full), so repeating it cannot create a duplicate, whatever the method. 502 and 504 come from a
 * gateway that may have passed the request on, so they count as "outcome unknown", like resets and timeouts.
 */
export const UNPROCESSED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** Full jitter: a uniformly random wait between 0 and the exponential ceiling of this retry (1 = first retry). */
export function backoffDelay(retry: number, options: RetryOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.round(random() * ceiling);
}

/** Retry-After as delta-seconds (fractions accepted) or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long the server asked us to wait. HubSpot sends no Retry-After on 429 but names its rolling window
 * in `X-HubSpot-RateLimit-Interval-Milliseconds`; after that interval the burst allowance is back.
 */
export function serverDelayMs(
  status: number,
  headers: Readonly<Record<string, string>>,
  now: number = Date.now(),
): number | undefined {
  const retryAfter = parseRetryAfter(headers['retry-after'], now);
  if (retryAfter !== undefined) return retryAfter;
  if (status !== 429) return undefined;
  const interval = Number(headers['x-hubspot-ratelimit-interval-milliseconds']);
  return Number.isFinite(interval) && interval > 0 ? interval : undefined;
}

const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** An OData entity addressed by key, e.g. `customers(5d11…)` or the alternate key `accounts(accountnumber='C1')`. */
const ODATA_KEY_SEGMENT = /\([^()/]+\)$/;
/** Salesforce upsert by external ID: `/sobjects/Account/ERP_Id__c/12345`. */
const SALESFORCE_EXTERNAL_ID = /\/sobjects\/[^/]+\/[^/]+\/[^/]+$/;

/**
 * Whether sending the request twice leaves the same state as sending it once. A PATCH counts when it is
 * conditional (If-Match: a repeat after success fails with 412 instead of changing anything) or sets fields
 * on a record addressed by its key (an upsert converges to the same record). POST never counts by itself.
 */
export function isIdempotentRequest(method: string, headers: Readonly<Record<string, string>>, path: string): boolean {
  if (IDEMPOTENT_METHODS.has(method)) return true;
  if (method !== 'PATCH') return false;
  const hasIfMatch = Object.keys(headers).some((name) => name.toLowerCase() === 'if-match');
  return hasIfMatch || ODATA_KEY_SEGMENT.test(path) || SALESFORCE_EXTERNAL_ID.test(path);
}
