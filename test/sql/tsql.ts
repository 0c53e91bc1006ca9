/**
 * Checks T-SQL with node-sql-parser's TransactSQL grammar, a real parser rather than a string compare.
 * Its grammar has gaps, each handled here in one place:
 * - `TOP (@param)` followed by an aliased or qualified column does not parse, although `TOP (100)` in the
 *   same place does: the check puts a literal in for the parameter, the rest is parsed as written;
 * - MERGE, the OUTPUT clause and FOREIGN KEY constraints are not in the grammar at all: `parserCovers`
 *   says so, and those statements are checked by their structure in the tests instead.
 */
import { Parser } from 'node-sql-parser';

const parser = new Parser();

const NOT_IN_GRAMMAR = [/^\s*MERGE\b/i, /\bOUTPUT\s+(\$action|INSERTED|DELETED)\b/i, /\bFOREIGN KEY\b/i];

export function parserCovers(sql: string): boolean {
  return !NOT_IN_GRAMMAR.some((pattern) => pattern.test(sql));
}

/** Throws the parser's error, with the statement, when `sql` is not valid T-SQL. */
export function parseTsql(sql: string): unknown {
  const text = sql.replace(/\bTOP \(@\w+\)/g, 'TOP (100)');
  try {
    return parser.astify(text, { database: 'transactsql' });
  } catch (error) {
    throw new Error(`not valid T-SQL (${(error as Error).message.slice(0, 120)}):\n${sql}`);
  }
}

/** The table names a statement reads or writes, as the parser sees them (`select::null::[dbo].[X]`). */
export function tablesOf(sql: string): string[] {
  return parser.tableList(sql.replace(/\bTOP \(@\w+\)/g, 'TOP (100)'), { database: 'transactsql' });
}
