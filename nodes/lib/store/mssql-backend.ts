import sql from 'mssql';
import { SyncError } from '../errors';
import { checkIdentifier, quoteIdentifier, quoteLiteral } from '../../drivers/sql/identifiers';
import type { SqlBackend, SqlDialect, SqlParams, SqlRunner } from './sql-backend';

export interface MssqlStoreOptions {
  server: string;
  port?: number;
  database: string;
  schema: string;
  user?: string;
  password?: string;
  encrypt: boolean;
  trustServerCertificate: boolean;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
}

const DEADLOCK_VICTIM = 1205;
/** A transaction chosen as deadlock victim is run again, up to this many attempts in all. */
const MAX_ATTEMPTS = 3;
/** Serialises migrations across every instance sharing the database; released with the transaction. */
export const APPLOCK_STATEMENT =
  "EXEC sp_getapplock @Resource = @resource, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = 30000";

export function mssqlDialect(schema: string): SqlDialect {
  const quotedSchema = quoteIdentifier(schema);
  return {
    name: 'mssql',
    table: (name) => `${quotedSchema}.${quoteIdentifier(name)}`,
    selectLimited: (columns, rest, limitParam) => {
      // TOP goes after DISTINCT in T-SQL.
      const distinct = /^DISTINCT\s+/i.test(columns);
      const list = columns.replace(/^DISTINCT\s+/i, '');
      return `SELECT ${distinct ? 'DISTINCT ' : ''}TOP (${limitParam}) ${list} ${rest}`;
    },
    tableExists: (name) =>
      `SELECT 1 AS found FROM sys.tables t JOIN sys.schemas s ON s.schema_id = t.schema_id WHERE s.name = ${quoteLiteral(schema)} AND t.name = ${quoteLiteral(name)}`,
    types: { text: (length) => `NVARCHAR(${length})`, timestamp: 'DATETIME2(3)', integer: 'INT' },
  };
}

/** The statement that creates the store's schema when it is missing. */
export function createSchemaStatement(schema: string): string {
  return `IF SCHEMA_ID(${quoteLiteral(schema)}) IS NULL EXEC(${quoteLiteral(`CREATE SCHEMA ${quoteIdentifier(schema)}`)})`;
}

function bind(request: sql.Request, params: SqlParams): void {
  for (const [name, value] of Object.entries(params)) {
    if (value === null) request.input(name, sql.NVarChar, null);
    else if (typeof value === 'number') request.input(name, Number.isInteger(value) ? sql.Int : sql.Float, value);
    else if (value instanceof Date) request.input(name, sql.DateTime2(3), value);
    else request.input(name, sql.NVarChar(Math.max(1, value.length) > 4000 ? sql.MAX : 4000), value);
  }
}

function runnerOn(target: () => sql.Request): SqlRunner {
  return {
    all: async <T>(text: string, params: SqlParams = {}) => {
      const request = target();
      bind(request, params);
      return (await request.query(text)).recordset as unknown as T[];
    },
    run: async (text: string, params: SqlParams = {}) => {
      const request = target();
      bind(request, params);
      const result = await request.query(text);
      return { changes: result.rowsAffected.reduce((sum, n) => sum + n, 0) };
    },
  };
}

function sqlNumber(error: unknown): number | undefined {
  const number = (error as { number?: unknown; originalError?: { info?: { number?: unknown } } }).number;
  return typeof number === 'number' ? number : undefined;
}

/** The store on SQL Server, shared by several Node-RED instances. */
export class MssqlBackend implements SqlBackend {
  readonly dialect: SqlDialect;
  readonly location: string;
  private readonly direct: SqlRunner;

  private constructor(
    private readonly pool: sql.ConnectionPool,
    options: MssqlStoreOptions,
  ) {
    this.dialect = mssqlDialect(options.schema);
    this.location = `${options.server}${options.port ? `:${options.port}` : ''}/${options.database} (schema ${options.schema})`;
    this.direct = runnerOn(() => this.pool.request());
  }

  static async connect(options: MssqlStoreOptions): Promise<MssqlBackend> {
    checkIdentifier(options.schema, 'schema', 'store');
    checkIdentifier(options.database, 'database', 'store');
    const pool = new sql.ConnectionPool({
      server: options.server,
      ...(options.port ? { port: options.port } : {}),
      database: options.database,
      ...(options.user ? { user: options.user } : {}),
      ...(options.password ? { password: options.password } : {}),
      connectionTimeout: options.connectTimeoutMs ?? 15000,
      requestTimeout: options.requestTimeoutMs ?? 30000,
      pool: { max: 10, min: 0, idleTimeoutMillis: 30000 },
      options: { encrypt: options.encrypt, trustServerCertificate: options.trustServerCertificate },
    });
    // A pool fault must never become an uncaught exception that takes Node-RED down.
    pool.on('error', () => undefined);
    try {
      await pool.connect();
    } catch (error) {
      throw new SyncError({
        code: 'CONFIG',
        system: 'store',
        message: `cannot connect to the sync store on SQL Server ${options.server}/${options.database}: ${(error as Error).message}`,
        retryable: true,
        cause: error,
      });
    }
    const backend = new MssqlBackend(pool, options);
    try {
      await backend.run(createSchemaStatement(options.schema));
    } catch (error) {
      await pool.close().catch(() => undefined);
      throw new SyncError({
        code: 'CONFIG',
        system: 'store',
        message: `cannot create the schema ${options.schema} for the sync store: ${(error as Error).message}`,
        cause: error,
      });
    }
    return backend;
  }

  all<T>(text: string, params?: SqlParams): Promise<T[]> {
    return this.direct.all<T>(text, params);
  }

  run(text: string, params?: SqlParams): Promise<{ changes: number }> {
    return this.direct.run(text, params);
  }

  private async inTransaction<T>(work: (tx: SqlRunner) => Promise<T>, applock: boolean): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const transaction = new sql.Transaction(this.pool);
      await transaction.begin(sql.ISOLATION_LEVEL.SERIALIZABLE);
      const tx = runnerOn(() => new sql.Request(transaction));
      try {
        if (applock) {
          await tx.run(APPLOCK_STATEMENT, { resource: `crmerp-store:${this.location}` });
        }
        const result = await work(tx);
        await transaction.commit();
        return result;
      } catch (error) {
        await transaction.rollback().catch(() => undefined);
        if (sqlNumber(error) === DEADLOCK_VICTIM && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.inTransaction(work, false);
  }

  exclusiveTransaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.inTransaction(work, true);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
