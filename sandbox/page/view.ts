/**
 * What the sandbox page shows: the records of both emulators side by side, paired by the links of the
 * sync store when it is reachable, else (and for records without a link) by the keys the systems keep
 * themselves. Pure: built from the emulators' admin state and the store's links.
 */
import { CHOICE_LABELS } from '../dataverse/model';

/** A link as the store node's admin route returns it. */
export interface StoreLink {
  linkId: string;
  ids: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  /** When the sync last wrote to each system, if it did. */
  writtenAt: Record<string, string>;
}

export type StoreProblem = 'refused' | 'timeout' | 'auth' | 'missing' | 'failed' | 'invalid';

export type StoreStatus =
  | { state: 'ok'; backend: string; links: number; truncated: boolean }
  | { state: 'off' }
  | { state: 'unreachable'; problem: StoreProblem; url: string; storeId: string; status?: number; detail?: string };

/** The store's links of the two entities the page shows, or why there are none. */
export type StoreLinks =
  | { state: 'ok'; backend: string; customer: StoreLink[]; order: StoreLink[]; truncated: boolean }
  | Exclude<StoreStatus, { state: 'ok' }>;

/** How a row's two records belong together. */
export interface RowLink {
  by: 'store' | 'key' | 'none';
  linkId?: string;
  /** When the link was last changed. */
  linkedAt?: string;
  /** When the sync last wrote to each side. */
  syncedAt: { crm?: string; erp?: string };
  /** A linked record that its system no longer has. */
  missing?: 'crm' | 'erp';
}

export interface CrmAccount {
  id: string;
  name: string;
  accountNumber: string;
  erpNumber: string;
  /** `customer`, `prospect`, or another Dataverse relationship type (its label). */
  kind: string;
  active: boolean;
  email: string;
  phone: string;
  city: string;
  country: string;
  modifiedAt: string;
}

export interface ErpCustomer {
  id: string;
  number: string;
  name: string;
  email: string;
  phone: string;
  city: string;
  country: string;
  currency: string;
  /** '', 'Ship', 'Invoice' or 'All'. */
  blocked: string;
  modifiedAt: string;
}

export interface CustomerRow {
  key: string;
  crm?: CrmAccount;
  erp?: ErpCustomer;
  link: RowLink;
  /** Fields both sides have and that differ: name, email, phone, city. */
  differs: string[];
}

export interface CrmOrder {
  id: string;
  number: string;
  name: string;
  customer: string;
  /** Dataverse order state: 0 active, 1 submitted, 2 canceled, 3 fulfilled, 4 invoiced. */
  state: number;
  total: number | null;
  erpNumber: string;
  modifiedAt: string;
}

export interface ErpOrder {
  id: string;
  number: string;
  customerNumber: string;
  customerName: string;
  status: string;
  total: number | null;
  currency: string;
  externalDocumentNumber: string;
  orderDate: string;
  modifiedAt: string;
}

export interface OrderRow {
  key: string;
  crm?: CrmOrder;
  erp?: ErpOrder;
  link: RowLink;
}

export interface InvoiceFigures {
  openBalance: number | null;
  overdueBalance: number | null;
  oldestDueDate: string | null;
}

export interface InvoiceRow {
  /** The key of the customer row. */
  key: string;
  name: string;
  erpNumber: string;
  currency: string;
  /** What the sync wrote to the CRM account, and when. */
  crm: InvoiceFigures & { checkedAt: string | null };
  /** The ERP's own figures now; absent when the account has no ERP customer. */
  erp?: InvoiceFigures;
  differs: Array<keyof InvoiceFigures>;
}

/** How the records of a section belong together, over all of them (the rows may be cut off). */
export interface PairCounts {
  total: number;
  linked: number;
  matched: number;
  crmOnly: number;
  erpOnly: number;
}

export interface InvoiceCounts {
  total: number;
  written: number;
  differing: number;
}

export interface PageView {
  crm: { url: string };
  erp: { url: string; company: string };
  store: StoreStatus;
  /** The first `maxRows` rows of each section, in name order. */
  customers: CustomerRow[];
  orders: OrderRow[];
  invoices: InvoiceRow[];
  counts: { customers: PairCounts; orders: PairCounts; invoices: InvoiceCounts };
}

export interface ViewOptions {
  crmUrl: string;
  erpUrl: string;
  /** System names the links use. */
  crmSystem: string;
  erpSystem: string;
  /** Currency of ERP amounts without a currency code. */
  erpLocalCurrency: string;
  /** Rows shown per section at most; the counts cover all records. */
  maxRows: number;
}

type Rec = Record<string, unknown>;

