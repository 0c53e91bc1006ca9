/**
 * The read statements on a NAV / Business Central company's tables. Pure functions of the discovered
 * schema: names are the tables and columns found in sys.tables and sys.columns, quoted; values are
 * always parameters. Optional columns a version lacks are left out of the select list; a missing
 * column a statement cannot do without is a CONFIG error naming the table and the column.
 */
import { SyncError } from '../../lib/errors';
import type { NaturalKey } from '../../lib/ports';
import { quoteIdentifier } from '../sql/identifiers';
import {
  columnOf,
  navSqlName,
  NAV_TABLES,
  TABLE_USE,
  type NavCompanySchema,
  type NavTable,
  type NavTableKey,
} from './names';

/** A field of a NAV table by its AL name, read under `alias`. */
export interface FieldSpec {
  alias: string;
  field: string;
  required?: boolean;
}

/** NAV option values. */
export const DOCUMENT_TYPE_ORDER = 1;
export const LEDGER_DOCUMENT_TYPE_INVOICE = 2;
export const DETAILED_ENTRY_TYPE_INITIAL = 1;
/** `Cancelled Document`.`Source ID` of a posted sales invoice (table 112). */
export const SALES_INVOICE_HEADER_TABLE_ID = 112;

export const CUSTOMER_FIELDS: readonly FieldSpec[] = [
  { alias: 'number', field: 'No.', required: true },
  { alias: 'name', field: 'Name', required: true },
  { alias: 'line1', field: 'Address' },
  { alias: 'line2', field: 'Address 2' },
  { alias: 'city', field: 'City' },
  { alias: 'postCode', field: 'Post Code' },
  { alias: 'county', field: 'County' },
  { alias: 'country', field: 'Country/Region Code' },
  { alias: 'taxId', field: 'VAT Registration No.' },
  { alias: 'email', field: 'E-Mail' },
  { alias: 'phone', field: 'Phone No.' },
  { alias: 'website', field: 'Home Page' },
  { alias: 'currency', field: 'Currency Code' },
  { alias: 'paymentTerms', field: 'Payment Terms Code' },
  { alias: 'creditLimit', field: 'Credit Limit (LCY)' },
  { alias: 'blocked', field: 'Blocked' },
  { alias: 'lastModified', field: 'Last Modified Date Time' },
  { alias: 'version', field: 'timestamp', required: true },
];

const SALES_HEADER_FIELDS: readonly FieldSpec[] = [
  { alias: 'number', field: 'No.', required: true },
  { alias: 'customerNumber', field: 'Sell-to Customer No.', required: true },
  { alias: 'orderDate', field: 'Order Date', required: true },
  { alias: 'requestedDeliveryDate', field: 'Requested Delivery Date' },
  { alias: 'currency', field: 'Currency Code' },
  { alias: 'externalDocumentNumber', field: 'External Document No.', required: true },
  { alias: 'status', field: 'Status', required: true },
  { alias: 'version', field: 'timestamp', required: true },
];

const SALES_LINE_FIELDS: readonly FieldSpec[] = [
  { alias: 'lineNo', field: 'Line No.', required: true },
  { alias: 'type', field: 'Type', required: true },
  { alias: 'itemNumber', field: 'No.', required: true },
  { alias: 'description', field: 'Description' },
  { alias: 'quantity', field: 'Quantity', required: true },
  { alias: 'unitOfMeasure', field: 'Unit of Measure Code' },
  { alias: 'unitPrice', field: 'Unit Price' },
  { alias: 'discountPercent', field: 'Line Discount %' },
  { alias: 'discountAmount', field: 'Line Discount Amount' },
];

const ITEM_FIELDS: readonly FieldSpec[] = [
  { alias: 'number', field: 'No.', required: true },
  { alias: 'description', field: 'Description', required: true },
  { alias: 'unitOfMeasure', field: 'Base Unit of Measure' },
  { alias: 'unitPrice', field: 'Unit Price' },
  { alias: 'blocked', field: 'Blocked' },
  { alias: 'version', field: 'timestamp', required: true },
];

/** The columns each natural key compares. */
export const NATURAL_KEY_FIELDS: Readonly<Record<NaturalKey, ReadonlyArray<{ param: string; field: string }>>> = {
  taxId: [{ param: 'taxId', field: 'VAT Registration No.' }],
  email: [{ param: 'email', field: 'E-Mail' }],
  namePostCode: [
    { param: 'name', field: 'Name' },
    { param: 'postCode', field: 'Post Code' },
  ],
};

function configError(system: string, message: string): SyncError {
  return new SyncError({ code: 'CONFIG', system, message: `${system}: ${message}` });
}

/** A table the statement needs; CONFIG when the company has none. */
export function tableOf(schema: NavCompanySchema, key: NavTableKey, system: string): NavTable {
  const table = schema.tables[key];
  if (table) return table;
  throw configError(
    system,
    `company "${schema.company}" has no ${NAV_TABLES[key]} table ("${schema.prefix}$${navSqlName(NAV_TABLES[key])}…"), needed for ${TABLE_USE[key]}`,
  );
}

