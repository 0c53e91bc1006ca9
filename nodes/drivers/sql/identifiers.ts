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

/** A table, view or procedure name from configuration: `Table`, `schema.Table`, `[schema].[Table]`. */
export interface QualifiedName {
  schema: string;
  name: string;
}

const NAME_PART = /\s*(?:\[((?:[^\]]|\]\])+)\]|([^.[\]]+))\s*/y;

/**
 * Reads `schema.name` (each part bare or in brackets, `]]` inside brackets for `]`); the schema
 * defaults to `defaultSchema`. Each part is checked like any identifier.
 */
export function parseQualifiedName(text: unknown, what: string, system: string, defaultSchema = 'dbo'): QualifiedName {
  const parts: string[] = [];
  if (typeof text === 'string') {
    let at = 0;
    while (at <= text.length) {
      NAME_PART.lastIndex = at;
      const match = NAME_PART.exec(text);
      if (!match) break;
      parts.push(match[1] !== undefined ? match[1].replace(/]]/g, ']') : match[2]!.trim());
      at = NAME_PART.lastIndex;
      if (at === text.length) {
        at = -1;
        break;
      }
      if (text[at] !== '.') break;
      at++;
    }
    if (at === -1 && parts.length >= 1 && parts.length <= 2) {
      const [first, second] = parts as [string, string | undefined];
      const qualified = second === undefined ? { schema: defaultSchema, name: first } : { schema: first, name: second };
      checkIdentifier(qualified.schema, `the schema of ${what}`, system);
      checkIdentifier(qualified.name, what, system);
      return qualified;
    }
  }
  throw new SyncError({
    code: 'CONFIG',
    system,
    message: `${what} ${JSON.stringify(text)} is not a name of the form Table, schema.Table or [schema].[Table]`,
  });
}

/** `[schema].[name]`. */
export function quoteQualified(name: QualifiedName): string {
  return `${quoteIdentifier(name.schema)}.${quoteIdentifier(name.name)}`;
}
