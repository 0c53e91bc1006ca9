/**
 * The one way this package talks to SQL Server: a pool per database (one per connection node or sync
 * store, shared by everything that uses it), opened on first use, that never lets a fault escape as
 * an uncaught exception. Every call answers with rows or with a SyncError; transactions and reads are
 * run again after deadlocks and transient faults; large reads are streamed.
 */
import sql from 'mssql';
import { SyncError } from '../../lib/errors';
import { isConnectionFault, isRolledBackTransient, sqlError } from './errors';
import { DEFAULT_SQL_RETRY, retrying, type SqlRetryPolicy } from './retry';
import { bindParameters, type SqlParams } from './values';

export type SqlAuthentication =
  { type: 'sql'; user: string; password: string } | { type: 'ntlm'; domain: string; user: string; password: string };

export type SqlLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export interface SqlServerOptions {
  /** Names the system in errors and log lines: a connection's system name, or `store`. */
  system: string;
  server: string;
  /** TCP port; leave out for the default 1433 or when an instance name is given. */
  port?: number;
  /** A named instance, found through the SQL Server Browser service (UDP 1434). */
  instanceName?: string;
  database: string;
  /** SQL login or Windows (NTLM); absent for a server that needs neither (rare). */
  authentication?: SqlAuthentication;
  encrypt: boolean;
  trustServerCertificate: boolean;
  /** Connections the pool may open at once (default 10). */
  poolMax?: number;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Shown in SQL Server's session list (`program_name`). */
  appName?: string;
  log?: SqlLog;
  retry?: Partial<SqlRetryPolicy>;
}

export type IsolationLevel = 'readCommitted' | 'repeatableRead' | 'serializable' | 'snapshot';

const ISOLATION: Record<IsolationLevel, number> = {
  readCommitted: sql.ISOLATION_LEVEL.READ_COMMITTED,
  repeatableRead: sql.ISOLATION_LEVEL.REPEATABLE_READ,
  serializable: sql.ISOLATION_LEVEL.SERIALIZABLE,
  snapshot: sql.ISOLATION_LEVEL.SNAPSHOT,
};

/** Runs statements; what the pool and a transaction have in common. */
export interface SqlRunner {
  /** Rows of the (last) result set. `doing` names the step for error messages ("reading customer 10000"). */
  query<T = Record<string, unknown>>(text: string, params?: SqlParams, doing?: string): Promise<T[]>;
  /** A statement without rows to read; answers the rows it changed. */
  execute(text: string, params?: SqlParams, doing?: string): Promise<{ rowsAffected: number }>;
}

export interface TransactionOptions {
  isolation?: IsolationLevel;
  /**
   * Running the work twice has the effect of running it once (an idempotency key, a MERGE): then even a
   * connection lost while committing is retried. Otherwise only faults that certainly rolled the work
   * back (a deadlock, a connection lost before the commit was sent) are.
   */
  idempotent?: boolean;
  doing?: string;
}

