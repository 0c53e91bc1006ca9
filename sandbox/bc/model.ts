import type { FieldSpec } from '../kit/fields';
import type { Row } from '../kit/store';

/**
 * Entity sets of the Business Central API v2.0 that the emulator serves. Field names follow the API
 * reference; string lengths are those of the underlying NAV/BC table fields, `Code` fields are upper-cased.
 */

export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

export type NavigationSpec =
  /** A related record found through a GUID field of this record. */
  | { readonly kind: 'reference'; readonly target: string; readonly idField: string }
  /** Child records whose `parentField` holds this record's id. */
  | { readonly kind: 'children'; readonly target: string; readonly parentField: string }
  /** A record of `target` with the same id (customer → customerFinancialDetail). */
  | { readonly kind: 'sameId'; readonly target: string };

export interface NumberSeries {
  readonly prefix: string;
  readonly lastUsed: number;
  readonly step: number;
  readonly digits: number;
}

export interface EntitySetSpec {
  readonly name: string;
  /** `customer` → OData type Microsoft.NAV.customer */
  readonly entityType: string;
  /** Table caption used in NAV-style messages ("The Customer does not exist…"). */
  readonly caption: string;
  readonly fields: readonly FieldSpec[];
  /** GET-only entity sets reject POST, PATCH and DELETE with 405. */
  readonly readOnly: boolean;
  /** Number series for `number` when a POST leaves it out. */
  readonly numberSeries?: NumberSeries;
  /** Default sort order of collections (BC returns rows in primary-key order). */
  readonly orderBy: string;
  readonly navigation: Readonly<Record<string, NavigationSpec>>;
  /** Children that the parent's POST may contain (deep insert). */
  readonly deepInsert?: string;
}

const text = (name: string, maxLength: number): FieldSpec => ({ name, type: 'string', maxLength });
const code = (name: string, maxLength: number): FieldSpec => ({ name, type: 'string', maxLength, uppercase: true });
const guid = (name: string): FieldSpec => ({ name, type: 'guid' });
const decimal = (name: string): FieldSpec => ({ name, type: 'decimal' });
const computed = (name: string, type: FieldSpec['type']): FieldSpec => ({ name, type, readOnly: true });
const lastModified: FieldSpec = computed('lastModifiedDateTime', 'datetime');

function addressFields(prefix: string): FieldSpec[] {
  return [
    text(`${prefix}AddressLine1`, 100),
    text(`${prefix}AddressLine2`, 50),
    text(`${prefix}City`, 30),
    code(`${prefix}Country`, 10),
    text(`${prefix}State`, 30),
    code(`${prefix}PostCode`, 20),
  ];
}

const CUSTOMER_BLOCKED = [' ', 'Ship', 'Invoice', 'All'] as const;

const customers: EntitySetSpec = {
  name: 'customers',
  entityType: 'customer',
  caption: 'Customer',
  readOnly: false,
  numberSeries: { prefix: 'C', lastUsed: 0, step: 10, digits: 5 },
  orderBy: 'number',
  fields: [
    guid('id'),
    code('number', 20),
    text('displayName', 100),
    { name: 'type', type: 'string', options: ['Company', 'Person'] },
    text('addressLine1', 100),
    text('addressLine2', 50),
    text('city', 30),
    text('state', 30),
    code('country', 10),
    code('postalCode', 20),
    text('phoneNumber', 30),
    text('email', 80),
    text('website', 80),
    code('salespersonCode', 20),
    computed('balanceDue', 'decimal'),
    decimal('creditLimit'),
    text('taxRegistrationNumber', 20),
    guid('currencyId'),
    code('currencyCode', 10),
    guid('paymentTermsId'),
    guid('shipmentMethodId'),
    guid('paymentMethodId'),
    { name: 'blocked', type: 'string', options: CUSTOMER_BLOCKED },
    lastModified,
  ],
  navigation: {
    customerFinancialDetail: { kind: 'sameId', target: 'customerFinancialDetails' },
    paymentTerm: { kind: 'reference', target: 'paymentTerms', idField: 'paymentTermsId' },
    currency: { kind: 'reference', target: 'currencies', idField: 'currencyId' },
  },
};

