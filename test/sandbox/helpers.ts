import type { EmulatorHandle } from '../../sandbox/kit/emulator-host';

/** A record in a response body; fields are checked with assert, so `unknown` is enough. */
export type Entity = Record<string, unknown>;

export interface Collection<T = Entity> {
  readonly '@odata.context': string;
  readonly '@odata.nextLink'?: string;
  readonly '@odata.count'?: number;
  readonly value: T[];
}

export interface ODataErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

export interface HttpResult<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  readonly body: T;
}

/** Fetches over loopback; an object body is sent as JSON. */
export async function http<T = Entity>(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; signal?: AbortSignal } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (typeof init.body === 'string') body = init.body;
  else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    ...(body !== undefined && { body }),
    ...(init.signal !== undefined && { signal: init.signal }),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed as T };
}

interface TokenSource {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope: string;
}

export async function requestToken(
  emulator: TokenSource,
  form: Record<string, string> = {},
): Promise<HttpResult<Record<string, unknown>>> {
  const fields = {
    grant_type: 'client_credentials',
    client_id: emulator.clientId,
    client_secret: emulator.clientSecret,
    scope: emulator.scope,
    ...form,
  };
  return http<Record<string, unknown>>(emulator.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

/** `Authorization` header with a fresh token for the emulator's default client. */
export async function authorization(
  emulator: TokenSource,
  form: Record<string, string> = {},
): Promise<Record<string, string>> {
  const response = await requestToken(emulator, form);
  return { Authorization: `Bearer ${String(response.body.access_token)}` };
}

export function adminUrl(emulator: EmulatorHandle, path: string): string {
  return `${emulator.url}/_admin/${path}`;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function isoDate(offsetDays = 0): string {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + offsetDays);
  return date.toISOString().slice(0, 10);
}
