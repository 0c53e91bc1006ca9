/**
 * The one place where canonical records meet Dataverse rows: account ↔ Customer, salesorder (+ its
 * salesorderdetails) → Order, invoice → InvoiceStatus. Pure functions; the ports do the HTTP.
 */
import { invoicePaymentStatus } from '../../lib/invoice-status';
import type { SystemRecord } from '../../lib/ports';
import type {
  Address,
  Customer,
  CustomFields,
  InvoiceStatus,
  Order,
  OrderLine,
  RecordRef,
  SystemIds,
} from '../../lib/model/types.generated';
import { isCountryCode, type CurrencyCode } from './codes';
import type { DataverseSettings } from './settings';
import { dateOf, numberOf, textOf, type Row } from './web-api';

// ---------------------------------------------------------------- account ↔ customer

type TextField = 'name' | 'email' | 'phone' | 'website';
type AddressTextField = Exclude<keyof Address, 'country'>;

const TEXT_COLUMNS: ReadonlyArray<readonly [TextField, string]> = [
  ['name', 'name'],
  ['email', 'emailaddress1'],
  ['phone', 'telephone1'],
  ['website', 'websiteurl'],
];
const ADDRESS_COLUMNS: ReadonlyArray<readonly [AddressTextField, string]> = [
  ['line1', 'address1_line1'],
  ['line2', 'address1_line2'],
  ['city', 'address1_city'],
  ['county', 'address1_stateorprovince'],
  ['postCode', 'address1_postalcode'],
];
const COUNTRY_COLUMN = 'address1_country';
const CREDIT_LIMIT_COLUMN = 'creditlimit';
/** Credit Hold: Dataverse's yes/no for a customer the ERP blocks; any kind of block sets it. */
const CREDIT_HOLD_COLUMN = 'creditonhold';
/** Relationship Type: 3 Customer, 8 Prospect. */
const RELATIONSHIP_COLUMN = 'customertypecode';
const RELATIONSHIP_CUSTOMER = 3;
const RELATIONSHIP_PROSPECT = 8;

/** statecode and statuscode, always written together as documented. */
export interface RecordState {
  statecode: number;
  statuscode: number;
}
const ACCOUNT_ACTIVE: RecordState = { statecode: 0, statuscode: 1 };
const ACCOUNT_INACTIVE: RecordState = { statecode: 1, statuscode: 2 };

type Lifecycle = NonNullable<Customer['lifecycle']>;
/** Dataverse has no prospect state: an active account's Relationship Type tells prospects from customers. */
const LIFECYCLE_WRITES: Readonly<Record<Lifecycle, { state: RecordState; relationship?: number }>> = {
  inactive: { state: ACCOUNT_INACTIVE },
  prospect: { state: ACCOUNT_ACTIVE, relationship: RELATIONSHIP_PROSPECT },
  customer: { state: ACCOUNT_ACTIVE, relationship: RELATIONSHIP_CUSTOMER },
};

/** What a (partial) customer writes to an account. */
export interface AccountChanges {
  columns: Row;
  /** Present when the customer sets a lifecycle. */
  state?: RecordState;
}

export function isActiveState(state: RecordState): boolean {
  return state.statecode === ACCOUNT_ACTIVE.statecode;
}

