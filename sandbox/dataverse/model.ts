import type { FieldSpec } from '../kit/fields';

/**
 * The Dataverse tables the emulator serves (Dynamics 365 Sales account, salesorder with its
 * salesorderdetail lines and their product, invoice), with column names, lengths and state/status
 * values as documented.
 */

export interface LookupSpec {
  /** Logical name of the lookup column; its value is returned as `_<column>_value`. */
  readonly column: string;
  /** Single-valued navigation properties that set the lookup, each with its target entity set. */
  readonly navigation: Readonly<Record<string, string>>;
}

/** A one-to-many relationship seen from the "one" side, e.g. account → its sales orders. */
export interface CollectionSpec {
  readonly target: string;
  readonly lookupColumn: string;
}

export interface StateSpec {
  readonly name: string;
  readonly defaultStatus: number;
  readonly statuses: Readonly<Record<number, string>>;
}

export interface TableSpec {
  readonly entitySet: string;
  readonly logicalName: string;
  readonly primaryKey: string;
  /** Primary name column, used for the formatted value of lookups. */
  readonly primaryName: string;
  readonly columns: readonly FieldSpec[];
  readonly lookups: readonly LookupSpec[];
  readonly collections: Readonly<Record<string, CollectionSpec>>;
  /** Name of the state enumeration in error messages, e.g. AccountState. */
  readonly stateEnum: string;
  readonly states: Readonly<Record<number, StateSpec>>;
  /** Autonumber column filled on create when left empty, e.g. ORD-01003-K7Q2M4. */
  readonly autoNumber?: { readonly column: string; readonly prefix: string; readonly lastUsed: number };
}

const text = (name: string, maxLength: number): FieldSpec => ({ name, type: 'string', maxLength });
const money = (name: string): FieldSpec => ({ name, type: 'decimal' });
const choice = (name: string, options: readonly number[]): FieldSpec => ({ name, type: 'integer', options });
const system = (name: string, type: FieldSpec['type']): FieldSpec => ({ name, type, readOnly: true });
const stateColumns: readonly FieldSpec[] = [
  { name: 'statecode', type: 'integer' },
  { name: 'statuscode', type: 'integer' },
];
const systemColumns: readonly FieldSpec[] = [
  system('createdon', 'datetime'),
  system('modifiedon', 'datetime'),
  system('versionnumber', 'integer'),
];

/** Formatted values of choice columns, keyed by column then value. */
export const CHOICE_LABELS: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  customertypecode: {
    1: 'Competitor',
    2: 'Consultant',
    3: 'Customer',
    4: 'Investor',
    5: 'Partner',
    6: 'Influencer',
    7: 'Press',
    8: 'Prospect',
    9: 'Reseller',
    10: 'Supplier',
    11: 'Vendor',
    12: 'Other',
  },
  accountcategorycode: { 1: 'Preferred Customer', 2: 'Standard' },
};

const accounts: TableSpec = {
  entitySet: 'accounts',
  logicalName: 'account',
  primaryKey: 'accountid',
  primaryName: 'name',
  columns: [
    { name: 'accountid', type: 'guid' },
    text('name', 160),
    text('accountnumber', 20),
    text('new_erpcustomerno', 20),
    choice('customertypecode', Object.keys(CHOICE_LABELS.customertypecode ?? {}).map(Number)),
    choice('accountcategorycode', [1, 2]),
    text('emailaddress1', 100),
    text('telephone1', 50),
    text('websiteurl', 200),
    text('address1_line1', 250),
    text('address1_line2', 250),
    text('address1_city', 80),
    text('address1_stateorprovince', 50),
    text('address1_postalcode', 20),
    text('address1_country', 80),
    { name: 'address1_latitude', type: 'decimal' },
    money('creditlimit'),
    { name: 'creditonhold', type: 'boolean' },
    money('revenue'),
    { name: 'numberofemployees', type: 'integer' },
    text('description', 2000),
    text('new_paymentterms', 10),
    money('new_openbalance'),
    money('new_overduebalance'),
    { name: 'new_oldestduedate', type: 'date' },
    { name: 'new_invoicescheckedat', type: 'datetime' },
    ...stateColumns,
    ...systemColumns,
  ],
  lookups: [{ column: 'parentaccountid', navigation: { parentaccountid: 'accounts' } }],
  collections: {
    order_customer_accounts: { target: 'salesorders', lookupColumn: 'customerid' },
    invoice_customer_accounts: { target: 'invoices', lookupColumn: 'customerid' },
    account_parent_account: { target: 'accounts', lookupColumn: 'parentaccountid' },
  },
  stateEnum: 'AccountState',
  states: {
    0: { name: 'Active', defaultStatus: 1, statuses: { 1: 'Active' } },
    1: { name: 'Inactive', defaultStatus: 2, statuses: { 2: 'Inactive' } },
  },
};

const customerLookup: LookupSpec = {
  column: 'customerid',
  navigation: { customerid_account: 'accounts', customerid_contact: 'contacts' },
};

