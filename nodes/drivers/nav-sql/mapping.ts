/**
 * NAV / Business Central rows in canonical terms. NAV keeps no NULLs: empty text is '', a blank date
 * is 1753-01-01, options are integers and booleans tinyints; the local currency is a blank code.
 */
import { invoicePaymentStatus } from '../../lib/invoice-status';
import type { Customer, InvoiceStatus, Order, OrderLine } from '../../lib/model/types.generated';
import type { SystemRecord } from '../../lib/ports';
import { rowversionHex } from '../sql/values';

export type Row = Record<string, unknown>;

/** NAV's blank date; closing dates of that day carry 23:59:59. */
const BLANK_YEAR = 1753;

export function text(row: Row, alias: string): string {
  const value = row[alias];
  return typeof value === 'string' ? value : '';
}

export function amount(row: Row, alias: string): number {
  const value = row[alias];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** A DATETIME as `YYYY-MM-DD` (the pool reads dates as UTC), undefined when blank. */
export function navDate(value: unknown): string | undefined {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()) || value.getUTCFullYear() <= BLANK_YEAR)
    return undefined;
  return value.toISOString().slice(0, 10);
}

/** A DATETIME as ISO 8601 in UTC (NAV stores date-times in UTC), undefined when blank. */
export function navDateTime(value: unknown): string | undefined {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()) || value.getUTCFullYear() <= BLANK_YEAR)
    return undefined;
  return value.toISOString();
}

/** Copies the non-empty text under each alias to the canonical field of the same name. */
function copyText(target: Record<string, unknown>, row: Row, aliases: readonly string[]): void {
  for (const alias of aliases) {
    const value = text(row, alias);
    if (value !== '') target[alias] = value;
  }
}

/** Customer `Blocked`: 0 " ", 1 Ship, 2 Invoice, 3 All. */
const BLOCKED: readonly Customer['blocked'][] = ['none', 'ship', 'invoice', 'all'];
export const BLOCKED_TO_NAV: Readonly<Record<NonNullable<Customer['blocked']>, number>> = {
  none: 0,
  ship: 1,
  invoice: 2,
  all: 3,
};

export function customerFromNav(
  row: Row,
  system: string,
  customFields: Readonly<Record<string, string>>,
): SystemRecord<Customer> {
  const number = text(row, 'number');
  const customer: Record<string, unknown> = { ids: { [system]: number }, name: text(row, 'name') };
  copyText(customer, row, ['taxId', 'email', 'phone', 'website', 'currency', 'paymentTerms']);
  const address: Record<string, unknown> = {};
  copyText(address, row, ['line1', 'line2', 'city', 'postCode', 'county', 'country']);
  if (Object.keys(address).length > 0) customer['address'] = address;
  if (typeof row['creditLimit'] === 'number') customer['creditLimit'] = row['creditLimit'];
  const blocked = typeof row['blocked'] === 'number' ? BLOCKED[row['blocked']] : undefined;
  if (blocked !== undefined) customer['blocked'] = blocked;
  const modifiedAt = navDateTime(row['lastModified']);
  if (modifiedAt !== undefined) customer['modifiedAt'] = modifiedAt;
  const custom: Record<string, unknown> = {};
  Object.keys(customFields).forEach((name, index) => {
    const value = row[`custom${index}`];
    if (value !== undefined && value !== null) custom[name] = value instanceof Date ? navDateTime(value) : value;
  });
  if (Object.keys(custom).length > 0) customer['custom'] = custom;
  const version = rowversionHex(row['version']);
  // The rowversion is the record's concurrency tag and its place in the change feed.
  return {
    id: number,
    number,
    ...(version !== undefined ? { etag: version, modifiedAt: version } : {}),
    data: customer as unknown as Customer,
  };
}

/**
 * Sales Header `Status`: 0 Open, 1 Released, 2 Pending Approval, 3 Pending Prepayment. The two pending
 * statuses wait on something before the order can be released.
 */
const ORDER_STATUS: readonly Order['status'][] = ['open', 'released', 'submitted', 'submitted'];

