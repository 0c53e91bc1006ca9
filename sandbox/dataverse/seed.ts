import { DataStore, emptyState, type Row, type StoreState } from '../kit/store';
import { DataverseData } from './data';
import { DEFAULT_ALTERNATE_KEYS, tableSpec } from './model';

/**
 * Demo data of the Dataverse emulator: accounts for some of the Business Central demo customers (some
 * already linked through new_erpcustomerno), one prospect, a few orders with their products and a few
 * invoices. Adatum Corporation (BC customer 10000) is deliberately missing so the documented upsert
 * example creates it. The products carry the item numbers of the Business Central demo items as their
 * product number, as a CRM whose catalogue comes from the ERP has them.
 */

export const DATAVERSE_SEED = {
  accountId: (index: number): string => `acc00000-0000-4000-8000-${String(index).padStart(12, '0')}`,
  salesOrderId: (index: number): string => `5a1e0000-0000-4000-8000-${String(index).padStart(12, '0')}`,
  invoiceId: (index: number): string => `1a5e0000-0000-4000-8000-${String(index).padStart(12, '0')}`,
  productId: (index: number): string => `9d0d0000-0000-4000-8000-${String(index).padStart(12, '0')}`,
  salesOrderDetailId: (index: number): string => `5d1e0000-0000-4000-8000-${String(index).padStart(12, '0')}`,
} as const;

/** Products 1 to 5: the BC demo items 1896-S … 1920-S with their BC prices. */
const products: Row[] = [
  { productnumber: '1896-S', name: 'ATHENS Desk', price: 1000.8 },
  { productnumber: '1900-S', name: 'PARIS Guest Chair, black', price: 192.8 },
  { productnumber: '1906-S', name: 'ATHENS Mobile Pedestal', price: 281.4 },
  { productnumber: '1908-S', name: 'LONDON Swivel Chair, blue', price: 190.1 },
  { productnumber: '1920-S', name: 'ANTWERP Conference Table', price: 649.4 },
].map((product, index) => ({ productid: DATAVERSE_SEED.productId(index + 1), ...product }));

const accounts: Row[] = [
  {
    accountid: DATAVERSE_SEED.accountId(1),
    name: 'Fabrikam GmbH',
    accountnumber: 'C20000',
    new_erpcustomerno: '20000',
    customertypecode: 3,
    emailaddress1: 'buchhaltung@fabrikam.de',
    telephone1: '+49 89 4711 0',
    address1_line1: 'Leopoldstraße 12',
    address1_city: 'München',
    address1_postalcode: '80331',
    address1_country: 'Germany',
    creditlimit: 50000,
  },
  {
    accountid: DATAVERSE_SEED.accountId(2),
    name: 'Contoso Handels GmbH',
    accountnumber: 'C30000',
    new_erpcustomerno: '30000',
    customertypecode: 3,
    emailaddress1: 'office@contoso.at',
    telephone1: '+43 1 512 3456',
    address1_line1: 'Kärntner Straße 5',
    address1_city: 'Wien',
    address1_postalcode: '1010',
    address1_country: 'Austria',
    creditlimit: 30000,
  },
  {
    // Same company as BC customer 40000, matched by name but not linked yet.
    accountid: DATAVERSE_SEED.accountId(3),
    name: 'Alpine Ski House AG',
    accountnumber: 'C40000',
    customertypecode: 3,
    emailaddress1: 'info@alpineskihouse.ch',
    telephone1: '+41 44 123 45 00',
    address1_line1: 'Bahnhofstrasse 21',
    address1_city: 'Zürich',
    address1_postalcode: '8001',
    address1_country: 'Switzerland',
  },
  {
    // BC customer 50000 with no account number; its phone number differs from the ERP.
    accountid: DATAVERSE_SEED.accountId(4),
    name: 'Northwind Traders Ltd.',
    customertypecode: 3,
    emailaddress1: 'accounts@northwindtraders.co.uk',
    telephone1: '+44 20 7946 0999',
    address1_line1: '1 Poultry',
    address1_city: 'London',
    address1_postalcode: 'EC2R 8EJ',
    address1_country: 'United Kingdom',
  },
  {
    accountid: DATAVERSE_SEED.accountId(5),
    name: 'Tailspin Toys GmbH',
    accountnumber: 'C70000',
    new_erpcustomerno: '70000',
    customertypecode: 3,
    emailaddress1: 'einkauf@tailspintoys.de',
    address1_city: 'Hamburg',
    address1_postalcode: '20095',
    address1_country: 'Germany',
    statecode: 1,
    statuscode: 2,
  },
  {
    accountid: DATAVERSE_SEED.accountId(6),
    name: 'Relecloud GmbH',
    customertypecode: 8,
    emailaddress1: 'kontakt@relecloud.de',
    telephone1: '+49 69 555 0100',
    address1_line1: 'Mainzer Landstraße 50',
    address1_city: 'Frankfurt am Main',
    address1_postalcode: '60325',
    address1_country: 'Germany',
  },
];

