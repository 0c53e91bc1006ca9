import { ODataQueryError } from './odata/filter';

/** Where the previous page ended: its row count so far and the key of its last row. */
export interface PagePosition {
  readonly offset: number;
  readonly lastKey: string;
}

export interface Page<T> {
  readonly rows: T[];
  /** Present when more rows follow; the emulator wraps it into its own `$skiptoken` format. */
  readonly next?: PagePosition;
}

/**
 * Server-driven paging over an already filtered and ordered list. Resuming after the last key (rather than
 * at a bare offset) keeps pages correct when rows before the cut are deleted between two requests.
 */
export function takePage<T>(
  rows: readonly T[],
  pageSize: number,
  keyOf: (row: T) => string,
  after?: PagePosition,
): Page<T> {
  let start = 0;
  if (after !== undefined) {
    const lastIndex = rows.findIndex((row) => keyOf(row) === after.lastKey);
    start = lastIndex >= 0 ? lastIndex + 1 : Math.min(after.offset, rows.length);
  }
  const pageRows = rows.slice(start, start + pageSize);
  const last = pageRows[pageRows.length - 1];
  const end = start + pageRows.length;
  if (end >= rows.length || last === undefined) return { rows: pageRows };
  return { rows: pageRows, next: { offset: end, lastKey: keyOf(last) } };
}

export function encodePagePosition(position: PagePosition): string {
  return Buffer.from(JSON.stringify([position.offset, position.lastKey]), 'utf8').toString('base64url');
}

export function decodePagePosition(token: string): PagePosition {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && typeof decoded[0] === 'number' && typeof decoded[1] === 'string') {
      return { offset: decoded[0], lastKey: decoded[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new ODataQueryError('syntax', `The skip token '${token}' is not valid.`);
}

/** Rebuilds the request URL with a new `$skiptoken`, keeping every other query option as the client sent it. */
export function nextLinkFor(origin: string, rawPath: string, query: URLSearchParams, skipToken: string): string {
  const params = [...query].filter(([name]) => name !== '$skiptoken');
  params.push(['$skiptoken', skipToken]);
  const encode = (text: string): string => encodeURIComponent(text).replaceAll('%24', '$');
  return `${origin}${rawPath}?${params.map(([name, value]) => `${encode(name)}=${encode(value)}`).join('&')}`;
}