export function lineFromNav(row: Row): OrderLine {
  const line: Record<string, unknown> = {
    itemNumber: text(row, 'itemNumber'),
    quantity: amount(row, 'quantity'),
    unitPrice: amount(row, 'unitPrice'),
  };
  copyText(line, row, ['description', 'unitOfMeasure']);
  for (const discount of ['discountPercent', 'discountAmount'] as const) {
    if (amount(row, discount) !== 0) line[discount] = amount(row, discount);
  }
  return line as unknown as OrderLine;
}

/**
 * A NAV sales order. Its id is `key`: what the order is linked by (the external document number it was
 * created with), so the link holds before and after the ERP gives the order its number.
 */
export function orderFromNav(header: Row, lines: Row[], system: string, key: string): SystemRecord<Order> {
  const number = text(header, 'number');
  const customerNumber = text(header, 'customerNumber');
  const status = typeof header['status'] === 'number' ? ORDER_STATUS[header['status']] : undefined;
  const order: Record<string, unknown> = {
    sourceId: number,
    ids: { [system]: number },
    number,
    customer: { ids: { [system]: customerNumber }, number: customerNumber },
    orderDate: navDate(header['orderDate']) ?? '',
    status: status ?? 'open',
    lines: lines.map(lineFromNav),
  };
  copyText(order, header, ['externalDocumentNumber', 'currency']);
  const requested = navDate(header['requestedDeliveryDate']);
  if (requested !== undefined) order['requestedDeliveryDate'] = requested;
  const version = rowversionHex(header['version']);
  return { id: key, number, ...(version !== undefined ? { etag: version } : {}), data: order as unknown as Order };
}

/** A posted sales invoice with the remaining amount of its ledger entry; `localCurrency` stands in for a blank code. */
export function invoiceFromNav(row: Row, system: string, localCurrency: string, today?: string): InvoiceStatus {
  const invoiceNumber = text(row, 'invoiceNumber');
  const customerNumber = text(row, 'customerNumber');
  const orderNumber = text(row, 'orderNumber');
  const total = amount(row, 'amount');
  const remainingAmount = amount(row, 'remaining');
  const dueDate = navDate(row['dueDate']) ?? navDate(row['invoiceDueDate']) ?? '';
  // An invoice without an open ledger entry is closed: paid, or settled otherwise.
  const closed = row['open'] === 0 || row['open'] === false;
  const invoice: Record<string, unknown> = {
    invoiceNumber,
    ids: { [system]: invoiceNumber },
    customer: { ids: { [system]: customerNumber }, number: customerNumber },
    dueDate,
    currency: text(row, 'currency') || localCurrency,
    amount: total,
    remainingAmount,
    ...invoicePaymentStatus(
      {
        amount: total,
        remainingAmount,
        dueDate,
        cancelled: row['cancelled'] === 1 || row['cancelled'] === true,
        paid: closed,
      },
      today,
    ),
  };
  if (orderNumber !== '') invoice['order'] = { ids: { [system]: orderNumber }, number: orderNumber };
  copyText(invoice, row, ['externalDocumentNumber']);
  const postingDate = navDate(row['postingDate']);
  if (postingDate !== undefined) invoice['postingDate'] = postingDate;
  return invoice as unknown as InvoiceStatus;
}

/** An item as the driver reads it (items have no canonical model yet). */
export interface NavItem {
  number: string;
  description: string;
  unitOfMeasure?: string;
  unitPrice?: number;
  blocked: boolean;
}

export function itemFromNav(row: Row): SystemRecord<NavItem> {
  const number = text(row, 'number');
  const item: NavItem = { number, description: text(row, 'description'), blocked: amount(row, 'blocked') !== 0 };
  if (text(row, 'unitOfMeasure') !== '') item.unitOfMeasure = text(row, 'unitOfMeasure');
  if (typeof row['unitPrice'] === 'number') item.unitPrice = row['unitPrice'];
  const version = rowversionHex(row['version']);
  return { id: number, number, ...(version !== undefined ? { etag: version, modifiedAt: version } : {}), data: item };
}
