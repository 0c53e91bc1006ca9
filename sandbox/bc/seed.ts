import { DataStore, emptyState, type Row, type StoreState } from '../kit/store';
import { CompanyData } from './company-data';
import { blankRow, COMPANIES_TABLE, entitySet } from './model';
import { completeLine, completeOrder } from './sales';

/**
 * Demo data of the Business Central emulator. Ids are fixed so tests and example flows can rely on them;
 * dates are relative to the day the data is seeded, so "overdue" stays overdue.
 */

export const BC_SEED = {
  companyId: 'bc000000-0000-4000-8000-000000000001',
  companyName: 'CRONUS International Ltd.',
  /** Customer id = bc00c000-0000-4000-8000-0000000NNNNN where NNNNN is the customer number. */
  customerId: (number: string): string => `bc00c000-0000-4000-8000-${number.padStart(12, '0')}`,
} as const;

const paymentTerms = [
  {
    id: 'bc00d000-0000-4000-8000-000000000001',
    code: '14 DAYS',
    displayName: 'Net 14 days',
    dueDateCalculation: '14D',
  },
  {
    id: 'bc00d000-0000-4000-8000-000000000002',
    code: '30 DAYS',
    displayName: 'Net 30 days',
    dueDateCalculation: '30D',
  },
  {
    id: 'bc00d000-0000-4000-8000-000000000003',
    code: '1M(8D)',
    displayName: '1 Month/2% 8 days',
    dueDateCalculation: '1M',
    discountDateCalculation: '8D',
    discountPercent: 2,
  },
  {
    id: 'bc00d000-0000-4000-8000-000000000004',
    code: 'COD',
    displayName: 'Cash on delivery',
    dueDateCalculation: '0D',
  },
];
const termsId = (code: string): string => paymentTerms.find((terms) => terms.code === code)?.id ?? '';

const currencies = [
  { id: 'bc00d100-0000-4000-8000-000000000001', code: 'CHF', displayName: 'Swiss franc', symbol: 'CHF' },
  { id: 'bc00d100-0000-4000-8000-000000000002', code: 'GBP', displayName: 'Pound Sterling', symbol: '£' },
  { id: 'bc00d100-0000-4000-8000-000000000003', code: 'USD', displayName: 'US dollar', symbol: '$' },
];
const currencyId = (code: string): string =>
  currencies.find((currency) => currency.code === code)?.id ?? '00000000-0000-0000-0000-000000000000';

interface CustomerSeed {
  number: string;
  displayName: string;
  type?: 'Company' | 'Person';
  addressLine1: string;
  city: string;
  state?: string;
  postalCode: string;
  country: string;
  phoneNumber: string;
  email: string;
  currencyCode: string;
  paymentTerms: string;
  creditLimit: number;
  taxRegistrationNumber?: string;
  blocked?: ' ' | 'Ship' | 'Invoice' | 'All';
}

const customers: CustomerSeed[] = [
  {
    number: '10000',
    displayName: 'Adatum Corporation',
    addressLine1: '192 Market Square',
    city: 'Atlanta',
    state: 'GA',
    postalCode: '31772',
    country: 'US',
    phoneNumber: '+1 404 555 0199',
    email: 'ar@adatum.com',
    currencyCode: 'USD',
    paymentTerms: '30 DAYS',
    creditLimit: 25000,
  },
  {
    number: '20000',
    displayName: 'Fabrikam GmbH',
    addressLine1: 'Leopoldstraße 12',
    city: 'München',
    postalCode: '80331',
    country: 'DE',
    phoneNumber: '+49 89 4711 0',
    email: 'buchhaltung@fabrikam.de',
    currencyCode: '',
    paymentTerms: '14 DAYS',
    creditLimit: 50000,
    taxRegistrationNumber: 'DE123456789',
  },
  {
    number: '30000',
    displayName: 'Contoso Handels GmbH',
    addressLine1: 'Kärntner Straße 5',
    city: 'Wien',
    postalCode: '1010',
    country: 'AT',
    phoneNumber: '+43 1 512 3456',
    email: 'office@contoso.at',
    currencyCode: '',
    paymentTerms: '30 DAYS',
    creditLimit: 30000,
    taxRegistrationNumber: 'ATU12345678',
  },
  {
    number: '40000',
    displayName: 'Alpine Ski House AG',
    addressLine1: 'Bahnhofstrasse 21',
    city: 'Zürich',
    postalCode: '8001',
    country: 'CH',
    phoneNumber: '+41 44 123 45 67',
    email: 'finance@alpineskihouse.ch',
    currencyCode: 'CHF',
    paymentTerms: '1M(8D)',
    creditLimit: 40000,
    taxRegistrationNumber: 'CHE-123.456.789',
  },
  {
    number: '50000',
    displayName: 'Northwind Traders Ltd.',
    addressLine1: '1 Poultry',
    city: 'London',
    postalCode: 'EC2R 8EJ',
    country: 'GB',
    phoneNumber: '+44 20 7946 0000',
    email: 'accounts@northwindtraders.co.uk',
    currencyCode: 'GBP',
    paymentTerms: '30 DAYS',
    creditLimit: 20000,
    taxRegistrationNumber: 'GB123456789',
  },
  {
    number: '60000',
    displayName: 'Litware Inc.',
    addressLine1: '1 Microsoft Way',
    city: 'Redmond',
    state: 'WA',
    postalCode: '98052',
    country: 'US',
    phoneNumber: '+1 425 555 0100',
    email: 'ap@litware.com',
    currencyCode: 'USD',
    paymentTerms: '14 DAYS',
    creditLimit: 10000,
    blocked: 'All',
  },
  {
    number: '70000',
    displayName: 'Tailspin Toys GmbH',
    addressLine1: 'Jungfernstieg 1',
    city: 'Hamburg',
    postalCode: '20095',
    country: 'DE',
    phoneNumber: '+49 40 123456',
    email: 'einkauf@tailspintoys.de',
    currencyCode: '',
    paymentTerms: '14 DAYS',
    creditLimit: 5000,
    taxRegistrationNumber: 'DE987654321',
    blocked: 'Ship',
  },
  {
    number: '80000',
    displayName: 'Max Mustermann',
    type: 'Person',
    addressLine1: 'Unter den Linden 7',
    city: 'Berlin',
    postalCode: '10117',
    country: 'DE',
    phoneNumber: '+49 30 555 123',
    email: 'max.mustermann@example.de',
    currencyCode: '',
    paymentTerms: 'COD',
    creditLimit: 0,
  },
];

