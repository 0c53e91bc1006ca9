/**
 * The one place where canonical fields meet Business Central API v2.0 fields, in both directions:
 * customers, sales orders with their lines, and posted sales invoices. Pure functions; look-ups that
 * need the API (payment terms, the local currency) are resolved by the caller and passed in.
 */
import { SyncError } from '../../lib/errors';
import { invoicePaymentStatus } from '../../lib/invoice-status';
import type { Address, Customer, InvoiceStatus, Order, OrderLine } from '../../lib/model/types.generated';
import type { OrderDraft, SystemRecord } from '../../lib/ports';
import { isGuid, ZERO_GUID } from './odata';

/** A record as the API returns or accepts it. */
export type BcRecord = Record<string, unknown>;

/** BC leaves dates (and date-times) empty as 0001-01-01. */
const BLANK_DATE = '0001-01-01';

function text(record: BcRecord, field: string): string {
  const value = record[field];
  return typeof value === 'string' ? value : '';
}

function amount(record: BcRecord, field: string): number {
  const value = record[field];
  return typeof value === 'number' ? value : 0;
}

function date(record: BcRecord, field: string): string | undefined {
  const value = text(record, field);
  return value === '' || value.startsWith(BLANK_DATE) ? undefined : value;
}

function records(value: unknown): BcRecord[] {
  return Array.isArray(value)
    ? value.filter((item): item is BcRecord => typeof item === 'object' && item !== null)
    : [];
}

/** Copies the non-empty text fields named in `fields` (target name → source name). */
function copyText(target: Record<string, unknown>, source: BcRecord, fields: Readonly<Record<string, string>>): void {
  for (const [targetName, sourceName] of Object.entries(fields)) {
    const value = text(source, sourceName);
    if (value !== '') target[targetName] = value;
  }
}

/** BC keeps the local currency as a blank code. */
function currencyToBc(currency: string, localCurrency: string | undefined): string {
  return currency === localCurrency ? '' : currency;
}

/** The BC id, number, ETag and change time around a record's canonical content. */
function systemRecord<T>(record: BcRecord, data: T): SystemRecord<T> {
  const result: SystemRecord<T> = { id: text(record, 'id'), number: text(record, 'number'), data };
  const etag = text(record, '@odata.etag');
  const modifiedAt = date(record, 'lastModifiedDateTime');
  if (etag !== '') result.etag = etag;
  if (modifiedAt !== undefined) result.modifiedAt = modifiedAt;
  return result;
}

// ---------------------------------------------------------------- customers

/** Canonical text fields of a customer → BC customer fields. */
const CUSTOMER_TEXT = {
  name: 'displayName',
  taxId: 'taxRegistrationNumber',
  email: 'email',
  phone: 'phoneNumber',
  website: 'website',
} as const satisfies Partial<Record<keyof Customer, string>>;

/** Canonical address fields → BC customer fields. */
const ADDRESS = {
  line1: 'addressLine1',
  line2: 'addressLine2',
  city: 'city',
  county: 'state',
  postCode: 'postalCode',
  country: 'country',
} as const satisfies Record<keyof Address, string>;

const BLOCKED_TO_BC = { none: ' ', ship: 'Ship', invoice: 'Invoice', all: 'All' } as const;
type Blocked = keyof typeof BLOCKED_TO_BC;
const BLOCKED_FROM_BC: Readonly<Record<string, Blocked>> = {
  ' ': 'none',
  '': 'none',
  Ship: 'ship',
  Invoice: 'invoice',
  All: 'all',
};

/** The company's payment terms: BC refers to them by id, the canonical model by code. */
export interface PaymentTermsTable {
  idByCode: ReadonlyMap<string, string>;
  codeById: ReadonlyMap<string, string>;
}

export function paymentTermsTable(terms: readonly BcRecord[]): PaymentTermsTable {
  const pairs = terms.map((term) => [text(term, 'code'), text(term, 'id').toLowerCase()] as const);
  return { idByCode: new Map(pairs), codeById: new Map(pairs.map(([code, id]) => [id, code])) };
}

export interface CustomerMapping {
  system: string;
  /** Canonical `custom.<name>` → BC field name, from the connection. */
  customFields: Readonly<Record<string, string>>;
  paymentTerms: PaymentTermsTable;
  /** Needed only to write a currency: BC keeps the local currency as a blank code. */
  localCurrency?: string;
}

