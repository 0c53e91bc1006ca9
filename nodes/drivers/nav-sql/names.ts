/**
 * How Dynamics NAV and Business Central name their SQL objects, and how a company's tables are found.
 * Company, table and field names have `. " \ / ' % [ ]` replaced by `_`; a per-company table is
 * `[<Company>$<Table>]` up to BC14, and `[<Company>$<Table>$<app id>]` from BC15 on, where the base
 * application's tables carry its app id and table extensions add companion tables with theirs. The
 * driver never assumes which: it looks the tables up in sys.tables.
 */
import { SyncError } from '../../lib/errors';
import { quoteIdentifier } from '../sql/identifiers';

/** The app id of Microsoft's Base Application (BC15 and later). */
export const BASE_APP_ID = '437dbf0e-84ff-417a-965d-ed2bb9650972';

const APP_SUFFIX = /^\$([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** A NAV / BC name as SQL Server spells it: `Cust. Ledger Entry` → `Cust_ Ledger Entry`, `No.` → `No_`. */
export function navSqlName(name: string): string {
  return name.replace(/[."\\/'%[\]]/g, '_');
}

/** The tables the driver reads, by their names in NAV / BC (before sanitising). */
export const NAV_TABLES = {
  customer: 'Customer',
  salesHeader: 'Sales Header',
  salesLine: 'Sales Line',
  salesInvoiceHeader: 'Sales Invoice Header',
  custLedgerEntry: 'Cust. Ledger Entry',
  detailedCustLedgEntry: 'Detailed Cust. Ledg. Entry',
  item: 'Item',
  generalLedgerSetup: 'General Ledger Setup',
  cancelledDocument: 'Cancelled Document',
} as const;

export type NavTableKey = keyof typeof NAV_TABLES;

/** Tables without which a part of the driver cannot work, and which part. */
export const TABLE_USE: Readonly<Record<NavTableKey, string>> = {
  customer: 'customers',
  salesHeader: 'sales orders',
  salesLine: 'sales order lines',
  salesInvoiceHeader: 'invoices',
  custLedgerEntry: 'invoices (remaining amount, due date)',
  detailedCustLedgEntry: 'invoices (remaining amount)',
  item: 'items',
  generalLedgerSetup: 'the local currency code',
  cancelledDocument: 'cancelled invoices (optional, NAV 2017 and later)',
};

/** How a company's tables are named: NAV up to BC14, or BC15+ with the app id. */
export type TableStyle = 'nav' | 'bc';

export interface NavTable {
  /** The SQL table name, e.g. `CRONUS$Customer$437dbf0e-…`. */
  name: string;
  /** `[schema].[name]`. */
  quoted: string;
  /** Its columns: lower-case name → the name as SQL Server spells it (a case-sensitive collation needs the exact spelling). */
  columns: ReadonlyMap<string, string>;
}

/** The column as the table spells it, or undefined when the table has no such column. */
export function columnOf(table: NavTable | undefined, name: string): string | undefined {
  return table?.columns.get(name.toLowerCase());
}

export interface NavCompanySchema {
  company: string;
  /** The sanitised company name that starts each table name, without the `$`. */
  prefix: string;
  style: TableStyle;
  /** The tables found; a missing optional one is absent. */
  tables: Partial<Record<NavTableKey, NavTable>>;
}

/** What the discovery found for one logical table among a company's table names. */
export type TableMatch = { found: true; name: string; style: TableStyle } | { found: false; candidates: string[] };

/**
 * Picks a company's table among its table names: `prefix$Table` (NAV), else `prefix$Table$<base app>`,
 * else the only `prefix$Table$<app id>` there is (a base app under another id). More than one
 * candidate without the base app's id is ambiguous: those are companion tables of extensions.
 */
export function matchTable(prefix: string, table: string, names: readonly string[]): TableMatch {
  const plain = `${prefix}$${navSqlName(table)}`.toLowerCase();
  const exact = names.find((name) => name.toLowerCase() === plain);
  if (exact !== undefined) return { found: true, name: exact, style: 'nav' };
  const withApp = names.filter((name) => {
    const lower = name.toLowerCase();
    return lower.startsWith(plain) && APP_SUFFIX.test(name.slice(plain.length));
  });
  const base = withApp.find((name) => name.toLowerCase().endsWith(`$${BASE_APP_ID}`));
  if (base !== undefined) return { found: true, name: base, style: 'bc' };
  if (withApp.length === 1) return { found: true, name: withApp[0]!, style: 'bc' };
  return { found: false, candidates: withApp };
}

/** `[schema].[table]` for a found table. */
export function quotedTable(schema: string, name: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`;
}

/** The statement listing a company's tables: every table whose name starts with `prefix$`. */
export const COMPANY_TABLES_STATEMENT =
  'SELECT t.name AS [name] FROM sys.tables AS t WHERE t.schema_id = SCHEMA_ID(@schema) AND LEFT(t.name, @prefixLength) = @prefix';

/** The statement listing the columns of the tables found. */
export function columnsStatement(tableCount: number): string {
  const names = Array.from({ length: tableCount }, (_, i) => `@t${i}`).join(', ');
  return (
    'SELECT t.name AS [table], c.name AS [column] FROM sys.columns AS c JOIN sys.tables AS t ON t.object_id = c.object_id ' +
    `WHERE t.schema_id = SCHEMA_ID(@schema) AND t.name IN (${names})`
  );
}

/** Whether the shared `Company` table (one row per company) exists. */
export const COMPANY_TABLE_EXISTS_STATEMENT =
  "SELECT t.name AS [name] FROM sys.tables AS t WHERE t.schema_id = SCHEMA_ID(@schema) AND t.name = N'Company'";

export function companiesStatement(schema: string): string {
  return `SELECT [Name] AS [name] FROM ${quotedTable(schema, 'Company')} ORDER BY [Name]`;
}

/** Customer tables of any company, for a database without a readable Company table. */
export const CUSTOMER_TABLES_STATEMENT =
  "SELECT t.name AS [name] FROM sys.tables AS t WHERE t.schema_id = SCHEMA_ID(@schema) AND (RIGHT(t.name, 9) = N'$Customer' OR RIGHT(t.name, 46) = @baseAppCustomer)";

/** The company prefixes behind customer table names (`CRONUS$Customer…` → `CRONUS`). */
export function prefixesFromCustomerTables(names: readonly string[]): string[] {
  const prefixes = names.map((name) => name.slice(0, name.toLowerCase().lastIndexOf('$customer')));
  return [...new Set(prefixes.filter((prefix) => prefix !== ''))].sort();
}

/** A required column is missing from a table found: CONFIG naming both. */
export function missingColumns(system: string, table: NavTable, columns: readonly string[]): SyncError | undefined {
  const missing = columns.filter((column) => columnOf(table, column) === undefined);
  if (missing.length === 0) return undefined;
  return new SyncError({
    code: 'CONFIG',
    system,
    message: `${system}: table [${table.name}] has no column ${missing.map((m) => `[${m}]`).join(', ')}; is it a NAV / Business Central table?`,
  });
}
