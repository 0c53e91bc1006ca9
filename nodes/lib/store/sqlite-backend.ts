import Database from 'better-sqlite3';
import { SyncError } from '../errors';
import type { SqlBackend, SqlDialect, SqlParams, SqlRunner } from './sql-backend';

export interface SqliteOptions {
  file: string;
  /** FULL survives power loss; NORMAL survives a crashed process only, and is faster. */
  synchronous: 'full' | 'normal';
  /** How long to wait for another process holding the file before failing, in ms. */
  busyTimeoutMs?: number;
}

const dialect: SqlDialect = {
  name: 'sqlite',
  table: (name) => `"${name}"`,
  selectLimited: (columns, rest, limitParam) => `SELECT ${columns} ${rest} LIMIT ${limitParam}`,
  tableExists: (name) =>
    `SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = '${name.replace(/'/g, "''")}'`,
  types: { text: () => 'TEXT', timestamp: 'TEXT', integer: 'INTEGER' },
};

/** Serialises transactions: one connection carries one transaction at a time. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async run<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }
}

/** SQLite has no timestamp type: timestamps are stored as ISO 8601 text, which sorts in time order. */
function bindable(params: SqlParams): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const [name, value] of Object.entries(params)) out[name] = value instanceof Date ? value.toISOString() : value;
  return out;
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/**
 * The embedded store: one SQLite file in WAL mode, locked exclusively by the process that opens it,
 * so a second Node-RED pointed at the same file is told so instead of corrupting the sync.
 */
export class SqliteBackend implements SqlBackend {
  readonly dialect = dialect;
  readonly location: string;
  private readonly db: Database.Database;
  private readonly mutex = new Mutex();
  private closed = false;

  constructor(options: SqliteOptions) {
    this.location = options.file;
    try {
      this.db = new Database(options.file, { timeout: options.busyTimeoutMs ?? 2000 });
    } catch (error) {
      throw new SyncError({
        code: 'CONFIG',
        system: 'store',
        message: `cannot open the sync store file ${options.file}: ${(error as Error).message}`,
        cause: error,
      });
    }
    try {
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      // Take the lock now, not at the first write, so a second writer is found at start.
      this.db.exec('BEGIN IMMEDIATE; COMMIT;');
    } catch (error) {
      this.db.close();
      if (isBusy(error)) {
        throw new SyncError({
          code: 'CONFIG',
          system: 'store',
          message:
            `the sync store file ${options.file} is in use by another process (a second Node-RED instance?). ` +
            'The SQLite store serves one instance only; give each instance its own file, or share a store on SQL Server.',
          cause: error,
        });
      }
      throw error;
    }
  }

  private readonly runner: SqlRunner = {
    all: async <T>(sql: string, params: SqlParams = {}) => this.db.prepare(sql).all(bindable(params)) as T[],
    run: async (sql: string, params: SqlParams = {}) => ({
      changes: this.db.prepare(sql).run(bindable(params)).changes,
    }),
  };

  all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.mutex.run(() => this.runner.all<T>(sql, params));
  }

  run(sql: string, params?: SqlParams): Promise<{ changes: number }> {
    return this.mutex.run(() => this.runner.run(sql, params));
  }

  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(this.runner);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  /** The exclusive file lock already keeps other processes out. */
  exclusiveTransaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.transaction(work);
  }

  async close(): Promise<void> {
    await this.mutex.run(async () => {
      if (this.closed) return;
      this.closed = true;
      this.db.close();
    });
  }
}