/** A database as drivers use it: statements, streamed reads and transactions on one pool. */
export interface SqlSession extends SqlRunner {
  readonly location: string;
  stream<T = Record<string, unknown>>(text: string, params?: SqlParams, doing?: string): AsyncGenerator<T>;
  transaction<T>(work: (tx: SqlRunner) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

/** What a reader of a streamed query may hold at most before the server is asked to pause. */
const STREAM_HIGH_WATER = 500;

/** The underlying error of a SyncError made from a driver error, for classifying it. */
function rootCause(error: unknown): unknown {
  return error instanceof SyncError && error.cause !== undefined ? error.cause : error;
}

function retryableFault(error: unknown): boolean {
  const cause = rootCause(error);
  return isRolledBackTransient(cause) || isConnectionFault(cause);
}

export function poolConfig(options: SqlServerOptions): sql.config {
  const auth = options.authentication;
  return {
    server: options.server,
    database: options.database,
    ...(options.port !== undefined && options.instanceName === undefined ? { port: options.port } : {}),
    ...(auth?.type === 'sql' ? { user: auth.user, password: auth.password } : {}),
    ...(auth?.type === 'ntlm'
      ? {
          authentication: {
            type: 'ntlm',
            options: { domain: auth.domain, userName: auth.user, password: auth.password },
          },
        }
      : {}),
    connectionTimeout: options.connectTimeoutMs ?? 15_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    pool: { max: options.poolMax ?? 10, min: 0, idleTimeoutMillis: 30_000 },
    options: {
      encrypt: options.encrypt,
      trustServerCertificate: options.trustServerCertificate,
      appName: options.appName ?? 'node-red-crm-erp',
      useUTC: true,
      ...(options.instanceName !== undefined ? { instanceName: options.instanceName } : {}),
    },
  };
}

/** `server\instance/database` or `server:port/database`, for messages; never credentials. */
export function describeLocation(options: Pick<SqlServerOptions, 'server' | 'port' | 'instanceName' | 'database'>) {
  const where = options.instanceName
    ? `${options.server}\\${options.instanceName}`
    : `${options.server}${options.port ? `:${options.port}` : ''}`;
  return `${where}/${options.database}`;
}

export class SqlDatabase implements SqlSession {
  readonly system: string;
  readonly location: string;
  private ready: Promise<sql.ConnectionPool> | undefined;
  private closed = false;
  private readonly retryPolicy: SqlRetryPolicy;
  private readonly log: SqlLog;

  constructor(private readonly options: SqlServerOptions) {
    this.system = options.system;
    this.location = describeLocation(options);
    this.retryPolicy = { ...DEFAULT_SQL_RETRY, ...options.retry };
    this.log = options.log ?? (() => undefined);
  }

  /**
   * The pool, connected. A failed connect is not cached: the next call tries again, so a server that
   * was down at deploy is found once it is back, without a redeploy.
   */
  connect(): Promise<sql.ConnectionPool> {
    if (this.closed) {
      return Promise.reject(
        new SyncError({ code: 'CONFIG', system: this.system, message: `${this.system}: the connection is closed` }),
      );
    }
    if (this.ready) return this.ready;
    const pool = new sql.ConnectionPool(poolConfig(this.options));
    // mssql reports faults of pooled connections as 'error' events; without a listener Node.js would
    // throw them and take Node-RED down. They also reach the request that hit them, so a log line is enough.
    pool.on('error', (error: unknown) => {
      this.log('warn', `${this.system}: SQL Server connection fault at ${this.location}: ${(error as Error).message}`);
    });
    const ready = pool.connect().then(
      () => pool,
      async (error: unknown) => {
        if (this.ready === ready) this.ready = undefined;
        await pool.close().catch(() => undefined);
        throw sqlError(error, this.system, `connecting to SQL Server ${this.location}`);
      },
    );
    this.ready = ready;
    return ready;
  }

  query<T = Record<string, unknown>>(text: string, params: SqlParams = {}, doing?: string): Promise<T[]> {
    return this.withPool(
      true,
      async (pool) => {
        const request = pool.request();
        bindParameters(request, params);
        return (await request.query(text)).recordset as unknown as T[];
      },
      doing,
    );
  }

  /** Not retried after a connection fault: a write may have gone through. Use a transaction for that. */
  execute(text: string, params: SqlParams = {}, doing?: string): Promise<{ rowsAffected: number }> {
    return this.withPool(
      false,
      async (pool) => {
        const request = pool.request();
        bindParameters(request, params);
        const result = await request.query(text);
        return { rowsAffected: result.rowsAffected.reduce((sum, n) => sum + n, 0) };
      },
      doing,
    );
  }

  /**
   * The rows of a query one at a time, with the server paused while the reader is behind: memory stays
   * flat however many rows there are. A fault before the first row is retried like a query; a fault
   * later ends the iteration with a SyncError. Leaving the loop early cancels the rest of the query.
   */
  async *stream<T = Record<string, unknown>>(text: string, params: SqlParams = {}, doing?: string): AsyncGenerator<T> {
    let delivered = 0;
    const open = () =>
      this.withPool(
        true,
        async (pool) => {
          const request = pool.request();
          bindParameters(request, params);
          const rows = request.toReadableStream({ highWaterMark: STREAM_HIGH_WATER });
          const started = new Promise<void>((resolve, reject) => {
            rows.once('readable', () => resolve());
            rows.once('end', () => resolve());
            rows.once('error', reject);
          });
          // Its outcome reaches the stream; the promise itself must not be left unhandled.
          request.query(text).catch(() => undefined);
          await started;
          return { request, rows };
        },
        doing,
      );
    const { request, rows } = await open();
    try {
      for await (const row of rows) {
        delivered++;
        yield row as T;
      }
    } catch (error) {
      throw sqlError(error, this.system, doing ? `${doing} (after ${delivered} rows)` : undefined);
    } finally {
      if (!rows.readableEnded) {
        request.cancel();
        rows.destroy();
      }
    }
  }

  /**
   * Runs `work` in one transaction: committed when it returns, rolled back when it throws. Deadlocks and
   * other faults that rolled the work back run it again from the start (see TransactionOptions).
   */
  async transaction<T>(work: (tx: SqlRunner) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const isolation = ISOLATION[options.isolation ?? 'readCommitted'];
    const pool = await this.connect();
    let committing = false;
    const attempt = async (): Promise<T> => {
      committing = false;
      const transaction = new sql.Transaction(pool);
      try {
        await transaction.begin(isolation);
      } catch (error) {
        throw sqlError(error, this.system, options.doing);
      }
      const tx = this.runnerOn(() => new sql.Request(transaction));
      try {
        const result = await work(tx);
        committing = true;
        await transaction.commit();
        return result;
      } catch (error) {
        await transaction.rollback().catch(() => undefined);
        throw sqlError(error, this.system, error instanceof SyncError ? undefined : options.doing);
      }
    };
    return retrying(
      attempt,
      (error) => {
        const cause = rootCause(error);
        if (isRolledBackTransient(cause)) return true;
        return isConnectionFault(cause) && (!committing || options.idempotent === true);
      },
      this.retryPolicy,
      (error, n) =>
        this.log(
          'warn',
          `${this.system}: retrying ${options.doing ?? 'a transaction'} (attempt ${n + 1}): ${(error as Error).message}`,
        ),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    const ready = this.ready;
    this.ready = undefined;
    const pool = await ready?.catch(() => undefined);
    await pool?.close().catch((error: unknown) => {
      this.log('warn', `${this.system}: closing the SQL Server pool: ${(error as Error).message}`);
    });
  }

  private runnerOn(request: () => sql.Request): SqlRunner {
    const system = this.system;
    return {
      async query<T>(text: string, params: SqlParams = {}, doing?: string): Promise<T[]> {
        try {
          const r = request();
          bindParameters(r, params);
          return (await r.query(text)).recordset as unknown as T[];
        } catch (error) {
          throw sqlError(error, system, doing);
        }
      },
      async execute(text: string, params: SqlParams = {}, doing?: string) {
        try {
          const r = request();
          bindParameters(r, params);
          const result = await r.query(text);
          return { rowsAffected: result.rowsAffected.reduce((sum, n) => sum + n, 0) };
        } catch (error) {
          throw sqlError(error, system, doing);
        }
      },
    };
  }

  /** Runs one request on the pool, mapping every failure; `retry` allows another attempt after a transient fault. */
  private withPool<T>(retry: boolean, run: (pool: sql.ConnectionPool) => Promise<T>, doing?: string): Promise<T> {
    return retrying(
      async () => {
        const pool = await this.connect();
        try {
          return await run(pool);
        } catch (error) {
          throw sqlError(error, this.system, doing);
        }
      },
      (error) => retry && this.ready !== undefined && retryableFault(error),
      this.retryPolicy,
      (error, n) =>
        this.log(
          'warn',
          `${this.system}: retrying ${doing ?? 'a query'} (attempt ${n + 1}): ${(error as Error).message}`,
        ),
    );
  }
}