const items: EntitySetSpec = {
  name: 'items',
  entityType: 'item',
  caption: 'Item',
  readOnly: false,
  numberSeries: { prefix: '', lastUsed: 70000, step: 10, digits: 5 },
  orderBy: 'number',
  fields: [
    guid('id'),
    code('number', 20),
    text('displayName', 100),
    { name: 'type', type: 'string', options: ['Inventory', 'Service', 'Non-Inventory'] },
    code('itemCategoryCode', 20),
    { name: 'blocked', type: 'boolean' },
    text('gtin', 14),
    computed('inventory', 'decimal'),
    decimal('unitPrice'),
    { name: 'priceIncludesTax', type: 'boolean' },
    decimal('unitCost'),
    code('baseUnitOfMeasureCode', 10),
    lastModified,
  ],
  navigation: {},
};

const salesOrders: EntitySetSpec = {
  name: 'salesOrders',
  entityType: 'salesOrder',
  caption: 'Sales Header',
  readOnly: false,
  numberSeries: { prefix: 'S-ORD', lastUsed: 101003, step: 1, digits: 6 },
  orderBy: 'number',
  deepInsert: 'salesOrderLines',
  fields: [
    guid('id'),
    code('number', 20),
    text('externalDocumentNumber', 35),
    { name: 'orderDate', type: 'date' },
    { name: 'postingDate', type: 'date' },
    guid('customerId'),
    code('customerNumber', 20),
    computed('customerName', 'string'),
    text('billToName', 100),
    guid('billToCustomerId'),
    code('billToCustomerNumber', 20),
    text('shipToName', 100),
    text('shipToContact', 100),
    ...addressFields('sellTo'),
    ...addressFields('billTo'),
    ...addressFields('shipTo'),
    guid('currencyId'),
    code('currencyCode', 10),
    { name: 'pricesIncludeTax', type: 'boolean' },
    guid('paymentTermsId'),
    guid('shipmentMethodId'),
    code('salesperson', 20),
    { name: 'requestedDeliveryDate', type: 'date' },
    decimal('discountAmount'),
    computed('discountAppliedBeforeTax', 'boolean'),
    computed('totalAmountExcludingTax', 'decimal'),
    computed('totalTaxAmount', 'decimal'),
    computed('totalAmountIncludingTax', 'decimal'),
    computed('fullyShipped', 'boolean'),
    { name: 'status', type: 'string', options: ['Draft', 'In Review', 'Open'], readOnly: true },
    lastModified,
    text('phoneNumber', 30),
    text('email', 80),
  ],
  navigation: {
    salesOrderLines: { kind: 'children', target: 'salesOrderLines', parentField: 'documentId' },
    customer: { kind: 'reference', target: 'customers', idField: 'customerId' },
    currency: { kind: 'reference', target: 'currencies', idField: 'currencyId' },
    paymentTerm: { kind: 'reference', target: 'paymentTerms', idField: 'paymentTermsId' },
  },
};

const LINE_TYPES = ['Comment', 'Account', 'Item', 'Resource', 'Fixed Asset', 'Charge'] as const;

const salesOrderLines: EntitySetSpec = {
  name: 'salesOrderLines',
  entityType: 'salesOrderLine',
  caption: 'Sales Line',
  readOnly: false,
  orderBy: 'sequence',
  fields: [
    guid('id'),
    computed('documentId', 'guid'),
    { name: 'sequence', type: 'integer' },
    guid('itemId'),
    guid('accountId'),
    { name: 'lineType', type: 'string', options: LINE_TYPES },
    code('lineObjectNumber', 20),
    text('description', 100),
    code('unitOfMeasureCode', 10),
    decimal('quantity'),
    decimal('unitPrice'),
    decimal('discountAmount'),
    decimal('discountPercent'),
    computed('discountAppliedBeforeTax', 'boolean'),
    computed('amountExcludingTax', 'decimal'),
    code('taxCode', 20),
    computed('taxPercent', 'decimal'),
    computed('totalTaxAmount', 'decimal'),
    computed('amountIncludingTax', 'decimal'),
    { name: 'shipmentDate', type: 'date' },
    computed('shippedQuantity', 'decimal'),
    computed('invoicedQuantity', 'decimal'),
    decimal('invoiceQuantity'),
    decimal('shipQuantity'),
  ],
  navigation: {
    item: { kind: 'reference', target: 'items', idField: 'itemId' },
  },
};

const INVOICE_STATUSES = [' ', 'Draft', 'In Review', 'Open', 'Paid', 'Canceled', 'Corrective'] as const;