const items = [
  {
    id: 'bc001000-0000-4000-8000-000000000001',
    number: '1896-S',
    displayName: 'ATHENS Desk',
    unitPrice: 1000.8,
    unitCost: 780.7,
    inventory: 12,
  },
  {
    id: 'bc001000-0000-4000-8000-000000000002',
    number: '1900-S',
    displayName: 'PARIS Guest Chair, black',
    unitPrice: 192.8,
    unitCost: 150.4,
    inventory: 40,
  },
  {
    id: 'bc001000-0000-4000-8000-000000000003',
    number: '1906-S',
    displayName: 'ATHENS Mobile Pedestal',
    unitPrice: 281.4,
    unitCost: 219.5,
    inventory: 8,
  },
  {
    id: 'bc001000-0000-4000-8000-000000000004',
    number: '1908-S',
    displayName: 'LONDON Swivel Chair, blue',
    unitPrice: 190.1,
    unitCost: 148.3,
    inventory: 25,
  },
  {
    id: 'bc001000-0000-4000-8000-000000000005',
    number: '1920-S',
    displayName: 'ANTWERP Conference Table',
    unitPrice: 649.4,
    unitCost: 506.6,
    inventory: 5,
  },
  {
    id: 'bc001000-0000-4000-8000-000000000006',
    number: '1928-S',
    displayName: 'AMSTERDAM Lamp',
    unitPrice: 54.9,
    unitCost: 42.8,
    inventory: 0,
    blocked: true,
  },
];

interface OrderSeed {
  id: string;
  number: string;
  customerNumber: string;
  externalDocumentNumber: string;
  status: 'Draft' | 'Open';
  lines: Array<{ item: string; quantity: number; discountPercent?: number }>;
}

const orders: OrderSeed[] = [
  {
    id: 'bc00a000-0000-4000-8000-000000101001',
    number: 'S-ORD101001',
    customerNumber: '20000',
    externalDocumentNumber: 'PO-FAB-4711',
    status: 'Open',
    lines: [
      { item: '1896-S', quantity: 2 },
      { item: '1900-S', quantity: 4 },
    ],
  },
  {
    id: 'bc00a000-0000-4000-8000-000000101002',
    number: 'S-ORD101002',
    customerNumber: '10000',
    externalDocumentNumber: 'ADT-2024-118',
    status: 'Draft',
    lines: [{ item: '1908-S', quantity: 10, discountPercent: 5 }],
  },
  {
    id: 'bc00a000-0000-4000-8000-000000101003',
    number: 'S-ORD101003',
    customerNumber: '50000',
    externalDocumentNumber: '',
    status: 'Open',
    lines: [{ item: '1920-S', quantity: 1 }],
  },
];

interface InvoiceSeed {
  number: string;
  customerNumber: string;
  status: 'Draft' | 'Open' | 'Paid' | 'Canceled';
  excludingTax: number;
  tax: number;
  remaining: number;
  invoiceDaysAgo: number;
  /** Relative to today; negative = in the past. */
  dueInDays: number;
  orderNumber?: string;
  externalDocumentNumber?: string;
}

