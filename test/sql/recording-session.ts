/**
 * A database for unit tests of statement building: it records every statement with its parameters and
 * answers from a function of the test. It runs no SQL; the statements are checked with a T-SQL parser.
 */
import type { SqlRunner, SqlSession, TransactionOptions } from '../../nodes/drivers/sql/database';
import type { SqlParams } from '../../nodes/drivers/sql/values';

export interface Recorded {
  sql: string;
  params: SqlParams;
  /** The number of the transaction the statement ran in (1, 2, …); 0 outside one. */
  transaction: number;
}

/**
 * Rows for a statement, undefined for none; for a statement run with `execute`, the number of rows
 * answered is the number of rows it changed (1 when the answer is undefined). Throwing fails the statement.
 */
export type Answer = (sql: string, params: SqlParams) => unknown[] | undefined;

export class RecordingSession implements SqlSession {
  readonly location = 'test-server/test-db';
  readonly statements: Recorded[] = [];
  readonly transactions: Array<{ options: TransactionOptions; outcome: 'commit' | 'rollback' }> = [];
  closed = false;
  private transactionCount = 0;

  constructor(private answer: Answer = () => []) {}

  /** Replaces the answering function (for a later step of a test). */
  answerWith(answer: Answer): void {
    this.answer = answer;
  }

  statementsMatching(pattern: RegExp): Recorded[] {
    return this.statements.filter((s) => pattern.test(s.sql));
  }

  query<T>(sql: string, params: SqlParams = {}): Promise<T[]> {
    return this.run(sql, params, 0) as Promise<T[]>;
  }

  async execute(sql: string, params: SqlParams = {}): Promise<{ rowsAffected: number }> {
    return { rowsAffected: await this.changed(sql, params, 0) };
  }

  async *stream<T>(sql: string, params: SqlParams = {}): AsyncGenerator<T> {
    for (const row of await this.run(sql, params, 0)) yield row as T;
  }

  async transaction<T>(work: (tx: SqlRunner) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const number = ++this.transactionCount;
    const tx: SqlRunner = {
      query: <R>(sql: string, params: SqlParams = {}) => this.run(sql, params, number) as Promise<R[]>,
      execute: async (sql: string, params: SqlParams = {}) => ({
        rowsAffected: await this.changed(sql, params, number),
      }),
    };
    try {
      const result = await work(tx);
      this.transactions.push({ options, outcome: 'commit' });
      return result;
    } catch (error) {
      this.transactions.push({ options, outcome: 'rollback' });
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private async run(sql: string, params: SqlParams, transaction: number): Promise<unknown[]> {
    this.statements.push({ sql, params, transaction });
    return this.answer(sql, params) ?? [];
  }

  private async changed(sql: string, params: SqlParams, transaction: number): Promise<number> {
    this.statements.push({ sql, params, transaction });
    return this.answer(sql, params)?.length ?? 1;
  }
}

/** The `@name`s a statement uses, outside quoted names and string literals. */
export function parameterNames(sql: string): string[] {
  const bare = sql.replace(/\[(?:[^\]]|\]\])*\]/g, '[]').replace(/N?'(?:[^']|'')*'/g, "''");
  return [...new Set([...bare.matchAll(/@(\w+)/g)].map((m) => m[1]!))].sort();
}
