/**
 * The mapping of a home-grown ERP's SQL schema: which table or view holds customers, orders (with
 * lines) and invoices, and which column holds each canonical field. Written as JSON in the connection
 * (or pasted from a file); checked here once, with a CONFIG error naming the entry that is wrong.
 *
 * ```json
 * { "customers": { "table": "dbo.Customers", "key": "CustomerNo", "rowversion": "RowVer",
 *                  "columns": { "name": "Name", "email": "Email", "address.city": "City", "ids.crm": "CrmId" },
 *                  "upsert": { "mergeOn": ["ids.crm"] } },
 *   "orders":    { "table": "dbo.SalesOrders", "key": "OrderNo",
 *                  "columns": { "externalDocumentNumber": "ExternalRef", "customerNumber": "CustomerNo", "orderDate": "OrderDate" },
 *                  "lines": { "table": "dbo.SalesOrderLines", "orderKey": "OrderNo", "lineNumber": "LineNo",
 *                             "columns": { "itemNumber": "ItemNo", "quantity": "Qty" } } },
 *   "invoices":  { "table": "dbo.InvoiceView", "columns": { "invoiceNumber": "InvoiceNo", "customerNumber": "CustomerNo",
 *                  "dueDate": "DueDate", "amount": "Amount", "remainingAmount": "Remaining" } } }
 * ```
 */
import { parseSettingJson, SyncError } from '../../lib/errors';
import type { Order } from '../../lib/model/types.generated';
import { checkIdentifier, parseQualifiedName, quoteIdentifier, quoteQualified } from '../sql/identifiers';

/** Canonical customer fields a column can hold (`ids.<system>` and `custom.<name>` too). */
export const CUSTOMER_PATHS = [
  'name',
  'taxId',
  'email',
  'phone',
  'website',
  'address.line1',
  'address.line2',
  'address.city',
  'address.postCode',
  'address.county',
  'address.country',
  'currency',
  'paymentTerms',
  'creditLimit',
  'blocked',
  'modifiedAt',
] as const;

export const ORDER_PATHS = [
  'externalDocumentNumber',
  'customerNumber',
  'orderDate',
  'requestedDeliveryDate',
  'currency',
  'status',
] as const;
const ORDER_REQUIRED = ['externalDocumentNumber', 'customerNumber', 'orderDate'] as const;

export const LINE_PATHS = [
  'itemNumber',
  'quantity',
  'description',
  'unitOfMeasure',
  'unitPrice',
  'discountPercent',
  'discountAmount',
] as const;
const LINE_REQUIRED = ['itemNumber', 'quantity'] as const;

export const INVOICE_PATHS = [
  'invoiceNumber',
  'customerNumber',
  'orderNumber',
  'externalDocumentNumber',
  'dueDate',
  'postingDate',
  'currency',
  'amount',
  'remainingAmount',
  'cancelled',
  'paid',
] as const;
const INVOICE_REQUIRED = ['invoiceNumber', 'customerNumber', 'dueDate', 'amount', 'remainingAmount'] as const;

const ORDER_STATUSES: readonly Order['status'][] = [
  'draft',
  'submitted',
  'signed',
  'won',
  'lost',
  'cancelled',
  'open',
  'released',
];

/** A table or view, already checked and quoted. */
export interface MappedTable {
  /** As written in the mapping, for messages. */
  name: string;
  quoted: string;
}

/** A column: its name and its `[quoted]` form. */
export interface MappedColumn {
  name: string;
  quoted: string;
}

export interface CustomerMapping {
  table: MappedTable;
  key: MappedColumn;
  /** Canonical path → column. */
  columns: ReadonlyMap<string, MappedColumn>;
  /** The change feed: a rowversion column, or a date-time column of the last change. */
  changes?: { kind: 'rowversion' | 'modifiedAt'; column: MappedColumn };
  /** How the `blocked` column stores none / ship / invoice / all, when not as that text. */
  blockedValues?: ReadonlyMap<string, string | number>;
  write:
    { kind: 'merge'; table: MappedTable; mergeOn: readonly string[] } | { kind: 'procedure'; procedure: MappedTable };
}

