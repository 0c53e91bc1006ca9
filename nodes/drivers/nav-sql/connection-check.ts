/**
 * "Test connection" for NAV / Business Central on SQL Server: sign-in, the companies of the database,
 * the company's tables (and which naming they use), read access to them, and the staging tables.
 */
import { toSyncError, type SyncError } from '../../lib/errors';
import type { ConnectionCheck } from '../../lib/ports';
import { sqlDriverCode } from '../sql/errors';
import type { SqlSession } from '../sql/database';
import type { NavContext } from './context';
import { listCompanies } from './discovery';
import { NAV_TABLES, type NavCompanySchema, type NavTableKey } from './names';

/** Tables the ports cannot do without; the others have a fallback. */
const NEEDED: readonly NavTableKey[] = [
  'customer',
  'salesHeader',
  'salesLine',
  'salesInvoiceHeader',
  'custLedgerEntry',
  'detailedCustLedgEntry',
  'item',
];

export const SERVER_STATEMENT =
  "SELECT SERVERPROPERTY('ProductVersion') AS [version], DB_NAME() AS [database], SUSER_SNAME() AS [login]";

export function permissionsStatement(count: number, permission: 'SELECT' | 'INSERT' | 'UPDATE'): string {
  const columns = Array.from(
    { length: count },
    (_, i) => `HAS_PERMS_BY_NAME(@t${i}, N'OBJECT', N'${permission}') AS [p${i}]`,
  );
  return `SELECT ${columns.join(', ')}`;
}

/** Plain advice for the usual reasons a connection to SQL Server fails. */
export function signInAdvice(error: SyncError): string {
  const code = sqlDriverCode(error.cause) ?? '';
  if (error.code === 'AUTH') {
    return 'SQL Server refused the login: check user and password, that the server allows SQL Server authentication (mixed mode), or the domain for Windows authentication';
  }
  if (code === 'EINSTLOOKUP')
    return 'the named instance was not found: is the SQL Server Browser service running (UDP 1434)? Or give the port instead';
  if (code === 'ETIMEOUT') return 'no answer in time: check server name, port and firewall';
  if (code === 'ESOCKET') {
    return /certificate|self[- ]signed|TLS|SSL/i.test(error.message)
      ? 'the TLS handshake failed: for a server with a self-signed certificate turn off "Verify TLS" (trust the server certificate)'
      : 'the server cannot be reached: check server name, port (default 1433), that TCP/IP is enabled and the firewall';
  }
  if (error.code === 'CONFIG')
    return 'the database cannot be opened: check its name and that the login has access to it';
  return 'the connection failed';
}

async function attempt<T>(system: string, run: () => Promise<T>): Promise<{ value: T } | { error: SyncError }> {
  try {
    return { value: await run() };
  } catch (error) {
    return { error: toSyncError(error, system) };
  }
}

function tableList(schema: NavCompanySchema): string {
  return (Object.keys(NAV_TABLES) as NavTableKey[])
    .filter((key) => schema.tables[key])
    .map((key) => `${NAV_TABLES[key]} [${schema.tables[key]!.name}]`)
    .join(', ');
}

export async function readableTables(
  db: SqlSession,
  names: readonly string[],
  permission: 'SELECT' | 'INSERT' | 'UPDATE',
) {
  const [row] = await db.query<Record<string, number | null>>(
    permissionsStatement(names.length, permission),
    Object.fromEntries(names.map((name, i) => [`t${i}`, name])),
    'checking permissions',
  );
  return names.filter((_, i) => row?.[`p${i}`] !== 1);
}

export async function checkNavConnection(ctx: NavContext): Promise<ConnectionCheck[]> {
  const { db, system, settings } = ctx;
  const checks: ConnectionCheck[] = [];
  const add = (name: string, ok: boolean, message: string) => checks.push({ name, ok, message });
  const skip = (names: string[], why: string) => {
    for (const name of names) add(name, false, `Not checked: ${why}`);
    return checks;
  };

  const server = await attempt(system, () =>
    db.query<{ version: string; database: string; login: string }>(SERVER_STATEMENT),
  );
  if ('error' in server) {
    add('sign-in', false, `Cannot connect to ${db.location}: ${signInAdvice(server.error)} (${server.error.message})`);
    return skip(['companies', 'company', 'tables', 'read access', 'staging'], 'no connection');
  }
  const info = server.value[0];
  add(
    'sign-in',
    true,
    `Connected to SQL Server ${info?.version ?? '?'}, database ${info?.database ?? '?'}, as ${info?.login ?? '?'}`,
  );

  const companies = await attempt(system, () => listCompanies(db, settings.tableSchema));
  if ('error' in companies) add('companies', false, `Cannot list the companies: ${companies.error.message}`);
  else if (companies.value.length === 0)
    add('companies', false, `No NAV / Business Central company in schema ${settings.tableSchema}`);
  else add('companies', true, `Companies: ${companies.value.join(', ')}`);

  const schema = await attempt(system, () => ctx.schema());
  if ('error' in schema) {
    add('company', false, schema.error.message);
    return skip(['tables', 'read access', 'staging'], 'the company was not found');
  }
  const found = schema.value;
  add(
    'company',
    true,
    `Company "${found.company}": ${found.style === 'bc' ? 'Business Central 15 or later (table names with the app id)' : 'NAV / Business Central up to 14 (Company$Table)'}`,
  );
  const missing = NEEDED.filter((key) => !found.tables[key]).map((key) => NAV_TABLES[key]);
  add(
    'tables',
    missing.length === 0,
    missing.length === 0
      ? `Found ${tableList(found)}`
      : `Missing: ${missing.join(', ')}. Found ${tableList(found) || 'nothing'}`,
  );

  const names = Object.values(found.tables).map((table) => table!.quoted);
  const unreadable = await attempt(system, () => readableTables(db, names, 'SELECT'));
  if ('error' in unreadable) add('read access', false, unreadable.error.message);
  else if (unreadable.value.length > 0)
    add(
      'read access',
      false,
      `No SELECT permission on ${unreadable.value.join(', ')}: grant SELECT (or db_datareader) to the login`,
    );
  else add('read access', true, `Can read all ${names.length} tables`);

  const staging = await attempt(system, () => ctx.staging.missingTables());
  if ('error' in staging) add('staging', false, staging.error.message);
  else if (staging.value.length > 0)
    add(
      'staging',
      false,
      `Staging tables missing in schema ${settings.stagingSchema}: ${staging.value.join(', ')}. Create them with "Create staging tables", or give the script ("Show DDL script") to a DBA; reads work without them`,
    );
  else {
    const { customers, orders, lines } = ctx.staging.tables;
    const stagingNames = [customers, orders, lines];
    const unwritable = await attempt(system, () => readableTables(db, stagingNames, 'INSERT'));
    if ('error' in unwritable) add('staging', false, unwritable.error.message);
    else if (unwritable.value.length > 0)
      add('staging', false, `No INSERT permission on ${unwritable.value.join(', ')}`);
    else add('staging', true, `Staging tables ready in schema ${settings.stagingSchema}`);
  }
  return checks;
}
