/**
 * SQL Server's limits on one request: at most 2,100 parameters, and at most 1,000 rows in a table
 * value constructor (`VALUES (…), (…)`). Multi-row statements are cut into pieces below both, so no
 * caller has to size batches.
 */
import type { SqlValue } from './values';

export const MAX_PARAMETERS = 2100;
/** What multi-row statements use, leaving room for the fixed parameters of a statement. */
export const PARAMETER_BUDGET = 2000;
export const MAX_VALUES_ROWS = 1000;

/** How many rows of `parametersPerRow` fit into one statement that also binds `fixedParameters`. */
export function rowsPerStatement(parametersPerRow: number, fixedParameters = 0): number {
  const room = PARAMETER_BUDGET - fixedParameters;
  if (parametersPerRow < 1 || room < parametersPerRow) {
    throw new RangeError(
      `a row of ${parametersPerRow} parameters does not fit into one statement (at most ${PARAMETER_BUDGET - fixedParameters})`,
    );
  }
  return Math.min(MAX_VALUES_ROWS, Math.floor(room / parametersPerRow));
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (size < 1) throw new RangeError('chunk size must be at least 1');
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/**
 * `(@r0_0, @r0_1), (@r1_0, @r1_1)` with the values as parameters. Every row needs the same number of
 * values; more rows or parameters than one statement takes are refused (use `rowsPerStatement`).
 */
export function valuesList(
  rows: ReadonlyArray<readonly SqlValue[]>,
  prefix = 'r',
): { sql: string; params: Record<string, SqlValue> } {
  const width = rows[0]?.length ?? 0;
  if (rows.length === 0 || width === 0) throw new RangeError('a VALUES list needs at least one row and one column');
  if (rows.length > MAX_VALUES_ROWS || rows.length * width > PARAMETER_BUDGET) {
    throw new RangeError(`${rows.length} rows of ${width} values do not fit into one statement`);
  }
  const params: Record<string, SqlValue> = {};
  const tuples = rows.map((row, r) => {
    if (row.length !== width) throw new RangeError(`row ${r} has ${row.length} values, not ${width}`);
    return `(${row
      .map((value, c) => {
        const name = `${prefix}${r}_${c}`;
        params[name] = value;
        return `@${name}`;
      })
      .join(', ')})`;
  });
  return { sql: tuples.join(', '), params };
}

/** `@k0, @k1, …` for an `IN (…)` list, with the values as parameters. */
export function inList(values: readonly SqlValue[], prefix = 'k'): { sql: string; params: Record<string, SqlValue> } {
  if (values.length === 0 || values.length > PARAMETER_BUDGET) {
    throw new RangeError(`an IN list takes 1 to ${PARAMETER_BUDGET} values, not ${values.length}`);
  }
  const params: Record<string, SqlValue> = {};
  const names = values.map((value, index) => {
    params[`${prefix}${index}`] = value;
    return `@${prefix}${index}`;
  });
  return { sql: names.join(', '), params };
}