const PROSPECT_TYPE = 8;
const CUSTOMER_TYPE = 3;

function isRec(value: unknown): value is Rec {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function records(value: unknown): Rec[] {
  return Array.isArray(value) ? value.filter(isRec) : [];
}

function text(record: Rec, field: string): string {
  const value = record[field];
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

function amount(record: Rec | undefined, field: string): number | null {
  const value = record?.[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function crmAccount(row: Rec): CrmAccount {
  const type = row.customertypecode;
  const kind =
    type === PROSPECT_TYPE
      ? 'prospect'
      : type === CUSTOMER_TYPE || type === null || type === undefined
        ? 'customer'
        : (CHOICE_LABELS.customertypecode?.[Number(type)] ?? String(type));
  return {
    id: text(row, 'accountid'),
    name: text(row, 'name'),
    accountNumber: text(row, 'accountnumber'),
    erpNumber: text(row, 'new_erpcustomerno'),
    kind,
    active: row.statecode !== 1,
    email: text(row, 'emailaddress1'),
    phone: text(row, 'telephone1'),
    city: text(row, 'address1_city'),
    country: text(row, 'address1_country'),
    modifiedAt: text(row, 'modifiedon'),
  };
}

function erpCustomer(row: Rec, localCurrency: string): ErpCustomer {
  return {
    id: text(row, 'id'),
    number: text(row, 'number'),
    name: text(row, 'displayName'),
    email: text(row, 'email'),
    phone: text(row, 'phoneNumber'),
    city: text(row, 'city'),
    country: text(row, 'country'),
    currency: text(row, 'currencyCode') || localCurrency,
    blocked: text(row, 'blocked'),
    modifiedAt: text(row, 'lastModifiedDateTime'),
  };
}

function crmOrder(row: Rec, accountNames: ReadonlyMap<string, string>): CrmOrder {
  return {
    id: text(row, 'salesorderid'),
    number: text(row, 'ordernumber'),
    name: text(row, 'name'),
    customer: accountNames.get(text(row, '_customerid_value')) ?? '',
    state: typeof row.statecode === 'number' ? row.statecode : 0,
    total: amount(row, 'totalamount'),
    erpNumber: text(row, 'new_erpordernumber'),
    modifiedAt: text(row, 'modifiedon'),
  };
}

function erpOrder(row: Rec, localCurrency: string): ErpOrder {
  return {
    id: text(row, 'id'),
    number: text(row, 'number'),
    customerNumber: text(row, 'customerNumber'),
    customerName: text(row, 'customerName'),
    status: text(row, 'status'),
    total: amount(row, 'totalAmountIncludingTax'),
    currency: text(row, 'currencyCode') || localCurrency,
    externalDocumentNumber: text(row, 'externalDocumentNumber'),
    orderDate: text(row, 'orderDate'),
    modifiedAt: text(row, 'lastModifiedDateTime'),
  };
}

/** How create order keeps a CRM order id in the ERP's external document number: a GUID without dashes, upper case. */
function externalKeyOf(crmOrderId: string): string {
  return crmOrderId.replace(/-/g, '').toUpperCase();
}

function comparable(field: string, value: string): string {
  if (field === 'phone') return value.replace(/[^\d+]/g, '');
  return value.toLowerCase().replace(/\s+/g, ' ');
}

function differingFields(crm: CrmAccount | undefined, erp: ErpCustomer | undefined): string[] {
  if (!crm || !erp) return [];
  return (['name', 'email', 'phone', 'city'] as const).filter(
    (field) =>
      crm[field] !== '' && erp[field] !== '' && comparable(field, crm[field]) !== comparable(field, erp[field]),
  );
}

interface Side<T> {
  byId: Map<string, T>;
  taken: Set<string>;
}

interface Pair<C, E> {
  crm?: C;
  erp?: E;
  crmId?: string;
  erpId?: string;
  link: RowLink;
}

function side<T>(items: T[], idOf: (item: T) => string): Side<T> {
  return { byId: new Map(items.map((item) => [idOf(item), item])), taken: new Set() };
}

/**
 * Pairs records: first by the store's links, then by a key the systems keep (`keysOf` gives the ERP
 * ids a CRM record names, best first), then each left alone.
 */
function pairUp<C, E>(
  crm: Side<C>,
  erp: Side<E>,
  links: StoreLink[] | undefined,
  options: ViewOptions,
  keysOf: (record: C) => string[],
): Pair<C, E>[] {
  const rows: Pair<C, E>[] = [];
  for (const link of links ?? []) {
    const crmId = link.ids[options.crmSystem];
    const erpId = link.ids[options.erpSystem];
    if (crmId === undefined && erpId === undefined) continue;
    const crmRecord = crmId === undefined ? undefined : crm.byId.get(crmId);
    const erpRecord = erpId === undefined ? undefined : erp.byId.get(erpId);
    if (crmId !== undefined) crm.taken.add(crmId);
    if (erpId !== undefined) erp.taken.add(erpId);
    const syncedAt: RowLink['syncedAt'] = {};
    const toCrm = link.writtenAt[options.crmSystem];
    const toErp = link.writtenAt[options.erpSystem];
    if (toCrm !== undefined) syncedAt.crm = toCrm;
    if (toErp !== undefined) syncedAt.erp = toErp;
    const missing = crmId !== undefined && !crmRecord ? 'crm' : erpId !== undefined && !erpRecord ? 'erp' : undefined;
    rows.push({
      ...(crmRecord && { crm: crmRecord }),
      ...(erpRecord && { erp: erpRecord }),
      ...(crmId !== undefined && { crmId }),
      ...(erpId !== undefined && { erpId }),
      link: { by: 'store', linkId: link.linkId, linkedAt: link.updatedAt, syncedAt, ...(missing && { missing }) },
    });
  }
  for (const [crmId, record] of crm.byId) {
    if (crm.taken.has(crmId)) continue;
    crm.taken.add(crmId);
    const erpId = keysOf(record).find((id) => id !== '' && !erp.taken.has(id) && erp.byId.has(id));
    const match = erpId === undefined ? undefined : erp.byId.get(erpId);
    if (erpId !== undefined && match !== undefined) {
      erp.taken.add(erpId);
      rows.push({ crm: record, erp: match, crmId, erpId, link: { by: 'key', syncedAt: {} } });
    } else {
      rows.push({ crm: record, crmId, link: { by: 'none', syncedAt: {} } });
    }
  }
  for (const [erpId, record] of erp.byId) {
    if (!erp.taken.has(erpId)) rows.push({ erp: record, erpId, link: { by: 'none', syncedAt: {} } });
  }
  return rows;
}

function pairCounts(rows: ReadonlyArray<{ crm?: unknown; erp?: unknown; link: RowLink }>): PairCounts {
  const counts: PairCounts = { total: rows.length, linked: 0, matched: 0, crmOnly: 0, erpOnly: 0 };
  for (const row of rows) {
    if (row.link.by === 'store') counts.linked++;
    if (row.link.by === 'key') counts.matched++;
    if (row.crm !== undefined && row.erp === undefined) counts.crmOnly++;
    if (row.erp !== undefined && row.crm === undefined) counts.erpOnly++;
  }
  return counts;
}

function rowKey(crmId: string | undefined, erpId: string | undefined): string {
  return crmId !== undefined ? `crm:${crmId}` : `erp:${erpId ?? ''}`;
}

const byLabel = <T extends { key: string }>(label: (row: T) => string) => {
  return (a: T, b: T): number => label(a).localeCompare(label(b), 'en') || a.key.localeCompare(b.key, 'en');
};

/** The ERP's own invoice figures per customer number: its financial details and its oldest open due date. */
function erpInvoiceFigures(erpEntities: Rec): (customer: ErpCustomer) => InvoiceFigures {
  const financials = new Map(records(erpEntities.customerFinancialDetails).map((row) => [text(row, 'id'), row]));
  const oldestDue = new Map<string, string>();
  for (const invoice of records(erpEntities.salesInvoices)) {
    if (text(invoice, 'status') !== 'Open' || (amount(invoice, 'remainingAmount') ?? 0) <= 0) continue;
    const [customer, due] = [text(invoice, 'customerNumber'), text(invoice, 'dueDate')];
    const known = oldestDue.get(customer);
    if (due !== '' && (known === undefined || due < known)) oldestDue.set(customer, due);
  }
  return (customer) => ({
    openBalance: amount(financials.get(customer.id), 'balance'),
    overdueBalance: amount(financials.get(customer.id), 'overdueAmount'),
    oldestDueDate: oldestDue.get(customer.number) ?? null,
  });
}

function invoiceRow(
  row: CustomerRow,
  account: Rec,
  erpFigures: (customer: ErpCustomer) => InvoiceFigures,
): InvoiceRow | undefined {
  const crm = row.crm;
  if (!crm) return undefined;
  const written = {
    openBalance: amount(account, 'new_openbalance'),
    overdueBalance: amount(account, 'new_overduebalance'),
    oldestDueDate: text(account, 'new_oldestduedate') || null,
    checkedAt: text(account, 'new_invoicescheckedat') || null,
  };
  const hasFigures = Object.values(written).some((value) => value !== null);
  if (!hasFigures && !row.erp) return undefined;
  const erp = row.erp ? erpFigures(row.erp) : undefined;
  const differs =
    erp && written.checkedAt !== null
      ? (['openBalance', 'overdueBalance', 'oldestDueDate'] as const).filter((field) => written[field] !== erp[field])
      : [];
  return {
    key: row.key,
    name: crm.name,
    erpNumber: row.erp?.number ?? crm.erpNumber,
    currency: row.erp?.currency ?? '',
    crm: written,
    ...(erp && { erp }),
    differs,
  };
}

/** The page's view of both systems. `bcState` and `dataverseState` are what GET /_admin/state returns. */
export function buildView(
  bcState: unknown,
  dataverseState: unknown,
  links: StoreLinks,
  options: ViewOptions,
): PageView {
  const company = (isRec(bcState) ? records(bcState.companies)[0] : undefined) ?? {};
  const erpEntities = isRec(company.entities) ? company.entities : {};
  const crmEntities = isRec(dataverseState) && isRec(dataverseState.entities) ? dataverseState.entities : {};
  const accountRows = records(crmEntities.accounts);
  const accountNames = new Map(accountRows.map((row) => [text(row, 'accountid'), text(row, 'name')]));
  const storeLinks = links.state === 'ok' ? links : undefined;

  const accounts = side(
    accountRows.map((row) => crmAccount(row)),
    (account) => account.id,
  );
  const customers = side(
    records(erpEntities.customers).map((row) => erpCustomer(row, options.erpLocalCurrency)),
    (customer) => customer.number,
  );
  const customerRows: CustomerRow[] = pairUp(accounts, customers, storeLinks?.customer, options, (account) => [
    account.erpNumber,
  ])
    .map((pair) => ({
      key: rowKey(pair.crmId, pair.erpId),
      ...(pair.crm && { crm: pair.crm }),
      ...(pair.erp && { erp: pair.erp }),
      link: pair.link,
      differs: differingFields(pair.crm, pair.erp),
    }))
    .sort(byLabel((row) => row.crm?.name ?? row.erp?.name ?? ''));

  const crmOrders = side(
    records(crmEntities.salesorders).map((row) => crmOrder(row, accountNames)),
    (order) => order.id,
  );
  const erpOrderList = records(erpEntities.salesOrders).map((row) => erpOrder(row, options.erpLocalCurrency));
  const erpOrders = side(erpOrderList, (order) => order.number);
  const byExternalKey = new Map<string, string[]>();
  for (const order of erpOrderList) {
    const key = order.externalDocumentNumber.toUpperCase();
    if (key !== '') byExternalKey.set(key, [...(byExternalKey.get(key) ?? []), order.number]);
  }
  const orderRows: OrderRow[] = pairUp(crmOrders, erpOrders, storeLinks?.order, options, (order) => [
    order.erpNumber,
    ...(byExternalKey.get(externalKeyOf(order.id)) ?? []),
  ])
    .map((pair) => ({
      key: rowKey(pair.crmId, pair.erpId),
      ...(pair.crm && { crm: pair.crm }),
      ...(pair.erp && { erp: pair.erp }),
      link: pair.link,
    }))
    .sort(byLabel((row) => row.crm?.number ?? row.erp?.number ?? ''));

  const accountById = new Map(accountRows.map((row) => [text(row, 'accountid'), row]));
  const erpFigures = erpInvoiceFigures(erpEntities);
  const invoiceRows = customerRows
    .map((row) => (row.crm ? invoiceRow(row, accountById.get(row.crm.id) ?? {}, erpFigures) : undefined))
    .filter((row): row is InvoiceRow => row !== undefined);

  const store: StoreStatus =
    links.state === 'ok'
      ? {
          state: 'ok',
          backend: links.backend,
          links: links.customer.length + links.order.length,
          truncated: links.truncated,
        }
      : links;
  return {
    crm: { url: options.crmUrl },
    erp: { url: options.erpUrl, company: text(company, 'displayName') || text(company, 'name') },
    store,
    customers: customerRows.slice(0, options.maxRows),
    orders: orderRows.slice(0, options.maxRows),
    invoices: invoiceRows.slice(0, options.maxRows),
    counts: {
      customers: pairCounts(customerRows),
      orders: pairCounts(orderRows),
      invoices: {
        total: invoiceRows.length,
        written: invoiceRows.filter((row) => row.crm.checkedAt !== null).length,
        differing: invoiceRows.filter((row) => row.differs.length > 0).length,
      },
    },
  };
}