export function customerToAccount(customer: Partial<Customer>, settings: DataverseSettings): AccountChanges {
  const columns: Row = {};
  for (const [field, column] of TEXT_COLUMNS) {
    if (customer[field] !== undefined) columns[column] = customer[field];
  }
  const address = customer.address ?? {};
  for (const [field, column] of ADDRESS_COLUMNS) {
    if (address[field] !== undefined) columns[column] = address[field];
  }
  if (address.country !== undefined) columns[COUNTRY_COLUMN] = address.country;
  if (customer.creditLimit !== undefined) columns[CREDIT_LIMIT_COLUMN] = customer.creditLimit;
  if (customer.blocked !== undefined) columns[CREDIT_HOLD_COLUMN] = customer.blocked !== 'none';
  if (settings.paymentTermsColumn !== undefined && customer.paymentTerms !== undefined) {
    columns[settings.paymentTermsColumn] = customer.paymentTerms;
  }
  const erpNumber = customer.ids?.[settings.erpSystem];
  if (erpNumber !== undefined) columns[settings.erpNumberColumn] = erpNumber;
  if (settings.taxIdColumn !== undefined && customer.taxId !== undefined)
    columns[settings.taxIdColumn] = customer.taxId;
  for (const [name, column] of settings.customColumns) {
    const value = customer.custom?.[name];
    if (value !== undefined) columns[column] = value;
  }

  if (customer.lifecycle === undefined) return { columns };
  const { state, relationship } = LIFECYCLE_WRITES[customer.lifecycle];
  if (relationship !== undefined) columns[RELATIONSHIP_COLUMN] = relationship;
  return { columns, state };
}

function lifecycleOf(row: Row): Lifecycle {
  if (row['statecode'] === ACCOUNT_INACTIVE.statecode) return 'inactive';
  return row[RELATIONSHIP_COLUMN] === RELATIONSHIP_PROSPECT ? 'prospect' : 'customer';
}

function addressOf(row: Row): Address | undefined {
  const address: Address = {};
  for (const [field, column] of ADDRESS_COLUMNS) {
    const value = textOf(row, column);
    if (value !== undefined) address[field] = value;
  }
  // Accounts often hold a country name ("Germany"); only an ISO code is kept, anything else is left out.
  const country = textOf(row, COUNTRY_COLUMN)?.trim().toUpperCase();
  if (country !== undefined && isCountryCode(country)) address.country = country;
  return Object.keys(address).length > 0 ? address : undefined;
}

function customFieldsOf(row: Row, settings: DataverseSettings): CustomFields | undefined {
  const custom: CustomFields = {};
  for (const [name, column] of settings.customColumns) {
    const value = row[column];
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      custom[name] = value;
    }
  }
  return Object.keys(custom).length > 0 ? custom : undefined;
}

export function accountToRecord(row: Row, settings: DataverseSettings): SystemRecord<Customer> {
  const id = String(row['accountid']);
  const erpNumber = textOf(row, settings.erpNumberColumn);
  const ids: SystemIds = { [settings.system]: id };
  if (erpNumber !== undefined) ids[settings.erpSystem] = erpNumber;

  const customer: Customer = { ids, name: textOf(row, 'name') ?? '' };
  for (const [field, column] of TEXT_COLUMNS) {
    const value = textOf(row, column);
    if (field !== 'name' && value !== undefined) customer[field] = value;
  }
  const taxId = settings.taxIdColumn === undefined ? undefined : textOf(row, settings.taxIdColumn);
  if (taxId !== undefined) customer.taxId = taxId;
  const address = addressOf(row);
  if (address !== undefined) customer.address = address;
  const creditLimit = numberOf(row, CREDIT_LIMIT_COLUMN);
  if (creditLimit !== undefined) customer.creditLimit = creditLimit;
  // Credit Hold says only whether, not how, a customer is blocked: on hold reads as blocked for all.
  if (typeof row[CREDIT_HOLD_COLUMN] === 'boolean') customer.blocked = row[CREDIT_HOLD_COLUMN] ? 'all' : 'none';
  const paymentTerms = settings.paymentTermsColumn === undefined ? undefined : textOf(row, settings.paymentTermsColumn);
  if (paymentTerms !== undefined) customer.paymentTerms = paymentTerms;
  customer.lifecycle = lifecycleOf(row);
  const modifiedAt = textOf(row, 'modifiedon');
  if (modifiedAt !== undefined) customer.modifiedAt = modifiedAt;
  const custom = customFieldsOf(row, settings);
  if (custom !== undefined) customer.custom = custom;

  return systemRecord(id, row, customer, erpNumber);
}

function systemRecord<T>(id: string, row: Row, data: T, number: string | undefined): SystemRecord<T> {
  const record: SystemRecord<T> = { id, data };
  if (number !== undefined) record.number = number;
  const etag = textOf(row, '@odata.etag');
  if (etag !== undefined) record.etag = etag;
  const modifiedAt = textOf(row, 'modifiedon');
  if (modifiedAt !== undefined) record.modifiedAt = modifiedAt;
  return record;
}