/** A column by its AL name, quoted and optionally qualified; CONFIG when missing. */
export function column(table: NavTable, field: string, system: string, qualifier?: string): string {
  const actual = columnOf(table, navSqlName(field));
  if (actual === undefined) throw configError(system, `table [${table.name}] has no column [${navSqlName(field)}]`);
  return `${qualifier ? `${qualifier}.` : ''}${quoteIdentifier(actual)}`;
}

/** `[col] AS [alias], …` for the fields the table has; a missing required one is CONFIG. */
export function selectList(table: NavTable, fields: readonly FieldSpec[], system: string, qualifier?: string): string {
  const parts: string[] = [];
  for (const spec of fields) {
    const actual = columnOf(table, navSqlName(spec.field));
    if (actual === undefined) {
      if (spec.required) column(table, spec.field, system);
      continue;
    }
    parts.push(`${qualifier ? `${qualifier}.` : ''}${quoteIdentifier(actual)} AS ${quoteIdentifier(spec.alias)}`);
  }
  return parts.join(', ');
}

/** The customer fields, plus the connection's custom fields read as `custom0`, `custom1`, … */
export function customerFields(customFields: Readonly<Record<string, string>>): FieldSpec[] {
  return [
    ...CUSTOMER_FIELDS,
    ...Object.values(customFields).map((field, index) => ({ alias: `custom${index}`, field, required: true })),
  ];
}

// ---------------------------------------------------------------- customers

export function customerByNumberStatement(
  schema: NavCompanySchema,
  customFields: Readonly<Record<string, string>>,
  system: string,
): string {
  const table = tableOf(schema, 'customer', system);
  return `SELECT ${selectList(table, customerFields(customFields), system)} FROM ${table.quoted} WHERE ${column(table, 'No.', system)} = @number`;
}

export function customersByNaturalKeyStatement(
  schema: NavCompanySchema,
  key: NaturalKey,
  customFields: Readonly<Record<string, string>>,
  system: string,
): string {
  const table = tableOf(schema, 'customer', system);
  const conditions = NATURAL_KEY_FIELDS[key].map(({ param, field }) => `${column(table, field, system)} = @${param}`);
  return `SELECT ${selectList(table, customerFields(customFields), system)} FROM ${table.quoted} WHERE ${conditions.join(' AND ')} ORDER BY ${column(table, 'No.', system)}`;
}

/**
 * One page of the change feed: rows whose rowversion lies after `@since` (a page's last row; absent on
 * an initial load) and below MIN_ACTIVE_ROWVERSION(), the lowest rowversion an open transaction may
 * still commit. Rows of transactions in flight are thus read on a later run, never skipped.
 */
export function customersChangedStatement(
  schema: NavCompanySchema,
  customFields: Readonly<Record<string, string>>,
  system: string,
  afterSince: boolean,
): string {
  const table = tableOf(schema, 'customer', system);
  const version = column(table, 'timestamp', system);
  const since = afterSince ? `${version} > @since AND ` : '';
  return `SELECT TOP (@pageSize) ${selectList(table, customerFields(customFields), system)} FROM ${table.quoted} WHERE ${since}${version} < MIN_ACTIVE_ROWVERSION() ORDER BY ${version}`;
}

/** The current rowversion of one customer, to check an update's ETag before it is staged. */
export function customerVersionStatement(schema: NavCompanySchema, system: string): string {
  const table = tableOf(schema, 'customer', system);
  return `SELECT ${column(table, 'timestamp', system)} AS [version] FROM ${table.quoted} WHERE ${column(table, 'No.', system)} = @number`;
}

// ---------------------------------------------------------------- sales orders

/** Sales orders (Document Type 1) by `[No_] = @number` or by `[External Document No_] = @key`. */
export function salesOrderStatement(schema: NavCompanySchema, by: 'number' | 'externalDocumentNumber', system: string) {
  const table = tableOf(schema, 'salesHeader', system);
  const where =
    by === 'number'
      ? `${column(table, 'No.', system)} = @number`
      : `${column(table, 'External Document No.', system)} = @key`;
  return `SELECT ${selectList(table, SALES_HEADER_FIELDS, system)} FROM ${table.quoted} WHERE ${column(table, 'Document Type', system)} = ${DOCUMENT_TYPE_ORDER} AND ${where} ORDER BY ${column(table, 'No.', system)}`;
}

/** The lines of a sales order, comment lines (Type 0) left out. */
export function salesOrderLinesStatement(schema: NavCompanySchema, system: string): string {
  const table = tableOf(schema, 'salesLine', system);
  return (
    `SELECT ${selectList(table, SALES_LINE_FIELDS, system)} FROM ${table.quoted} ` +
    `WHERE ${column(table, 'Document Type', system)} = ${DOCUMENT_TYPE_ORDER} AND ${column(table, 'Document No.', system)} = @number ` +
    `AND ${column(table, 'Type', system)} <> 0 ORDER BY ${column(table, 'Line No.', system)}`
  );
}

