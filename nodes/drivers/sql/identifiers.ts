import { SyncError } from '../../lib/errors';

/** SQL Server's identifier limit (sysname). */
const MAX_IDENTIFIER = 128;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * Checks a table, schema or column name taken from configuration. Names are always quoted, so
 * spaces, `$` and NAV's punctuation are fine; control characters and over-long names are not.
 */
export function checkIdentifier(name: unknown, what: string, system: string): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_IDENTIFIER || CONTROL_CHARACTER.test(name)) {
    throw new SyncError({
      code: 'CONFIG',
      system,
      message: `${what} ${JSON.stringify(name)} is not a valid SQL Server name (1–${MAX_IDENTIFIER} characters, no control characters)`,
    });
  }
  return name;
}

/** `[name]`, with `]` doubled as T-SQL requires. */
export function quoteIdentifier(name: string): string {
  return `[${name.replace(/]/g, ']]')}]`;
}

/** `N'text'`, with `'` doubled: for the few places T-SQL takes no parameter (e.g. inside EXEC of DDL). */
export function quoteLiteral(text: string): string {
  return `N'${text.replace(/'/g, "''")}'`;
}
