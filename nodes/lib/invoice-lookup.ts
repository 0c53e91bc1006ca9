/**
 * Finds a customer's, an order's or one invoice's invoices in the ERP, starting from an id of any linked
 * system, and writes the resulting summary to the linked CRM account. Key figures stay computed by the
 * ERP: this only reads them, adds them up and hands them on.
 */
import { SyncError } from './errors';
import { singleCurrencyBalances, summarizeInvoices, type InvoiceSummary } from './invoice-summary';
import { clipText, quoteValue, recordIdentity, valueKind } from './model/describe';
import type { CustomFields, InvoiceStatus } from './model/types.generated';
import type { InvoicePort, SystemDriver } from './ports';
import type { LinkGroup, SyncStore } from './store/ports';

/** What the input id names; also the entity its links are kept under. */
export type InvoiceLookupBy = 'customer' | 'order' | 'invoice';
export const INVOICE_LOOKUPS: readonly InvoiceLookupBy[] = ['customer', 'order', 'invoice'];

export type SummaryField = 'openBalance' | 'overdueBalance' | 'oldestDueDate' | 'invoicesCheckedAt';
export const SUMMARY_FIELDS: readonly SummaryField[] = [
  'openBalance',
  'overdueBalance',
  'oldestDueDate',
  'invoicesCheckedAt',
];

/** Opens the sync store only when a link must be looked up (an id of the ERP itself needs none). */
export type StoreOpener = () => Promise<SyncStore>;

export interface InvoiceQuery {
  by: InvoiceLookupBy;
  /** The system the id belongs to; the ERP's own system name means the id is the ERP's key already. */
  system: string;
  id: string;
}

export interface InvoiceAnswer {
  invoices: InvoiceStatus[];
  summary: InvoiceSummary;
  /** The ERP customer the invoices belong to; unknown for an order without invoices. */
  erp: { system: string; customer?: string };
  /** The customer link the id was resolved through, if any (it may already hold the CRM account id). */
  customerLink?: LinkGroup;
}

export interface SummaryWrite {
  system: string;
  /** The CRM record written to. */
  id: string;
  fields: CustomFields;
}

/** Longer ids exist in no system (the store keeps up to 200 characters). */
const MAX_ID_LENGTH = 200;

/** An id as it goes into a query: not absurdly long, and whole Unicode (a lone surrogate fits in no URL). */
function checkedId(id: string, by: InvoiceLookupBy): string {
  if (id.length > MAX_ID_LENGTH) {
    throw new SyncError({
      code: 'VALIDATION',
      system: 'input',
      message: `the ${by} id is ${id.length} characters long; the limit is ${MAX_ID_LENGTH}`,
    });
  }
  if (/\p{Cs}/u.test(id)) {
    throw new SyncError({
      code: 'VALIDATION',
      system: 'input',
      message: `the ${by} id ${quoteValue(id)} holds half of a surrogate pair, which is no valid text`,
    });
  }
  return id;
}

/** The id a message gives: text, a number, or a record (a canonical record, a link) holding `ids[system]`. */
export function idFromInput(value: unknown, system: string, by: InvoiceLookupBy): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return checkedId(value.trim(), by);
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'ids' in value) {
    const id = (value as { ids?: Record<string, unknown> }).ids?.[system];
    if (typeof id === 'string' && id !== '') return checkedId(id, by);
    if (typeof id === 'number') return String(id);
    throw new SyncError({
      code: 'VALIDATION',
      system: 'input',
      message: `${by} ${recordIdentity(value) ?? 'record'} has no ${system} id in ids`,
    });
  }
  const got = valueKind(value);
  throw new SyncError({
    code: 'VALIDATION',
    system: 'input',
    message: `the ${by} id must be text, a number or a record with ids, got ${got}`,
  });
}

function invoicePortOf(erp: SystemDriver): InvoicePort {
  if (!erp.capabilities.invoices.read || !erp.invoices) {
    throw new SyncError({
      code: 'CONFIG',
      system: erp.system,
      message: `${erp.system}: a ${erp.driver} connection cannot read invoices; choose an ERP connection`,
    });
  }
  return erp.invoices;
}

function notLinked(entity: string, system: string, id: string, target: string): SyncError {
  return new SyncError({
    code: 'NOT_FOUND',
    system: 'store',
    message: `${entity} ${system}=${clipText(id, 200)} is not linked to ${target}`,
    details: { entity, system, recordId: id, targetSystem: target },
  });
}

function notFound(erp: SystemDriver, query: InvoiceQuery, erpId: string): SyncError {
  const via = query.system === erp.system ? '' : `${query.system}=${clipText(query.id, 200)}, `;
  return new SyncError({
    code: 'NOT_FOUND',
    system: erp.system,
    message: `${query.by} ${via}${erp.system}=${clipText(erpId, 200)} was not found in ${erp.system}`,
  });
}

/** Fetches a record by the value its links hold: its id, or its number. */
function getByLinkKey(driver: SystemDriver, key: string) {
  return driver.linkKey === 'id' ? driver.customers?.getById(key) : driver.customers?.getByNumber(key);
}