const salesorders: TableSpec = {
  entitySet: 'salesorders',
  logicalName: 'salesorder',
  primaryKey: 'salesorderid',
  primaryName: 'name',
  columns: [
    { name: 'salesorderid', type: 'guid' },
    text('ordernumber', 100),
    text('new_erpordernumber', 20),
    text('name', 300),
    text('description', 2000),
    money('totalamount'),
    { name: 'requestdeliveryby', type: 'date' },
    { name: 'datefulfilled', type: 'date' },
    ...stateColumns,
    ...systemColumns,
  ],
  lookups: [customerLookup],
  collections: {
    order_invoices: { target: 'invoices', lookupColumn: 'salesorderid' },
    order_details: { target: 'salesorderdetails', lookupColumn: 'salesorderid' },
  },
  stateEnum: 'SalesOrderState',
  states: {
    0: { name: 'Active', defaultStatus: 1, statuses: { 1: 'New', 2: 'Pending' } },
    1: { name: 'Submitted', defaultStatus: 3, statuses: { 3: 'In Progress' } },
    2: { name: 'Canceled', defaultStatus: 4, statuses: { 4: 'No Money' } },
    3: { name: 'Fulfilled', defaultStatus: 100001, statuses: { 100001: 'Complete', 100002: 'Partial' } },
    4: { name: 'Invoiced', defaultStatus: 100003, statuses: { 100003: 'Invoiced' } },
  },
  autoNumber: { column: 'ordernumber', prefix: 'ORD', lastUsed: 1003 },
};

/** Products of the product catalogue; `productnumber` (shown as "ID") is what an ERP knows them by. */
const products: TableSpec = {
  entitySet: 'products',
  logicalName: 'product',
  primaryKey: 'productid',
  primaryName: 'name',
  columns: [
    { name: 'productid', type: 'guid' },
    text('productnumber', 100),
    text('name', 100),
    text('description', 2000),
    money('price'),
    ...stateColumns,
    ...systemColumns,
  ],
  lookups: [],
  collections: {},
  stateEnum: 'ProductState',
  states: {
    0: { name: 'Active', defaultStatus: 1, statuses: { 1: 'Active' } },
    1: { name: 'Retired', defaultStatus: 2, statuses: { 2: 'Retired' } },
    2: { name: 'Draft', defaultStatus: 0, statuses: { 0: 'Draft' } },
    3: { name: 'Under Revision', defaultStatus: 3, statuses: { 3: 'Under Revision' } },
  },
};

/**
 * Order products: the lines of a sales order. A line names a catalogue product (`productid`) or, as a
 * write-in product (`isproductoverridden`), only describes it (`productdescription`). Order lines have no
 * state of their own; the amounts Dataverse calculates are read-only.
 */
const salesorderdetails: TableSpec = {
  entitySet: 'salesorderdetails',
  logicalName: 'salesorderdetail',
  primaryKey: 'salesorderdetailid',
  primaryName: 'productdescription',
  columns: [
    { name: 'salesorderdetailid', type: 'guid' },
    { name: 'lineitemnumber', type: 'integer' },
    { name: 'isproductoverridden', type: 'boolean' },
    text('productdescription', 500),
    text('description', 2000),
    { name: 'quantity', type: 'decimal' },
    { name: 'ispriceoverridden', type: 'boolean' },
    money('priceperunit'),
    money('manualdiscountamount'),
    system('baseamount', 'decimal'),
    system('extendedamount', 'decimal'),
    ...systemColumns,
  ],
  lookups: [
    { column: 'salesorderid', navigation: { salesorderid: 'salesorders' } },
    { column: 'productid', navigation: { productid: 'products' } },
  ],
  collections: {},
  stateEnum: 'SalesOrderDetailState',
  states: {},
};

const invoices: TableSpec = {
  entitySet: 'invoices',
  logicalName: 'invoice',
  primaryKey: 'invoiceid',
  primaryName: 'name',
  columns: [
    { name: 'invoiceid', type: 'guid' },
    text('invoicenumber', 100),
    text('name', 300),
    text('description', 2000),
    { name: 'duedate', type: 'date' },
    money('totalamount'),
    money('msdyn_amountdue'),
    ...stateColumns,
    ...systemColumns,
  ],
  lookups: [customerLookup, { column: 'salesorderid', navigation: { salesorderid: 'salesorders' } }],
  collections: {},
  stateEnum: 'InvoiceState',
  states: {
    0: {
      name: 'Active',
      defaultStatus: 1,
      statuses: {
        1: 'New',
        2: 'Partially Shipped',
        4: 'Billed',
        5: 'Booked (applies to services)',
        6: 'Installed (applies to services)',
      },
    },
    1: { name: 'Closed', defaultStatus: 7, statuses: { 3: 'Canceled (deprecated)', 7: 'Paid in Full (deprecated)' } },
    2: { name: 'Paid', defaultStatus: 100001, statuses: { 100001: 'Complete', 100002: 'Partial' } },
    3: { name: 'Canceled', defaultStatus: 100003, statuses: { 100003: 'Canceled' } },
  },
  autoNumber: { column: 'invoicenumber', prefix: 'INV', lastUsed: 1002 },
};

export const TABLES: Readonly<Record<string, TableSpec>> = {
  accounts,
  salesorders,
  salesorderdetails,
  products,
  invoices,
};

/** Default alternate keys: the emulator defines keys that a real environment would need to have created. */
export const DEFAULT_ALTERNATE_KEYS: Readonly<Record<string, ReadonlyArray<readonly string[]>>> = {
  accounts: [['accountnumber'], ['new_erpcustomerno']],
  salesorders: [['ordernumber']],
  invoices: [['invoicenumber']],
};

export function lookupValueName(column: string): string {
  return `_${column}_value`;
}

export function tableSpec(entitySet: string): TableSpec {
  const spec = TABLES[entitySet];
  if (spec === undefined) throw new Error(`Unknown entity set ${entitySet}`);
  return spec;
}