// ---------------------------------------------------------------- references shared by orders and invoices

/** The single-valued navigation property of the polymorphic customer lookup when it points to an account. */
const CUSTOMER_ACCOUNT = 'customerid_account';
const ORDER_LOOKUP = 'salesorderid';

/** $expand that brings the account's ERP number along with an order or invoice. */
function customerExpand(settings: DataverseSettings): string {
  return `${CUSTOMER_ACCOUNT}($select=${settings.erpNumberColumn})`;
}

function expanded(row: Row, navigation: string): Row {
  const value = row[navigation];
  return typeof value === 'object' && value !== null ? (value as Row) : {};
}

/** The customer of an order or invoice: its account id, and the ERP number when it is a linked account. */
function customerRefOf(row: Row, settings: DataverseSettings): RecordRef {
  const ids: SystemIds = {};
  const customerId = textOf(row, '_customerid_value');
  if (customerId !== undefined) ids[settings.system] = customerId;
  const erpNumber = textOf(expanded(row, CUSTOMER_ACCOUNT), settings.erpNumberColumn);
  if (erpNumber === undefined) return { ids };
  ids[settings.erpSystem] = erpNumber;
  return { ids, number: erpNumber };
}

// ---------------------------------------------------------------- salesorder → order

export const ORDER_NUMBER_COLUMN = 'ordernumber';
const ORDER_LINE_PRODUCT = 'productid';

/** salesorder statecode → canonical status; Active splits by statuscode 1 New (a draft) and 2 Pending. */
const ORDER_STATUS_BY_STATE: Readonly<Record<number, Order['status']>> = {
  0: 'open',
  1: 'submitted',
  2: 'cancelled',
  3: 'won',
  4: 'won',
};
const ORDER_STATUS_NEW = 1;

export function salesOrderQuery(settings: DataverseSettings): Record<string, string> {
  return { $expand: customerExpand(settings) };
}

/** The lookup column of an order line that names its order. */
export const ORDER_LINE_ORDER_COLUMN = `_${ORDER_LOOKUP}_value`;

/** The lines of one or more orders (ids checked as GUIDs by the caller), in line order, with their product numbers. */
export function salesOrderLineQuery(orderIds: readonly string[]): Record<string, string> {
  return {
    $filter: orderIds.map((id) => `${ORDER_LINE_ORDER_COLUMN} eq ${id}`).join(' or '),
    $expand: `${ORDER_LINE_PRODUCT}($select=productnumber)`,
    $orderby: 'lineitemnumber,salesorderdetailid',
  };
}

function orderStatusOf(row: Row): Order['status'] {
  const statecode = numberOf(row, 'statecode') ?? 0;
  if (statecode === 0 && row['statuscode'] === ORDER_STATUS_NEW) return 'draft';
  return ORDER_STATUS_BY_STATE[statecode] ?? 'open';
}

/** A salesorderdetail: the product's number, or the description of a write-in product. */
export function salesOrderLineToCanonical(row: Row): OrderLine | undefined {
  const description = textOf(row, 'productdescription') ?? textOf(row, 'description');
  const itemNumber = textOf(expanded(row, ORDER_LINE_PRODUCT), 'productnumber') ?? description;
  const quantity = numberOf(row, 'quantity');
  if (itemNumber === undefined || quantity === undefined || quantity <= 0) return undefined;
  const line: OrderLine = { itemNumber, quantity };
  if (description !== undefined && description !== itemNumber) line.description = description;
  const unitPrice = numberOf(row, 'priceperunit');
  if (unitPrice !== undefined) line.unitPrice = unitPrice;
  const discount = numberOf(row, 'manualdiscountamount');
  if (discount !== undefined && discount > 0) line.discountAmount = discount;
  return line;
}

/**
 * An order whose products cannot be read as lines keeps an empty list (the canonical model needs at
 * least one), so validation names it instead of the order vanishing from a change feed.
 */