const salesInvoices: EntitySetSpec = {
  name: 'salesInvoices',
  entityType: 'salesInvoice',
  caption: 'Sales Invoice Header',
  readOnly: true,
  orderBy: 'number',
  fields: [
    guid('id'),
    code('number', 20),
    text('externalDocumentNumber', 35),
    { name: 'invoiceDate', type: 'date' },
    { name: 'postingDate', type: 'date' },
    { name: 'dueDate', type: 'date' },
    guid('customerId'),
    code('customerNumber', 20),
    text('customerName', 100),
    text('billToName', 100),
    guid('billToCustomerId'),
    code('billToCustomerNumber', 20),
    guid('orderId'),
    code('orderNumber', 20),
    guid('currencyId'),
    code('currencyCode', 10),
    guid('paymentTermsId'),
    { name: 'pricesIncludeTax', type: 'boolean' },
    decimal('discountAmount'),
    decimal('totalAmountExcludingTax'),
    decimal('totalTaxAmount'),
    decimal('totalAmountIncludingTax'),
    decimal('remainingAmount'),
    { name: 'status', type: 'string', options: INVOICE_STATUSES },
    lastModified,
  ],
  navigation: {
    customer: { kind: 'reference', target: 'customers', idField: 'customerId' },
    currency: { kind: 'reference', target: 'currencies', idField: 'currencyId' },
    paymentTerm: { kind: 'reference', target: 'paymentTerms', idField: 'paymentTermsId' },
  },
};

const customerFinancialDetails: EntitySetSpec = {
  name: 'customerFinancialDetails',
  entityType: 'customerFinancialDetail',
  caption: 'Customer',
  readOnly: true,
  orderBy: 'number',
  fields: [
    guid('id'),
    code('number', 20),
    decimal('balance'),
    decimal('totalSalesExcludingTax'),
    decimal('overdueAmount'),
    lastModified,
  ],
  navigation: {},
};

const paymentTerms: EntitySetSpec = {
  name: 'paymentTerms',
  entityType: 'paymentTerm',
  caption: 'Payment Terms',
  readOnly: true,
  orderBy: 'code',
  fields: [
    guid('id'),
    code('code', 10),
    text('displayName', 100),
    text('dueDateCalculation', 32),
    text('discountDateCalculation', 32),
    decimal('discountPercent'),
    { name: 'calculateDiscountOnCreditMemos', type: 'boolean' },
    lastModified,
  ],
  navigation: {},
};

const currencies: EntitySetSpec = {
  name: 'currencies',
  entityType: 'currency',
  caption: 'Currency',
  readOnly: true,
  orderBy: 'code',
  fields: [
    guid('id'),
    code('code', 10),
    text('displayName', 30),
    text('symbol', 10),
    { name: 'amountDecimalPlaces', type: 'string' },
    decimal('amountRoundingPrecision'),
    lastModified,
  ],
  navigation: {},
};

export const COMPANY_FIELDS: readonly FieldSpec[] = [
  guid('id'),
  text('systemVersion', 30),
  text('name', 30),
  text('displayName', 250),
  text('businessProfileId', 250),
  { name: 'systemCreatedAt', type: 'datetime' },
  { name: 'systemModifiedAt', type: 'datetime' },
];

export const ENTITY_SETS: Readonly<Record<string, EntitySetSpec>> = Object.fromEntries(
  [
    customers,
    items,
    salesOrders,
    salesOrderLines,
    salesInvoices,
    customerFinancialDetails,
    paymentTerms,
    currencies,
  ].map((spec) => [spec.name, spec]),
);

export function entitySet(name: string): EntitySetSpec {
  const spec = ENTITY_SETS[name];
  if (spec === undefined) throw new Error(`Unknown entity set ${name}`);
  return spec;
}

/** Tables are kept per company: `<companyId>/<entitySet>`. */
export function tableName(companyId: string, entitySet: string): string {
  return `${companyId}/${entitySet}`;
}

export const COMPANIES_TABLE = 'companies';

/** A new record as NAV initialises it: blank text, zero amounts, empty GUIDs, first option. */
export function blankRow(spec: EntitySetSpec): Row {
  const row: Row = {};
  for (const field of spec.fields) if (field.name !== 'lastModifiedDateTime') row[field.name] = blankValue(field);
  return row;
}

export function blankValue(field: FieldSpec): unknown {
  if (field.options !== undefined) return field.options[0];
  switch (field.type) {
    case 'string':
      return '';
    case 'decimal':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'guid':
      return ZERO_GUID;
    case 'date':
      return '0001-01-01';
    case 'datetime':
      return '0001-01-01T00:00:00Z';
  }
}