/** The ERP's key of the customer an invoice belongs to, as links hold it. */
function customerKeyOf(invoice: InvoiceStatus | undefined, erpSystem: string): string | undefined {
  return invoice?.customer.ids?.[erpSystem] ?? invoice?.customer.number;
}

export async function lookUpInvoices(
  query: InvoiceQuery,
  erp: SystemDriver,
  openStore: StoreOpener,
): Promise<InvoiceAnswer> {
  const port = invoicePortOf(erp);
  let erpId = query.id;
  let link: LinkGroup | undefined;
  if (query.system !== erp.system) {
    link = await (await openStore()).lookup(query.by, query.system, query.id);
    const linked = link?.ids[erp.system];
    if (linked === undefined) throw notLinked(query.by, query.system, query.id, erp.system);
    erpId = linked;
  }
  let invoices: InvoiceStatus[];
  switch (query.by) {
    case 'customer':
      invoices = await port.byCustomer(erpId);
      // A customer without invoices is a valid answer; a customer that does not exist is not.
      if (invoices.length === 0 && erp.customers && !(await getByLinkKey(erp, erpId))) {
        throw notFound(erp, query, erpId);
      }
      break;
    case 'order':
      invoices = await port.byOrder(erpId);
      break;
    case 'invoice': {
      const invoice = await port.byNumber(erpId);
      if (!invoice) throw notFound(erp, query, erpId);
      invoices = [invoice];
      break;
    }
  }
  const customer = query.by === 'customer' ? erpId : customerKeyOf(invoices[0], erp.system);
  return {
    invoices,
    summary: summarizeInvoices(invoices),
    erp: { system: erp.system, ...(customer === undefined ? {} : { customer }) },
    ...(query.by === 'customer' && link ? { customerLink: link } : {}),
  };
}

function summaryValues(
  answer: InvoiceAnswer,
  fields: readonly SummaryField[],
  checkedAt: Date,
  crmSystem: string,
): CustomFields {
  const values: CustomFields = {};
  if (fields.includes('openBalance') || fields.includes('overdueBalance')) {
    const balances = singleCurrencyBalances(answer.summary);
    if (!balances) {
      const currencies = 'currencies' in answer.summary ? Object.keys(answer.summary.currencies).join(', ') : '';
      throw new SyncError({
        code: 'REJECTED',
        system: crmSystem,
        message: `customer ${answer.erp.system}=${answer.erp.customer ?? '?'} owes in several currencies (${currencies}); one open balance cannot be written to ${crmSystem}`,
      });
    }
    if (fields.includes('openBalance')) values.openBalance = balances.openBalance;
    if (fields.includes('overdueBalance')) values.overdueBalance = balances.overdueBalance;
  }
  if (fields.includes('oldestDueDate')) values.oldestDueDate = answer.summary.oldestDueDate;
  if (fields.includes('invoicesCheckedAt')) values.invoicesCheckedAt = checkedAt.toISOString();
  return values;
}

/**
 * Writes the chosen summary values to the CRM account linked to the answer's ERP customer, as custom fields;
 * the CRM connection's custom-field mapping names the columns. A field the mapping leaves out would be dropped
 * without a word, so it is reported as CONFIG.
 */
export async function writeSummaryToCrm(
  answer: InvoiceAnswer,
  crm: SystemDriver,
  openStore: StoreOpener,
  fields: readonly SummaryField[],
  checkedAt: Date = new Date(),
): Promise<SummaryWrite> {
  const customers = crm.customers;
  if (!crm.capabilities.customers.write || !customers) {
    throw new SyncError({
      code: 'CONFIG',
      system: crm.system,
      message: `${crm.system}: a ${crm.driver} connection cannot update customers`,
    });
  }
  const { system: erpSystem, customer } = answer.erp;
  if (customer === undefined) {
    throw new SyncError({ code: 'CONFIG', system: 'input', message: 'the summary can only be written for a customer' });
  }
  const values = summaryValues(answer, fields, checkedAt, crm.system);
  const link = answer.customerLink ?? (await (await openStore()).lookup('customer', erpSystem, customer));
  const key = link?.ids[crm.system];
  if (key === undefined) throw notLinked('customer', erpSystem, customer, crm.system);
  const id = crm.linkKey === 'id' ? key : (await getByLinkKey(crm, key))?.id;
  if (id === undefined) {
    throw new SyncError({
      code: 'NOT_FOUND',
      system: crm.system,
      message: `customer ${erpSystem}=${customer} is linked to ${crm.system}=${key}, which was not found in ${crm.system}`,
    });
  }
  const written = await customers.update(id, { custom: values });
  const unmapped = Object.keys(values).filter((name) => !(name in (written.data.custom ?? {})));
  if (unmapped.length > 0) {
    const example = JSON.stringify(Object.fromEntries(unmapped.map((name) => [name, `new_${name.toLowerCase()}`])));
    throw new SyncError({
      code: 'CONFIG',
      system: crm.system,
      message: `${crm.system}: the connection maps no column for ${unmapped.join(', ')}, so they were not written; add them to its custom fields, e.g. ${example}`,
    });
  }
  return { system: crm.system, id, fields: values };
}