export function salesOrderToRecord(
  row: Row,
  lines: readonly OrderLine[],
  currency: CurrencyCode | undefined,
  settings: DataverseSettings,
): SystemRecord<Order> {
  const id = String(row['salesorderid']);
  const orderNumber = textOf(row, ORDER_NUMBER_COLUMN);
  const order: Order = {
    sourceId: id,
    ids: { [settings.system]: id },
    customer: customerRefOf(row, settings),
    // submitdate is set when the order is submitted; until then the order dates from its creation.
    orderDate: dateOf(row, 'submitdate') ?? dateOf(row, 'createdon') ?? '',
    status: orderStatusOf(row),
    lines: [...lines] as Order['lines'],
  };
  if (orderNumber !== undefined) order.externalDocumentNumber = orderNumber;
  const requestedDeliveryDate = dateOf(row, 'requestdeliveryby');
  if (requestedDeliveryDate !== undefined) order.requestedDeliveryDate = requestedDeliveryDate;
  if (currency !== undefined) order.currency = currency;
  const modifiedAt = textOf(row, 'modifiedon');
  if (modifiedAt !== undefined) order.modifiedAt = modifiedAt;
  return systemRecord(id, row, order, orderNumber);
}

// ---------------------------------------------------------------- invoice → invoice status

export const INVOICE_NUMBER_COLUMN = 'invoicenumber';
const INVOICE_PAID = 2;
const INVOICE_CANCELED = 3;
/** Paid state, status "Partial": money is still owed, so the amounts decide. */
const INVOICE_PAID_PARTIAL = 100002;
/** Deprecated Closed state (1): status 7 Paid in Full, 3 Canceled. */
const INVOICE_CLOSED = 1;
const INVOICE_CLOSED_PAID = 7;
const INVOICE_CLOSED_CANCELED = 3;

export function invoiceQuery(settings: DataverseSettings): Record<string, string> {
  return { $expand: `${customerExpand(settings)},${ORDER_LOOKUP}($select=${ORDER_NUMBER_COLUMN})` };
}

function invoiceSettlement(row: Row): { paid: boolean; cancelled: boolean } {
  const statecode = row['statecode'];
  const statuscode = row['statuscode'];
  const closed = statecode === INVOICE_CLOSED;
  return {
    paid:
      (statecode === INVOICE_PAID && statuscode !== INVOICE_PAID_PARTIAL) ||
      (closed && statuscode === INVOICE_CLOSED_PAID),
    cancelled: statecode === INVOICE_CANCELED || (closed && statuscode === INVOICE_CLOSED_CANCELED),
  };
}

export function invoiceToStatus(row: Row, currency: CurrencyCode, settings: DataverseSettings): InvoiceStatus {
  const amount = numberOf(row, 'totalamount') ?? 0;
  const { paid, cancelled } = invoiceSettlement(row);
  // msdyn_amountdue comes with Dynamics 365 Project Operations / Field Service; without it the total is owed.
  const remainingAmount = paid || cancelled ? 0 : (numberOf(row, 'msdyn_amountdue') ?? amount);
  const dueDate = dateOf(row, 'duedate') ?? dateOf(row, 'createdon') ?? '';
  const invoice: InvoiceStatus = {
    invoiceNumber: textOf(row, INVOICE_NUMBER_COLUMN) ?? '',
    ids: { [settings.system]: String(row['invoiceid']) },
    customer: customerRefOf(row, settings),
    dueDate,
    currency,
    amount,
    remainingAmount,
    ...invoicePaymentStatus({ amount, remainingAmount, dueDate, paid, cancelled }),
  };
  const orderId = textOf(row, `_${ORDER_LOOKUP}_value`);
  if (orderId !== undefined) {
    const order: RecordRef = { ids: { [settings.system]: orderId } };
    const orderNumber = textOf(expanded(row, ORDER_LOOKUP), ORDER_NUMBER_COLUMN);
    if (orderNumber !== undefined) order.number = orderNumber;
    invoice.order = order;
  }
  return invoice;
}
