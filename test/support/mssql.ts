import type { StoreConfig } from '../../nodes/lib/store';

/**
 * The SQL Server to run integration tests against, from MSSQL_URL:
 * `mssql://user:password@host:port/database?encrypt=false&trustServerCertificate=true`.
 * Undefined when the variable is not set.
 */
export function mssqlTestConfig(): Extract<StoreConfig, { backend: 'mssql' }> | undefined {
  const text = process.env.MSSQL_URL;
  if (!text) return undefined;
  const url = new URL(text);
  const flag = (name: string, fallback: boolean) => {
    const value = url.searchParams.get(name);
    return value === null ? fallback : value === 'true';
  };
  return {
    backend: 'mssql',
    server: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    database: decodeURIComponent(url.pathname.slice(1)) || 'master',
    schema: 'crmerp',
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    encrypt: flag('encrypt', true),
    trustServerCertificate: flag('trustServerCertificate', false),
  };
}