/** Open, partly paid, paid, overdue, cancelled and draft invoices. */
const invoices: InvoiceSeed[] = [
  {
    number: 'PS-INV103001',
    customerNumber: '10000',
    status: 'Open',
    excludingTax: 1250,
    tax: 0,
    remaining: 1250,
    invoiceDaysAgo: 16,
    dueInDays: 14,
  },
  {
    number: 'PS-INV103002',
    customerNumber: '20000',
    status: 'Open',
    excludingTax: 2521.01,
    tax: 478.99,
    remaining: 1000,
    invoiceDaysAgo: 9,
    dueInDays: 5,
    externalDocumentNumber: 'PO-FAB-4690',
  },
  {
    number: 'PS-INV103003',
    customerNumber: '30000',
    status: 'Paid',
    excludingTax: 1800,
    tax: 0,
    remaining: 0,
    invoiceDaysAgo: 60,
    dueInDays: -30,
    orderNumber: 'S-ORD101000',
  },
  {
    number: 'PS-INV103004',
    customerNumber: '40000',
    status: 'Open',
    excludingTax: 4200,
    tax: 0,
    remaining: 4200,
    invoiceDaysAgo: 51,
    dueInDays: -20,
  },
  {
    number: 'PS-INV103005',
    customerNumber: '50000',
    status: 'Canceled',
    excludingTax: 960,
    tax: 0,
    remaining: 0,
    invoiceDaysAgo: 40,
    dueInDays: -10,
  },
  {
    number: 'PS-INV103006',
    customerNumber: '70000',
    status: 'Open',
    excludingTax: 500,
    tax: 95,
    remaining: 295,
    invoiceDaysAgo: 59,
    dueInDays: -45,
  },
  {
    number: 'S-INV102001',
    customerNumber: '80000',
    status: 'Draft',
    excludingTax: 1000,
    tax: 190,
    remaining: 1190,
    invoiceDaysAgo: 0,
    dueInDays: 0,
  },
];

function daysFromToday(days: number): string {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Builds the seed by running the emulator's own business logic against an empty store. */
export function seedBusinessCentral(): StoreState {
  const store = new DataStore(emptyState());
  const seededAt = new Date().toISOString();
  store.put(COMPANIES_TABLE, BC_SEED.companyId, {
    id: BC_SEED.companyId,
    systemVersion: '24.0.16410.18056',
    name: BC_SEED.companyName,
    displayName: BC_SEED.companyName,
    businessProfileId: '',
    systemCreatedAt: seededAt,
    systemModifiedAt: seededAt,
  });
  const company = new CompanyData(store, BC_SEED.companyId);
  const put = (name: string, values: Row & { id: string }): void => {
    company.put(name, { ...blankRow(entitySet(name)), ...values }, seededAt);
  };

  for (const terms of paymentTerms) put('paymentTerms', terms);
  for (const currency of currencies) {
    put('currencies', { ...currency, amountDecimalPlaces: '2:2', amountRoundingPrecision: 0.01 });
  }
  for (const { paymentTerms: terms, ...customer } of customers) {
    put('customers', {
      ...customer,
      id: BC_SEED.customerId(customer.number),
      currencyId: currencyId(customer.currencyCode),
      paymentTermsId: termsId(terms),
    });
  }
  for (const item of items) put('items', { type: 'Inventory', baseUnitOfMeasureCode: 'PCS', ...item });

  for (const { lines, status, ...order } of orders) {
    const row = { ...blankRow(entitySet('salesOrders')), ...order };
    completeOrder(company, row, new Set(Object.keys(order)), true);
    put('salesOrders', { ...row, status, id: order.id });
    lines.forEach((line, index) => {
      const lineRow: Row = {
        ...blankRow(entitySet('salesOrderLines')),
        lineObjectNumber: line.item,
        quantity: line.quantity,
        discountPercent: line.discountPercent ?? 0,
      };
      completeLine(company, row, lineRow, new Set(['lineObjectNumber', 'quantity', 'discountPercent']), true);
      put('salesOrderLines', {
        ...lineRow,
        id: `bc00a100-0000-4000-8000-${order.number.slice(-6)}${String(index + 1).padStart(6, '0')}`,
      });
    });
  }

  for (const invoice of invoices) {
    const customer = company.find('customers', BC_SEED.customerId(invoice.customerNumber))?.row ?? {};
    put('salesInvoices', {
      id: `bc00e000-0000-4000-8000-${invoice.number.replace(/\D/g, '').padStart(12, '0')}`,
      number: invoice.number,
      externalDocumentNumber: invoice.externalDocumentNumber ?? '',
      invoiceDate: daysFromToday(-invoice.invoiceDaysAgo),
      postingDate: daysFromToday(-invoice.invoiceDaysAgo),
      dueDate: daysFromToday(invoice.dueInDays),
      customerId: customer.id,
      customerNumber: customer.number,
      customerName: customer.displayName,
      billToName: customer.displayName,
      billToCustomerId: customer.id,
      billToCustomerNumber: customer.number,
      ...(invoice.orderNumber !== undefined && {
        orderNumber: invoice.orderNumber,
        orderId: `bc00a000-0000-4000-8000-${invoice.orderNumber.replace(/\D/g, '').padStart(12, '0')}`,
      }),
      currencyId: customer.currencyId,
      currencyCode: customer.currencyCode,
      paymentTermsId: customer.paymentTermsId,
      totalAmountExcludingTax: invoice.excludingTax,
      totalTaxAmount: invoice.tax,
      totalAmountIncludingTax: Math.round((invoice.excludingTax + invoice.tax) * 100) / 100,
      remainingAmount: invoice.remaining,
      status: invoice.status,
    });
  }
  return store.snapshot();
}
