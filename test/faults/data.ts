/**
 * The CRM data the fault suite loads into Dataverse, drawn from a seeded generator so that a run can be
 * repeated: accounts (most of them customers, some prospects, some with a city too long for Business
 * Central), sales orders with their products (most won, some drafts, some won but of a prospect), and
 * what must become of each record.
 */
import { seededRandom } from '../support/separate-processes';

export type Row = Record<string, unknown>;

/** What must become of an account: a Business Central customer, or a dead letter for the reason given. */
export type AccountKind = 'customer' | 'prospect' | 'cityTooLong';

/** What must become of an order: a Business Central sales order, or a dead letter. */
export type OrderKind = 'won' | 'draft' | 'customerNotLinked';

export interface AccountCase {
  kind: AccountKind;
  id: string;
  email: string;
  row: Row;
}

export interface OrderCase {
  kind: OrderKind;
  id: string;
  accountId: string;
  row: Row;
  lines: Row[];
}

export interface Dataset {
  products: Row[];
  accounts: AccountCase[];
  orders: OrderCase[];
  /** The latest change among the accounts that orders belong to: once the customer feed is past it, orders can go. */
  orderCustomersChangedBy: string;
}

/** Business Central demo items, as a CRM whose catalogue comes from the ERP has them. */
const PRODUCTS = [
  { productnumber: '1896-S', name: 'ATHENS Desk', price: 1000.8 },
  { productnumber: '1900-S', name: 'PARIS Guest Chair, black', price: 192.8 },
  { productnumber: '1906-S', name: 'ATHENS Mobile Pedestal', price: 281.4 },
  { productnumber: '1908-S', name: 'LONDON Swivel Chair, blue', price: 190.1 },
  { productnumber: '1920-S', name: 'ANTWERP Conference Table', price: 649.4 },
];

const CITIES = ['Berlin', 'Hamburg', 'München', 'Köln', 'Leipzig', 'Dresden', 'Bremen', 'Hannover'];
/** 31 characters and more: Dataverse keeps up to 80, Business Central's City field 30. */
const LONG_CITY = 'Sankt Georgen im Schwarzwald-Nord';

const PROSPECT_SHARE = 0.03;
const INVALID_SHARE = 0.02;
const DRAFT_SHARE = 0.12;
const NOT_LINKED_SHARE = 0.02;
/** Orders belong to accounts among the first changed, so the order feed can start while customers still load. */
const ORDER_CUSTOMER_SHARE = 0.3;

const guid = (prefix: string, index: number): string => `${prefix}-0000-4000-8000-${String(index).padStart(12, '0')}`;
export const accountId = (index: number): string => guid('fa170000', index);
export const orderId = (index: number): string => guid('fa170001', index);
const lineId = (index: number): string => guid('fa170002', index);
const productId = (index: number): string => guid('fa170003', index);

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Kinds drawn at their shares, each rare kind (share above 0) present at least once when there are enough records. */
function drawKinds<K extends string>(
  count: number,
  random: () => number,
  common: K,
  rare: ReadonlyArray<readonly [K, number]>,
): K[] {
  const kinds = Array.from({ length: count }, () => {
    let roll = random();
    for (const [kind, share] of rare) {
      if (roll < share) return kind;
      roll -= share;
    }
    return common;
  });
  if (count >= 2 * (rare.length + 1)) {
    for (const [kind, share] of rare) {
      if (share === 0 || kinds.includes(kind)) continue;
      const free = kinds.flatMap((candidate, index) => (candidate === common ? [index] : []));
      kinds[free[Math.floor(random() * free.length)]!] = kind;
    }
  }
  return kinds;
}

/**
 * `customers` accounts and `orders` sales orders. Modification times lie in the past, one second apart or
 * several in the same second (Dataverse stamps whole seconds), accounts and orders each in their own order.
 */
export function buildDataset(customers: number, orders: number, seed: number): Dataset {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const firstChange = Math.floor(Date.now() / 1000) * 1000 - (customers + orders + 3600) * 1000;

  const products = PRODUCTS.map((product, index) => ({
    productid: productId(index + 1),
    ...product,
    createdon: iso(firstChange),
    modifiedon: iso(firstChange),
  }));

  const accountKinds = drawKinds<AccountKind>(customers, random, 'customer', [
    ['prospect', PROSPECT_SHARE],
    ['cityTooLong', INVALID_SHARE],
  ]);
  let changedAt = firstChange;
  const accounts = accountKinds.map((kind, position): AccountCase => {
    const index = position + 1;
    if (position > 0 && random() >= 0.35) changedAt += 1000;
    const id = accountId(index);
    const email = `customer${index}@faults.example`;
    return {
      kind,
      id,
      email,
      row: {
        accountid: id,
        name: `Fault Customer ${index}`,
        customertypecode: kind === 'prospect' ? 8 : 3,
        emailaddress1: email,
        telephone1: `+49 30 ${2_000_000 + index}`,
        address1_line1: `Prüfweg ${1 + (index % 300)}`,
        address1_city: kind === 'cityTooLong' ? `${LONG_CITY} ${index}` : pick(CITIES),
        address1_postalcode: String(10_000 + ((index * 7919) % 89_999)),
        address1_country: 'DE',
        createdon: iso(changedAt),
        modifiedon: iso(changedAt),
      },
    };
  });

  const early = accounts.slice(0, Math.max(1, Math.ceil(accounts.length * ORDER_CUSTOMER_SHARE)));
  const earlyCustomers = early.filter((account) => account.kind === 'customer');
  const earlyProspects = early.filter((account) => account.kind === 'prospect');
  const orderKinds = drawKinds<OrderKind>(orders, random, 'won', [
    ['draft', DRAFT_SHARE],
    ['customerNotLinked', earlyProspects.length > 0 && earlyCustomers.length > 0 ? NOT_LINKED_SHARE : 0],
  ]);
  const customersOfOrders = new Set<AccountCase>();
  changedAt = firstChange;
  let lineIndex = 0;
  const orderCases = orderKinds.map((kind, position): OrderCase => {
    const index = position + 1;
    if (position > 0 && random() >= 0.35) changedAt += 1000;
    const customer =
      kind === 'customerNotLinked' ? pick(earlyProspects) : pick(earlyCustomers.length > 0 ? earlyCustomers : early);
    customersOfOrders.add(customer);
    const id = orderId(index);
    const won = kind !== 'draft';
    const lines = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, line): Row => {
      const product = pick(products);
      lineIndex += 1;
      return {
        salesorderdetailid: lineId(lineIndex),
        _salesorderid_value: id,
        _productid_value: product.productid,
        lineitemnumber: line + 1,
        isproductoverridden: false,
        ispriceoverridden: false,
        quantity: 1 + Math.floor(random() * 10),
        priceperunit: product.price,
        createdon: iso(changedAt),
        modifiedon: iso(changedAt),
      };
    });
    return {
      kind,
      id,
      accountId: customer.id,
      lines,
      row: {
        salesorderid: id,
        name: `Fault order ${index}`,
        _customerid_value: customer.id,
        // Won: Fulfilled (3) / Complete; draft: Active (0) / New.
        statecode: won ? 3 : 0,
        statuscode: won ? 100001 : 1,
        createdon: iso(changedAt),
        modifiedon: iso(changedAt),
      },
    };
  });
  const orderCustomersChangedBy = [...customersOfOrders]
    .map((account) => String(account.row.modifiedon))
    .reduce((latest, time) => (time > latest ? time : latest), iso(firstChange));
  return { products, accounts, orders: orderCases, orderCustomersChangedBy };
}