export interface OrderMapping {
  table: MappedTable;
  key: MappedColumn;
  /** The key is not made by the database but written: the external document number. */
  keyFromExternalDocumentNumber: boolean;
  columns: ReadonlyMap<string, MappedColumn>;
  /** Database value (as text) → canonical status. */
  statuses: ReadonlyMap<string, Order['status']>;
  /** What a new order's status column is set to, if anything. */
  newStatus?: string | number;
  lines: {
    table: MappedTable;
    orderKey: MappedColumn;
    lineNumber?: MappedColumn;
    columns: ReadonlyMap<string, MappedColumn>;
  };
  procedure?: MappedTable;
}

export interface InvoiceMapping {
  table: MappedTable;
  columns: ReadonlyMap<string, MappedColumn>;
}

export interface SchemaMapping {
  customers?: CustomerMapping;
  orders?: OrderMapping;
  invoices?: InvoiceMapping;
}

type Json = Record<string, unknown>;

class MappingReader {
  constructor(private readonly system: string) {}

  fail(where: string, message: string): never {
    throw new SyncError({ code: 'CONFIG', system: this.system, message: `the mapping's ${where} ${message}` });
  }

  object(value: unknown, where: string): Json {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(where, 'must be an object');
    return value as Json;
  }

  table(value: unknown, where: string): MappedTable {
    if (typeof value !== 'string' || value.trim() === '')
      this.fail(where, 'must name a table or view, e.g. "dbo.Customers"');
    const name = parseQualifiedName(value, `the mapping's ${where}`, this.system);
    return { name: value.trim(), quoted: quoteQualified(name) };
  }

  column(value: unknown, where: string): MappedColumn {
    if (typeof value !== 'string' || value.trim() === '') this.fail(where, 'must name a column');
    const name = checkIdentifier(value, `the mapping's ${where}`, this.system);
    return { name, quoted: quoteIdentifier(name) };
  }

  columns(
    value: unknown,
    where: string,
    known: readonly string[],
    required: readonly string[],
    extra?: RegExp,
  ): Map<string, MappedColumn> {
    const entries = Object.entries(this.object(value ?? {}, where));
    const columns = new Map<string, MappedColumn>();
    for (const [path, column] of entries) {
      if (!known.includes(path) && !(extra?.test(path) ?? false)) {
        this.fail(
          `${where}`,
          `names an unknown field "${path}"; known: ${known.join(', ')}${extra ? ', ids.<system>, custom.<name>' : ''}`,
        );
      }
      columns.set(path, this.column(column, `${where}.${path}`));
    }
    const missing = required.filter((path) => !columns.has(path));
    if (missing.length > 0) this.fail(where, `needs a column for ${missing.join(', ')}`);
    return columns;
  }
}

/** `ids.<system>` and `custom.<name>` paths, with names usable as procedure parameters. */
const EXTRA_CUSTOMER_PATH = /^(ids|custom)\.[A-Za-z][\w-]{0,39}$/;

function customerMapping(read: MappingReader, value: unknown): CustomerMapping {
  const json = read.object(value, 'customers');
  const table = read.table(json.table, 'customers.table');
  const key = read.column(json.key, 'customers.key');
  const columns = read.columns(json.columns, 'customers.columns', CUSTOMER_PATHS, [], EXTRA_CUSTOMER_PATH);
  if (!columns.has('name')) read.fail('customers.columns', 'needs a column for name');
  let changes: CustomerMapping['changes'];
  if (json.rowversion !== undefined)
    changes = { kind: 'rowversion', column: read.column(json.rowversion, 'customers.rowversion') };
  else if (columns.has('modifiedAt')) changes = { kind: 'modifiedAt', column: columns.get('modifiedAt')! };
  let blockedValues: Map<string, string | number> | undefined;
  if (json.blockedValues !== undefined) {
    blockedValues = new Map();
    for (const [state, stored] of Object.entries(read.object(json.blockedValues, 'customers.blockedValues'))) {
      if (
        !['none', 'ship', 'invoice', 'all'].includes(state) ||
        (typeof stored !== 'string' && typeof stored !== 'number')
      ) {
        read.fail(`customers.blockedValues.${state}`, 'must map none, ship, invoice or all to a stored text or number');
      }
      blockedValues.set(state, stored as string | number);
    }
  }
  const upsert = read.object(json.upsert ?? {}, 'customers.upsert');
  let write: CustomerMapping['write'];
  if (upsert.procedure !== undefined) {
    write = { kind: 'procedure', procedure: read.table(upsert.procedure, 'customers.upsert.procedure') };
  } else {
    const mergeOn = upsert.mergeOn ?? ['number'];
    if (!Array.isArray(mergeOn) || mergeOn.length === 0)
      read.fail('customers.upsert.mergeOn', 'must list fields, e.g. ["number"] or ["ids.crm"]');
    for (const path of mergeOn) {
      if (path !== 'number' && (typeof path !== 'string' || !columns.has(path))) {
        read.fail('customers.upsert.mergeOn', `names "${String(path)}", which is neither "number" nor a mapped field`);
      }
    }
    const writeTable = upsert.table === undefined ? table : read.table(upsert.table, 'customers.upsert.table');
    write = { kind: 'merge', table: writeTable, mergeOn: mergeOn as string[] };
  }
  return { table, key, columns, ...(changes ? { changes } : {}), ...(blockedValues ? { blockedValues } : {}), write };
}