// ---------------------------------------------------------------- posted invoices

export type InvoiceFilter = 'customer' | 'order' | 'number';

/**
 * Posted sales invoices with what the customer still owes. The amounts are the documented FlowFields,
 * computed from the detailed ledger: `Remaining Amount` = sum of every detailed entry of the invoice's
 * customer ledger entry, `Original Amount` = the sum of its Initial Entry lines; both in the invoice's
 * currency. The ledger entry is the one the invoice names (`Cust. Ledger Entry No.`), or for versions
 * without that field the invoice entry with its document number.
 */
export function invoicesStatement(schema: NavCompanySchema, filter: InvoiceFilter, system: string): string {
  const sih = tableOf(schema, 'salesInvoiceHeader', system);
  const cle = tableOf(schema, 'custLedgerEntry', system);
  const dcle = tableOf(schema, 'detailedCustLedgEntry', system);
  const cancelled = schema.tables.cancelledDocument;
  const h = (field: string) => column(sih, field, system, 'sih');
  const l = (field: string) => column(cle, field, system, 'cle');
  const d = (field: string) => column(dcle, field, system, 'd');
  const ledgerJoin = columnOf(sih, navSqlName('Cust. Ledger Entry No.'))
    ? `${l('Entry No.')} = ${h('Cust. Ledger Entry No.')}`
    : `${l('Document Type')} = ${LEDGER_DOCUMENT_TYPE_INVOICE} AND ${l('Document No.')} = ${h('No.')} AND ${l('Customer No.')} = ${h('Bill-to Customer No.')}`;
  const cancelledColumn = cancelled
    ? `CASE WHEN EXISTS (SELECT 1 FROM ${cancelled.quoted} AS cd WHERE ${column(cancelled, 'Source ID', system, 'cd')} = ${SALES_INVOICE_HEADER_TABLE_ID} AND ${column(cancelled, 'Cancelled Doc. No.', system, 'cd')} = ${h('No.')}) THEN 1 ELSE 0 END`
    : '0';
  const where =
    filter === 'customer'
      ? `${h('Sell-to Customer No.')} = @customer`
      : filter === 'number'
        ? `${h('No.')} = @invoice`
        : `(${h('Order No.')} = @order OR (${h('External Document No.')} = @order AND ${h('Order No.')} <> N''))`;
  return (
    `SELECT ${h('No.')} AS [invoiceNumber], ${h('Sell-to Customer No.')} AS [customerNumber], ${h('Order No.')} AS [orderNumber], ` +
    `${h('External Document No.')} AS [externalDocumentNumber], ${h('Posting Date')} AS [postingDate], ` +
    `${h('Due Date')} AS [invoiceDueDate], ${h('Currency Code')} AS [currency], ` +
    `${l('Due Date')} AS [dueDate], ${l('Open')} AS [open], amounts.[amount] AS [amount], amounts.[remaining] AS [remaining], ` +
    `${cancelledColumn} AS [cancelled] ` +
    `FROM ${sih.quoted} AS sih LEFT JOIN ${cle.quoted} AS cle ON ${ledgerJoin} ` +
    `OUTER APPLY (SELECT SUM(CASE WHEN ${d('Entry Type')} = ${DETAILED_ENTRY_TYPE_INITIAL} THEN ${d('Amount')} ELSE 0 END) AS [amount], ` +
    `SUM(${d('Amount')}) AS [remaining] FROM ${dcle.quoted} AS d WHERE ${d('Cust. Ledger Entry No.')} = ${l('Entry No.')}) AS amounts ` +
    `WHERE ${where} ORDER BY ${h('Posting Date')}, ${h('No.')}`
  );
}

// ---------------------------------------------------------------- items and setup

export function itemsStatement(schema: NavCompanySchema, system: string, by: 'number' | 'all'): string {
  const table = tableOf(schema, 'item', system);
  const list = selectList(table, ITEM_FIELDS, system);
  if (by === 'number') return `SELECT ${list} FROM ${table.quoted} WHERE ${column(table, 'No.', system)} = @number`;
  return `SELECT ${list} FROM ${table.quoted} ORDER BY ${column(table, 'No.', system)}`;
}

/** One page of the items' change feed, like the customers'. */
export function itemsChangedStatement(schema: NavCompanySchema, system: string, afterSince: boolean): string {
  const table = tableOf(schema, 'item', system);
  const version = column(table, 'timestamp', system);
  const since = afterSince ? `${version} > @since AND ` : '';
  return `SELECT TOP (@pageSize) ${selectList(table, ITEM_FIELDS, system)} FROM ${table.quoted} WHERE ${since}${version} < MIN_ACTIVE_ROWVERSION() ORDER BY ${version}`;
}

export function localCurrencyStatement(schema: NavCompanySchema, system: string): string | undefined {
  const table = schema.tables.generalLedgerSetup;
  if (!table || columnOf(table, 'LCY Code') === undefined) return undefined;
  return `SELECT TOP (1) ${column(table, 'LCY Code', system)} AS [lcy] FROM ${table.quoted}`;
}
