/** A statement's parameters, bound by name (`@name` in the SQL text, in both SQLite and SQL Server). */
/** Dates are timestamps: ISO 8601 text in SQLite, DATETIME2 in SQL Server. */
export type SqlParams = Record<string, string | number | Date | null>;

export interface SqlRunner {
  all<T>(sql: string, params?: SqlParams): Promise<T[]>;
  run(sql: string, params?: SqlParams): Promise<{ changes: number }>;
}

/** What differs between SQL dialects in the statements the store uses. */
export interface SqlDialect {
  readonly name: 'sqlite' | 'mssql';
  /** The quoted, qualified name of one of the store's tables. */
  table(name: string): string;
  /** `SELECT` with a row limit: SQLite puts LIMIT at the end, T-SQL puts TOP at the front. */
  selectLimited(columns: string, rest: string, limitParam: string): string;
  /** A query returning one row when the store's table exists. */
  tableExists(name: string): string;
  /** Column types used by the migrations. */
  readonly types: { text(length: number): string; timestamp: string; integer: string };
}

/** A database the store runs on: statements, transactions, and the DDL of each migration. */
export interface SqlBackend extends SqlRunner {
  readonly dialect: SqlDialect;
  readonly location: string;
  /** Runs `work` in one transaction; rolls back when it throws. */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /** Like `transaction`, but also exclusive across processes sharing the database (for migrations). */
  exclusiveTransaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