function orderMapping(read: MappingReader, value: unknown): OrderMapping {
  const json = read.object(value, 'orders');
  const table = read.table(json.table, 'orders.table');
  const key = read.column(json.key, 'orders.key');
  const columns = read.columns(json.columns, 'orders.columns', ORDER_PATHS, ORDER_REQUIRED);
  const statuses = new Map<string, Order['status']>();
  for (const [stored, canonical] of Object.entries(read.object(json.statuses ?? {}, 'orders.statuses'))) {
    if (!ORDER_STATUSES.includes(canonical as Order['status'])) {
      read.fail(`orders.statuses.${stored}`, `must be one of ${ORDER_STATUSES.join(', ')}`);
    }
    statuses.set(stored, canonical as Order['status']);
  }
  const lines = read.object(json.lines, 'orders.lines');
  const newStatus = json.newStatus;
  if (newStatus !== undefined && typeof newStatus !== 'string' && typeof newStatus !== 'number') {
    read.fail('orders.newStatus', 'must be text or a number');
  }
  if (json.keyFrom !== undefined && json.keyFrom !== 'externalDocumentNumber') {
    read.fail('orders.keyFrom', 'can only be "externalDocumentNumber"');
  }
  return {
    table,
    key,
    keyFromExternalDocumentNumber: json.keyFrom === 'externalDocumentNumber',
    columns,
    statuses,
    ...(newStatus !== undefined ? { newStatus: newStatus as string | number } : {}),
    lines: {
      table: read.table(lines.table, 'orders.lines.table'),
      orderKey: read.column(lines.orderKey, 'orders.lines.orderKey'),
      ...(lines.lineNumber !== undefined
        ? { lineNumber: read.column(lines.lineNumber, 'orders.lines.lineNumber') }
        : {}),
      columns: read.columns(lines.columns, 'orders.lines.columns', LINE_PATHS, LINE_REQUIRED),
    },
    ...(json.procedure !== undefined ? { procedure: read.table(json.procedure, 'orders.procedure') } : {}),
  };
}

function invoiceMapping(read: MappingReader, value: unknown): InvoiceMapping {
  const json = read.object(value, 'invoices');
  return {
    table: read.table(json.table, 'invoices.table'),
    columns: read.columns(json.columns, 'invoices.columns', INVOICE_PATHS, INVOICE_REQUIRED),
  };
}

/** Reads and checks the mapping JSON; at least one entity must be mapped. */
export function parseSchemaMapping(text: string | undefined, system: string): SchemaMapping {
  if (text === undefined || text.trim() === '') {
    throw new SyncError({
      code: 'CONFIG',
      system,
      message: 'the custom SQL schema needs a mapping of customers, orders or invoices to tables and columns',
    });
  }
  const read = new MappingReader(system);
  const json = read.object(parseSettingJson(text, 'the mapping is', system), 'top level');
  for (const name of Object.keys(json)) {
    if (!['customers', 'orders', 'invoices'].includes(name))
      read.fail(`entry "${name}"`, 'is unknown; map customers, orders or invoices');
  }
  const mapping: SchemaMapping = {
    ...(json.customers !== undefined ? { customers: customerMapping(read, json.customers) } : {}),
    ...(json.orders !== undefined ? { orders: orderMapping(read, json.orders) } : {}),
    ...(json.invoices !== undefined ? { invoices: invoiceMapping(read, json.invoices) } : {}),
  };
  if (!mapping.customers && !mapping.orders && !mapping.invoices) read.fail('top level', 'maps nothing');
  return mapping;
}

/** A canonical path as a procedure parameter name: `address.city` → `address_city`. */
export function parameterName(path: string): string {
  return path.replace(/[.-]/g, '_');
}
