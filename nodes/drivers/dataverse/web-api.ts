/** Addressing the Dataverse Web API: its root, record URLs by id and by alternate key, and $filter literals. */
import { SyncError, isSyncError } from '../../lib/errors';
import type { HttpClient } from '../http';
import { isGuid, quote } from '../odata';

export { isGuid, quote };

/** A table row as the Web API returns it: columns, `_lookup_value`s and `@odata.*` annotations. */
export type Row = Record<string, unknown>;

export const API_PATH = '/api/data/v9.2';

/** Sent with every request, as the Web API documentation asks; JSON bodies add their Content-Type. */
export const WEB_API_HEADERS: Readonly<Record<string, string>> = {
  Accept: 'application/json',
  'OData-MaxVersion': '4.0',
  'OData-Version': '4.0',
  // Dataverse's documented cache-buster; it counts as no condition at all.
  'If-None-Match': 'null',
};

export const RETURN_REPRESENTATION = 'return=representation';

/** Documented: alternate-key values containing these characters break the key URL. */
const UNSAFE_KEY_CHARACTERS = ['/', '<', '>', '*', '%', '&', ':', '\\', '?', '+'];

export function validationError(system: string, message: string): SyncError {
  return new SyncError({ code: 'VALIDATION', system, message: `${system}: ${message}` });
}

/** `accounts(<guid>)`; anything but a GUID is refused, so an id can never reshape the URL. */
export function recordUrl(system: string, entitySet: string, id: string, record: string): string {
  if (!isGuid(id))
    throw validationError(system, `${record}: ${JSON.stringify(id)} is not a Dataverse record id (a GUID)`);
  return `${entitySet}(${id.toLowerCase()})`;
}

/** `accounts(new_erpcustomerno='10000')`, the value quoted and URL-encoded; refuses what Dataverse cannot take there. */
export function alternateKeyUrl(
  system: string,
  entitySet: string,
  column: string,
  value: string,
  record: string,
): string {
  if (value.trim() === '')
    throw validationError(system, `${record}: ${column} is empty, so it cannot address a record`);
  const unsafe = UNSAFE_KEY_CHARACTERS.filter((character) => value.includes(character));
  if (unsafe.length > 0) {
    throw validationError(
      system,
      `${record}: ${column} ${JSON.stringify(value)} contains ${unsafe.map((c) => `"${c}"`).join(', ')}, ` +
        `which Dataverse does not accept in an alternate-key URL`,
    );
  }
  return `${entitySet}(${column}=${encodeURIComponent(quote(value))})`;
}

/** `a eq 'x' and b eq 'y'`. */
export function equalsFilter(conditions: ReadonlyArray<readonly [column: string, value: string]>): string {
  return conditions.map(([column, value]) => `${column} eq ${quote(value)}`).join(' and ');
}

/** GETs one row; undefined when Dataverse answers 404. */
export async function getRow(
  client: HttpClient,
  url: string,
  query?: Record<string, string>,
): Promise<Row | undefined> {
  try {
    return (await client.get<Row>(url, query === undefined ? {} : { query })).data;
  } catch (error) {
    if (isSyncError(error) && error.status === 404) return undefined;
    throw error;
  }
}

/** Every row of a query, page by page as Dataverse sends them (`Prefer: odata.maxpagesize`, `@odata.nextLink`). */
export async function getAllRows(
  client: HttpClient,
  entitySet: string,
  query: Record<string, string>,
  pageSize: number,
): Promise<Row[]> {
  const rows: Row[] = [];
  const pages = client.pages<Row>(entitySet, { query, headers: { Prefer: `odata.maxpagesize=${pageSize}` } });
  for await (const page of pages) rows.push(...page);
  return rows;
}

/** Reads a text column; empty strings and non-strings count as absent. */
export function textOf(row: Row, column: string): string | undefined {
  const value = row[column];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function numberOf(row: Row, column: string): number | undefined {
  const value = row[column];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The calendar date of a Dataverse date or date-time value. */
export function dateOf(row: Row, column: string): string | undefined {
  return textOf(row, column)?.slice(0, 10);
}
