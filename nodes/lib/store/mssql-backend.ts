import { SyncError } from '../errors';
import {
  SqlDatabase,
  describeLocation,
  type SqlRunner as LayerRunner,
  type SqlServerOptions,
} from '../../drivers/sql/database';
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

/** The settings of the shared SQL layer for a store. */
export function storeDatabaseOptions(options: MssqlStoreOptions): SqlServerOptions {
  return {
    system: 'store',
    server: options.server,
    ...(options.port !== undefined ? { port: options.port } : {}),
    database: options.database,
    ...(options.user ? { authentication: { type: 'sql', user: options.user, password: options.password ?? '' } } : {}),
    encrypt: options.encrypt,
    trustServerCertificate: options.trustServerCertificate,
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  };
}

/** The store on SQL Server, shared by several Node-RED instances, through the package's one SQL layer. */
export class MssqlBackend implements SqlBackend {
  readonly dialect: SqlDialect;
  readonly location: string;

  private constructor(
    private readonly db: SqlDatabase,
    options: MssqlStoreOptions,
  ) {
    this.dialect = mssqlDialect(options.schema);
    this.location = `${describeLocation(options)} (schema ${options.schema})`;
  }

  static async connect(options: MssqlStoreOptions): Promise<MssqlBackend> {
    checkIdentifier(options.schema, 'schema', 'store');
    checkIdentifier(options.database, 'database', 'store');
    const db = new SqlDatabase(storeDatabaseOptions(options));
    try {
      await db.connect();
    } catch (error) {
      throw new SyncError({
        code: 'CONFIG',
        system: 'store',
        message: `cannot connect to the sync store on SQL Server ${options.server}/${options.database}: ${reason(error)}`,
        retryable: true,
        cause: error,
      });
    }
    const backend = new MssqlBackend(db, options);
    try {
      await db.execute(createSchemaStatement(options.schema));
    } catch (error) {
      await db.close();
      throw new SyncError({
        code: 'CONFIG',
        system: 'store',
        message: `cannot create the schema ${options.schema} for the sync store: ${reason(error)}`,
        cause: error,
      });
    }
    return backend;
  }

  all<T>(text: string, params?: SqlParams): Promise<T[]> {
    return this.db.query<T>(text, params);
  }

  async run(text: string, params?: SqlParams): Promise<{ changes: number }> {
    return { changes: (await this.db.execute(text, params)).rowsAffected };
  }

  private inTransaction<T>(work: (tx: SqlRunner) => Promise<T>, applock: boolean): Promise<T> {
    return this.db.transaction(
      async (tx) => {
        const runner = storeRunnerOn(tx);
        if (applock) await runner.run(APPLOCK_STATEMENT, { resource: `crmerp-store:${this.location}` });
        return work(runner);
      },
      { isolation: 'serializable' },
    );
  }

  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.inTransaction(work, false);
  }

  exclusiveTransaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.inTransaction(work, true);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** The store's statements (all / run) on a runner of the SQL layer (query / execute). */
function storeRunnerOn(runner: LayerRunner): SqlRunner {
  return {
    all: <T>(text: string, params?: SqlParams) => runner.query<T>(text, params),
    run: async (text: string, params?: SqlParams) => ({ changes: (await runner.execute(text, params)).rowsAffected }),
  };
}

/** The server's reason without the "store: …" prefix the SQL layer's message starts with. */
function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^store: (?:connecting to SQL Server \S+ failed: )?/, '');
}