export function customerFromBc(record: BcRecord, mapping: CustomerMapping): SystemRecord<Customer> {
  const number = text(record, 'number');
  const modifiedAt = date(record, 'lastModifiedDateTime');
  const customer: Record<string, unknown> = { ids: { [mapping.system]: number }, name: text(record, 'displayName') };
  copyText(customer, record, CUSTOMER_TEXT);
  const address: Record<string, unknown> = {};
  copyText(address, record, ADDRESS);
  if (Object.keys(address).length > 0) customer['address'] = address;
  copyText(customer, record, { currency: 'currencyCode' });
  const paymentTerms = mapping.paymentTerms.codeById.get(text(record, 'paymentTermsId').toLowerCase());
  if (paymentTerms !== undefined) customer['paymentTerms'] = paymentTerms;
  if (typeof record['creditLimit'] === 'number') customer['creditLimit'] = record['creditLimit'];
  const blocked = BLOCKED_FROM_BC[text(record, 'blocked')];
  if (blocked !== undefined) customer['blocked'] = blocked;
  if (modifiedAt !== undefined) customer['modifiedAt'] = modifiedAt;
  const custom: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(mapping.customFields)) {
    if (field in record) custom[name] = record[field];
  }
  if (Object.keys(custom).length > 0) customer['custom'] = custom;

  return systemRecord(record, customer as unknown as Customer);
}

/**
 * The BC body for the canonical fields given in `changes` (absent fields are left alone). The number
 * (`ids[system]`) is not part of it: it is sent on create only. Custom fields that the connection does
 * not map belong to other systems and are left out.
 */
export function customerToBc(changes: Partial<Customer>, mapping: CustomerMapping): BcRecord {
  const body: BcRecord = {};
  for (const [canonical, field] of Object.entries(CUSTOMER_TEXT)) {
    const value = changes[canonical as keyof typeof CUSTOMER_TEXT];
    if (value !== undefined) body[field] = value;
  }
  for (const [canonical, field] of Object.entries(ADDRESS)) {
    const value = changes.address?.[canonical as keyof Address];
    if (value !== undefined) body[field] = value;
  }
  if (changes.currency !== undefined) body['currencyCode'] = currencyToBc(changes.currency, mapping.localCurrency);
  if (changes.paymentTerms !== undefined) body['paymentTermsId'] = paymentTermsId(changes.paymentTerms, mapping);
  if (changes.creditLimit !== undefined) body['creditLimit'] = changes.creditLimit;
  if (changes.blocked !== undefined) body['blocked'] = BLOCKED_TO_BC[changes.blocked];
  for (const [name, value] of Object.entries(changes.custom ?? {})) {
    // Own mappings only: a custom field named `constructor` or `__proto__` maps to nothing.
    const field = Object.hasOwn(mapping.customFields, name) ? mapping.customFields[name] : undefined;
    if (field !== undefined) body[field] = value;
  }
  return body;
}

function paymentTermsId(code: string, mapping: CustomerMapping): string {
  if (code === '') return ZERO_GUID;
  const id = mapping.paymentTerms.idByCode.get(code.toUpperCase());
  if (id !== undefined) return id;
  const known = [...mapping.paymentTerms.idByCode.keys()].join(', ');
  throw new SyncError({
    code: 'VALIDATION',
    system: mapping.system,
    message: `${mapping.system}: paymentTerms "${code}" does not exist in Business Central (known codes: ${known || 'none'})`,
    details: { fields: ['paymentTerms'] },
  });
}

/** The canonical name of a BC customer field, for messages. */
export function customerFieldName(bcField: string, customFields: Readonly<Record<string, string>>): string {
  const plain = Object.entries(CUSTOMER_TEXT).find(([, field]) => field === bcField)?.[0];
  const address = Object.entries(ADDRESS).find(([, field]) => field === bcField)?.[0];
  const custom = Object.entries(customFields).find(([, field]) => field === bcField)?.[0];
  if (plain !== undefined) return plain;
  if (address !== undefined) return `address.${address}`;
  if (custom !== undefined) return `custom.${custom}`;
  return bcField;
}

// ---------------------------------------------------------------- sales orders

/**
 * BC API order status → canonical. The API's "Draft" is the document's Open status in the BC client,
 * "In Review" is Pending Approval, and "Open" is Released; the canonical names follow the API.
 */
const ORDER_STATUS: Readonly<Record<string, Order['status']>> = {
  Draft: 'draft',
  'In Review': 'submitted',
  Open: 'open',
};

/** Canonical order line fields → BC sales order line fields. */
const LINE = {
  itemNumber: 'lineObjectNumber',
  description: 'description',
  unitOfMeasure: 'unitOfMeasureCode',
} as const satisfies Partial<Record<keyof OrderLine, string>>;

function lineFromBc(line: BcRecord): OrderLine {
  const canonical: Record<string, unknown> = {
    quantity: amount(line, 'quantity'),
    unitPrice: amount(line, 'unitPrice'),
  };
  copyText(canonical, line, LINE);
  for (const discount of ['discountPercent', 'discountAmount'] as const) {
    if (amount(line, discount) !== 0) canonical[discount] = amount(line, discount);
  }
  return canonical as unknown as OrderLine;
}

/**
 * Comment lines (no item, account or resource number) have no canonical form and are left out. BC allows
 * an order without lines, the canonical model does not: such an order keeps an empty list, which
 * validation reports.
 */