const salesOrders: Row[] = [
  {
    salesorderid: DATAVERSE_SEED.salesOrderId(1),
    ordernumber: 'ORD-01001-F4K2P8',
    name: 'Fabrikam office chairs',
    customer: 1,
    totalamount: 2400,
    statecode: 0,
    statuscode: 1,
  },
  {
    salesorderid: DATAVERSE_SEED.salesOrderId(2),
    ordernumber: 'ORD-01002-H7M3Q1',
    name: 'Contoso showroom furniture (won)',
    customer: 2,
    totalamount: 5150.5,
    statecode: 1,
    statuscode: 3,
  },
  {
    salesorderid: DATAVERSE_SEED.salesOrderId(3),
    ordernumber: 'ORD-01003-R2D2C3',
    name: 'Alpine conference tables',
    customer: 3,
    totalamount: 1298.8,
    statecode: 3,
    statuscode: 100001,
    datefulfilled: '2024-05-14',
  },
];

/** Order products: `order` and `product` are seed indexes; the amounts are what Dataverse would calculate. */
const orderLines: Row[] = [
  // ORD-01001 Fabrikam office chairs: 12 × 200.00 = 2,400.00 (a CRM price below the list price).
  { order: 1, product: 4, lineitemnumber: 1, quantity: 12, priceperunit: 200, ispriceoverridden: true },
  // ORD-01002 Contoso showroom furniture: 4,003.20 + 1,156.80 − 9.50 = 5,150.50.
  { order: 2, product: 1, lineitemnumber: 1, quantity: 4, priceperunit: 1000.8 },
  { order: 2, product: 2, lineitemnumber: 2, quantity: 6, priceperunit: 192.8, manualdiscountamount: 9.5 },
  // ORD-01003 Alpine conference tables: 2 × 649.40 = 1,298.80.
  { order: 3, product: 5, lineitemnumber: 1, quantity: 2, priceperunit: 649.4 },
].map((line, index) => {
  const baseamount = Math.round(Number(line.quantity) * Number(line.priceperunit) * 100) / 100;
  const extendedamount = Math.round((baseamount - Number(line.manualdiscountamount ?? 0)) * 100) / 100;
  return {
    salesorderdetailid: DATAVERSE_SEED.salesOrderDetailId(index + 1),
    isproductoverridden: false,
    ispriceoverridden: false,
    manualdiscountamount: 0,
    ...line,
    baseamount,
    extendedamount,
  };
});

const invoices: Row[] = [
  {
    invoiceid: DATAVERSE_SEED.invoiceId(1),
    invoicenumber: 'INV-01001-W8N4T6',
    name: 'Fabrikam office chairs',
    customer: 1,
    order: 1,
    totalamount: 2400,
    msdyn_amountdue: 2400,
    duedate: '2024-07-01',
    statecode: 0,
    statuscode: 1,
  },
  {
    invoiceid: DATAVERSE_SEED.invoiceId(2),
    invoicenumber: 'INV-01002-Z5B7J9',
    name: 'Contoso showroom furniture',
    customer: 2,
    order: 2,
    totalamount: 5150.5,
    msdyn_amountdue: 0,
    duedate: '2024-06-15',
    statecode: 2,
    statuscode: 100001,
  },
];

export function seedDataverse(): StoreState {
  const store = new DataStore(emptyState());
  const data = new DataverseData(store, DEFAULT_ALTERNATE_KEYS);
  const seededAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const put = (entitySet: string, { customer, order, product, ...columns }: Row): void => {
    const spec = tableSpec(entitySet);
    const state = Object.keys(spec.states).length === 0 ? {} : { statecode: 0, statuscode: 1 };
    const row: Row = { ...state, createdon: seededAt, modifiedon: seededAt, ...columns };
    if (typeof customer === 'number') {
      DataverseData.bindLookup(
        row,
        'customerid',
        'customerid_account',
        tableSpec('accounts'),
        DATAVERSE_SEED.accountId(customer),
      );
    }
    if (typeof order === 'number') {
      DataverseData.bindLookup(
        row,
        'salesorderid',
        'salesorderid',
        tableSpec('salesorders'),
        DATAVERSE_SEED.salesOrderId(order),
      );
    }
    if (typeof product === 'number') {
      DataverseData.bindLookup(row, 'productid', 'productid', tableSpec('products'), DATAVERSE_SEED.productId(product));
    }
    data.put(spec, row);
  };
  for (const account of accounts) put('accounts', account);
  for (const product of products) put('products', product);
  for (const order of salesOrders) put('salesorders', order);
  for (const line of orderLines) put('salesorderdetails', line);
  for (const invoice of invoices) put('invoices', invoice);
  return store.snapshot();
}
