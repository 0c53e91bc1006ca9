/**
 * The database the SQL Server suite runs in: created fresh on the server MSSQL_URL names, filled by
 * sandbox/sql/nav-demo.sql, and dropped afterwards (kept when KEEP_DATABASE=1, to look at it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionConfig } from '../../../nodes/drivers/connection';
import { SqlDatabase, type SqlServerOptions } from '../../../nodes/drivers/sql/database';
import { quoteIdentifier, quoteLiteral } from '../../../nodes/drivers/sql/identifiers';
import { mssqlTestConfig } from '../../support/mssql';

export const SKIP_MESSAGE =
  'MSSQL_URL is not set, so the SQL Server suite is skipped. Start a server with ' +
  '"docker compose -f sandbox/sql/docker-compose.yml up -d --wait" and run ' +
  '"MSSQL_URL=\'mssql://sa:CrmErp-Test-2026!@127.0.0.1:1433/master?trustServerCertificate=true\' npm run test:sqlserver"' +
  ', or point MSSQL_URL at a server of your own (the login needs CREATE DATABASE).';

export interface DemoDatabase {
  name: string;
  /** Settings of the SQL layer for the demo database. */
  options(overrides?: Partial<SqlServerOptions>): SqlServerOptions;
  /** A nav-sql connection to the demo database. */
  connection(overrides?: Partial<ConnectionConfig>, options?: Record<string, string>): ConnectionConfig;
  /** A pool on the demo database for the tests' own statements. */
  db: SqlDatabase;
  drop(): Promise<void>;
}

/** The server settings from MSSQL_URL, or undefined when it is not set. */
export function serverFromEnvironment() {
  return mssqlTestConfig();
}

/** The script's batches, as sqlcmd splits them at GO (read from the repository; this file runs from dist/test/sql/integration). */
export function scriptBatches(
  file = join(__dirname, '..', '..', '..', '..', 'sandbox', 'sql', 'nav-demo.sql'),
): string[] {
  return readFileSync(file, 'utf8')
    .split(/^GO\s*$/m)
    .map((batch) => batch.trim())
    .filter((batch) => batch.replace(/--.*$/gm, '').trim() !== '');
}

export async function createDemoDatabase(): Promise<DemoDatabase> {
  const server = mssqlTestConfig();
  if (!server) throw new Error(SKIP_MESSAGE);
  const name = `crmerp_nav_it_${process.pid}_${Date.now().toString(36)}`;
  const base: SqlServerOptions = {
    system: 'nav',
    server: server.server,
    ...(server.port !== undefined ? { port: server.port } : {}),
    database: server.database,
    authentication: { type: 'sql', user: server.user ?? '', password: server.password ?? '' },
    encrypt: server.encrypt,
    trustServerCertificate: server.trustServerCertificate,
    connectTimeoutMs: 30_000,
    requestTimeoutMs: 120_000,
  };
  const admin = new SqlDatabase(base);
  await admin.execute(`CREATE DATABASE ${quoteIdentifier(name)}`);
  // Readers see the last committed version instead of waiting for writers, as many NAV and BC installations run.
  await admin.execute(`ALTER DATABASE ${quoteIdentifier(name)} SET READ_COMMITTED_SNAPSHOT ON`);
  const options = (overrides: Partial<SqlServerOptions> = {}): SqlServerOptions => ({
    ...base,
    database: name,
    ...overrides,
  });
  const db = new SqlDatabase(options());
  for (const batch of scriptBatches()) await db.execute(batch, {}, 'running nav-demo.sql');
  return {
    name,
    options,
    db,
    connection: (overrides = {}, driverOptions = {}) => ({
      system: 'nav',
      driver: 'nav-sql',
      baseUrl: '',
      company: 'CRONUS International Ltd.',
      auth: { type: 'none' },
      tlsVerify: !server.trustServerCertificate,
      timeoutMs: 120_000,
      customFields: {},
      options: driverOptions,
      sql: {
        server: server.server,
        ...(server.port !== undefined ? { port: server.port } : {}),
        database: name,
        authentication: 'sql',
        user: server.user ?? '',
        password: server.password ?? '',
        encrypt: server.encrypt,
        trustServerCertificate: server.trustServerCertificate,
        poolMax: 5,
        connectTimeoutMs: 30_000,
      },
      ...overrides,
    }),
    drop: async () => {
      await db.close();
      if (process.env.KEEP_DATABASE !== '1') {
        await admin.execute(
          `IF DB_ID(${quoteLiteral(name)}) IS NOT NULL BEGIN ALTER DATABASE ${quoteIdentifier(name)} SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE ${quoteIdentifier(name)}; END`,
        );
      }
      await admin.close();
    },
  };
}