export function orderFromBc(record: BcRecord, system: string): SystemRecord<Order> {
  const number = text(record, 'number');
  const customerNumber = text(record, 'customerNumber');
  const modifiedAt = date(record, 'lastModifiedDateTime');
  const lines = records(record['salesOrderLines'])
    .filter((line) => text(line, 'lineObjectNumber') !== '')
    .map(lineFromBc);
  const order: Record<string, unknown> = {
    sourceId: text(record, 'id'),
    ids: { [system]: number },
    number,
    customer: { ids: { [system]: customerNumber }, number: customerNumber },
    orderDate: text(record, 'orderDate'),
    status: ORDER_STATUS[text(record, 'status')] ?? 'open',
    lines,
  };
  copyText(order, record, { externalDocumentNumber: 'externalDocumentNumber', currency: 'currencyCode' });
  const requestedDeliveryDate = date(record, 'requestedDeliveryDate');
  if (requestedDeliveryDate !== undefined) order['requestedDeliveryDate'] = requestedDeliveryDate;
  if (modifiedAt !== undefined) order['modifiedAt'] = modifiedAt;

  return systemRecord(record, order as unknown as Order);
}

/**
 * The deep-insert body of a sales order. Lines are items; unit prices (and amount discounts, which
 * only make sense with them) are sent when the draft says to use the source's prices, otherwise BC
 * prices the lines. `localCurrency` is needed only when the draft names a currency.
 */
export function orderDraftToBc(draft: OrderDraft, localCurrency: string | undefined): BcRecord {
  const customer = isGuid(draft.customerNumber)
    ? { customerId: draft.customerNumber }
    : { customerNumber: draft.customerNumber };
  const body: BcRecord = {
    ...customer,
    externalDocumentNumber: draft.externalDocumentNumber,
    orderDate: draft.orderDate,
  };
  if (draft.requestedDeliveryDate !== undefined) body['requestedDeliveryDate'] = draft.requestedDeliveryDate;
  if (draft.currency !== undefined) body['currencyCode'] = currencyToBc(draft.currency, localCurrency);
  body['salesOrderLines'] = draft.lines.map((line) => {
    const bcLine: BcRecord = { lineType: 'Item', lineObjectNumber: line.itemNumber, quantity: line.quantity };
    // Without one, BC describes the line by its item.
    if (line.description !== undefined) bcLine['description'] = line.description;
    if (draft.useSourcePrices && line.unitPrice !== undefined) bcLine['unitPrice'] = line.unitPrice;
    if (line.discountPercent !== undefined) bcLine['discountPercent'] = line.discountPercent;
    if (draft.useSourcePrices && line.discountAmount !== undefined) bcLine['discountAmount'] = line.discountAmount;
    return bcLine;
  });
  return body;
}

/** The canonical name of a field of an order body, e.g. `salesOrderLines[2].lineObjectNumber` → `lines[2].itemNumber`. */
export function orderFieldName(bcPath: string): string {
  const line = /^salesOrderLines\[(\d+)\]\.(.+)$/.exec(bcPath);
  if (line === null) return bcPath;
  const canonical = Object.entries(LINE).find(([, field]) => field === line[2])?.[0] ?? line[2];
  return `lines[${line[1]}].${canonical}`;
}

// ---------------------------------------------------------------- posted sales invoices

/** Unposted invoices (" ", Draft, In Review) are documents in progress, not invoices a customer owes. */
const POSTED_INVOICE_STATUSES: ReadonlySet<string> = new Set(['Open', 'Paid', 'Canceled', 'Corrective']);

export function isPostedInvoice(record: BcRecord): boolean {
  return POSTED_INVOICE_STATUSES.has(text(record, 'status'));
}

/** `localCurrency` stands in for BC's blank currency code. */
export function invoiceFromBc(record: BcRecord, system: string, localCurrency: string): InvoiceStatus {
  const invoiceNumber = text(record, 'number');
  const customerNumber = text(record, 'customerNumber');
  const orderNumber = text(record, 'orderNumber');
  const status = text(record, 'status');
  const amountIncludingTax = amount(record, 'totalAmountIncludingTax');
  const remainingAmount = amount(record, 'remainingAmount');
  const dueDate = date(record, 'dueDate') ?? '';
  const invoice: Record<string, unknown> = {
    invoiceNumber,
    ids: { [system]: invoiceNumber },
    customer: { ids: { [system]: customerNumber }, number: customerNumber },
    dueDate,
    currency: text(record, 'currencyCode') || localCurrency,
    amount: amountIncludingTax,
    remainingAmount,
    ...invoicePaymentStatus({
      amount: amountIncludingTax,
      remainingAmount,
      dueDate,
      cancelled: status === 'Canceled',
      paid: status === 'Paid',
    }),
  };
  if (orderNumber !== '') invoice['order'] = { ids: { [system]: orderNumber }, number: orderNumber };
  copyText(invoice, record, { externalDocumentNumber: 'externalDocumentNumber' });
  const postingDate = date(record, 'postingDate');
  if (postingDate !== undefined) invoice['postingDate'] = postingDate;
  return invoice as unknown as InvoiceStatus;
}
