/**
 * Finds a company's tables and their columns in sys.tables and sys.columns, once per driver, and the
 * companies a database holds. Nothing about the NAV or BC version is assumed.
 */
import { SyncError } from '../../lib/errors';
import type { SqlRunner } from '../sql/database';
import {
  BASE_APP_ID,
  columnsStatement,
  COMPANY_TABLE_EXISTS_STATEMENT,
  COMPANY_TABLES_STATEMENT,
  companiesStatement,
  CUSTOMER_TABLES_STATEMENT,
  matchTable,
  NAV_TABLES,
  navSqlName,
  prefixesFromCustomerTables,
  quotedTable,
  type NavCompanySchema,
  type NavTable,
  type NavTableKey,
  type TableStyle,
} from './names';

/** The companies of a database: the shared Company table's names, else the prefixes of customer tables. */
export async function listCompanies(db: SqlRunner, schema: string): Promise<string[]> {
  const hasCompanyTable =
    (await db.query(COMPANY_TABLE_EXISTS_STATEMENT, { schema }, 'looking for the Company table')).length > 0;
  if (hasCompanyTable) {
    const rows = await db.query<{ name: string }>(companiesStatement(schema), {}, 'listing the companies');
    return rows.map((row) => row.name);
  }
  const rows = await db.query<{ name: string }>(
    CUSTOMER_TABLES_STATEMENT,
    { schema, baseAppCustomer: `$Customer$${BASE_APP_ID}` },
    'listing the customer tables',
  );
  return prefixesFromCustomerTables(rows.map((row) => row.name));
}

export async function discoverCompany(
  db: SqlRunner,
  system: string,
  schema: string,
  company: string,
): Promise<NavCompanySchema> {
  const prefix = navSqlName(company);
  const names = (
    await db.query<{ name: string }>(
      COMPANY_TABLES_STATEMENT,
      { schema, prefix: `${prefix}$`, prefixLength: prefix.length + 1 },
      `looking up the tables of company "${company}"`,
    )
  ).map((row) => row.name);
  if (names.length === 0) {
    const companies = await listCompanies(db, schema).catch(() => []);
    throw new SyncError({
      code: 'CONFIG',
      system,
      message:
        `${system}: no tables of company "${company}" ("${prefix}$…") in schema ${schema}; ` +
        (companies.length > 0
          ? `the companies are: ${companies.join(', ')}`
          : 'the database holds no NAV / Business Central company'),
    });
  }
  const found: Partial<Record<NavTableKey, string>> = {};
  let style: TableStyle | undefined;
  for (const [key, table] of Object.entries(NAV_TABLES) as Array<[NavTableKey, string]>) {
    const match = matchTable(prefix, table, names);
    if (match.found) {
      found[key] = match.name;
      if (key === 'customer') style = match.style;
    } else if (match.candidates.length > 1) {
      throw new SyncError({
        code: 'CONFIG',
        system,
        message: `${system}: company "${company}" has several ${table} tables and none of the base application: ${match.candidates.join(', ')}`,
      });
    }
  }
  if (found.customer === undefined || style === undefined) {
    throw new SyncError({
      code: 'CONFIG',
      system,
      message: `${system}: company "${company}" has no Customer table ("${prefix}$Customer" or "${prefix}$Customer$<app id>") in schema ${schema}`,
    });
  }
  const tableNames = Object.values(found);
  const columnRows = await db.query<{ table: string; column: string }>(
    columnsStatement(tableNames.length),
    { schema, ...Object.fromEntries(tableNames.map((name, index) => [`t${index}`, name])) },
    `reading the columns of company "${company}"`,
  );
  const columns = new Map<string, Map<string, string>>(tableNames.map((name) => [name, new Map()]));
  for (const row of columnRows) columns.get(row.table)?.set(row.column.toLowerCase(), row.column);
  const tables: Partial<Record<NavTableKey, NavTable>> = {};
  for (const [key, name] of Object.entries(found) as Array<[NavTableKey, string]>) {
    tables[key] = { name, quoted: quotedTable(schema, name), columns: columns.get(name) ?? new Map() };
  }
  return { company, prefix, style, tables };
}
