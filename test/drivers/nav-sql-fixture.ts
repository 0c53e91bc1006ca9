/**
 * A NAV / Business Central database as its catalog describes it (sys.tables, sys.columns), for unit
 * tests of the nav-sql driver's discovery and statements. The columns are those of the AL tables the
 * driver reads, spelt as SQL Server stores them.
 */
import { BASE_APP_ID } from '../../nodes/drivers/nav-sql/names';
import type { ConnectionConfig } from '../../nodes/drivers/connection';

export const NAV_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  Customer: [
    'timestamp',
    'No_',
    'Name',
    'Address',
    'Address 2',
    'City',
    'Post Code',
    'County',
    'Country_Region Code',
    'VAT Registration No_',
    'E-Mail',
    'Phone No_',
    'Home Page',
    'Currency Code',
    'Payment Terms Code',
    'Credit Limit (LCY)',
    'Blocked',
    'Salesperson Code',
    'Last Modified Date Time',
  ],
  'Sales Header': [
    'timestamp',
    'Document Type',
    'No_',
    'Sell-to Customer No_',
    'Bill-to Customer No_',
    'Order Date',
    'Requested Delivery Date',
    'Currency Code',
    'External Document No_',
    'Status',
  ],
  'Sales Line': [
    'timestamp',
    'Document Type',
    'Document No_',
    'Line No_',
    'Type',
    'No_',
    'Description',
    'Quantity',
    'Unit of Measure Code',
    'Unit Price',
    'Line Discount _',
    'Line Discount Amount',
  ],
  'Sales Invoice Header': [
    'timestamp',
    'No_',
    'Sell-to Customer No_',
    'Bill-to Customer No_',
    'Order No_',
    'External Document No_',
    'Posting Date',
    'Due Date',
    'Currency Code',
    'Cust_ Ledger Entry No_',
  ],
  'Cust_ Ledger Entry': [
    'timestamp',
    'Entry No_',
    'Customer No_',
    'Document Type',
    'Document No_',
    'Due Date',
    'Open',
    'Currency Code',
  ],
  'Detailed Cust_ Ledg_ Entry': [
    'timestamp',
    'Entry No_',
    'Cust_ Ledger Entry No_',
    'Entry Type',
    'Posting Date',
    'Amount',
    'Amount (LCY)',
  ],
  Item: ['timestamp', 'No_', 'Description', 'Base Unit of Measure', 'Unit Price', 'Blocked'],
  'General Ledger Setup': ['timestamp', 'Primary Key', 'LCY Code'],
  'Cancelled Document': ['timestamp', 'Source ID', 'Cancelled Doc_ No_', 'Cancelled By Doc_ No_'],
};

/** The SQL names of a company's tables: `Company$Table` (NAV) or `Company$Table$<app id>` (BC15+). */
export function companyTables(prefix: string, style: 'nav' | 'bc'): Record<string, string> {
  return Object.fromEntries(
    Object.keys(NAV_COLUMNS).map((table) => [
      table,
      style === 'nav' ? `${prefix}$${table}` : `${prefix}$${table}$${BASE_APP_ID}`,
    ]),
  );
}

export function navConfig(
  overrides: Partial<ConnectionConfig> = {},
  options: Record<string, string> = {},
): ConnectionConfig {
  return {
    system: 'nav',
    driver: 'nav-sql',
    baseUrl: '',
    company: 'CRONUS International Ltd.',
    auth: { type: 'none' },
    tlsVerify: true,
    timeoutMs: 30_000,
    customFields: {},
    options,
    sql: {
      server: 'nav-sql.example',
      database: 'NAV',
      authentication: 'sql',
      user: 'crm',
      password: 'Canary-Secret-7f3a',
      encrypt: true,
      trustServerCertificate: false,
      poolMax: 10,
      connectTimeoutMs: 15_000,
    },
    ...overrides,
  };
}

/** A rowversion as the driver reads it. */
export function version(n: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(n));
  return bytes;
}

export const BLANK_DATE = new Date('1753-01-01T00:00:00.000Z');
