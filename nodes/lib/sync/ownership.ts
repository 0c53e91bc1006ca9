import { parseSettingJson, SyncError } from '../errors';

/** The customer fields a sync can write, each a unit of ownership (the address moves as a whole). */
export const CUSTOMER_FIELDS = [
  'name',
  'taxId',
  'email',
  'phone',
  'website',
  'address',
  'currency',
  'paymentTerms',
  'creditLimit',
  'blocked',
  'lifecycle',
  'custom',
] as const;

export type CustomerField = (typeof CUSTOMER_FIELDS)[number];

/** Which system leads each field: a system name, `*` for either (last writer wins), or `` for nobody. */
export type Ownership = Partial<Record<CustomerField, string>>;

export const BOTH = '*';

/**
 * The starting point the literature recommends: the CRM leads the contact data, the ERP leads
 * what it computes or enforces (address for invoicing, terms, currency, credit limit, blocking).
 */
export const DEFAULT_OWNERSHIP: Readonly<Ownership> = {
  name: 'crm',
  taxId: 'crm',
  email: 'crm',
  phone: 'crm',
  website: 'crm',
  lifecycle: 'crm',
  custom: 'crm',
  address: 'erp',
  currency: 'erp',
  paymentTerms: 'erp',
  creditLimit: 'erp',
  blocked: 'erp',
};

/** The fields `source` may write: those it leads, and those either system may lead. */
export function fieldsLedBy(ownership: Ownership, source: string): CustomerField[] {
  return CUSTOMER_FIELDS.filter((field) => ownership[field] === source || ownership[field] === BOTH);
}

/** Reads the editor's JSON; unknown fields or non-text leaders are a CONFIG error naming them. */
export function parseOwnership(text: string | undefined, system: string): Ownership {
  if (!text || text.trim() === '') return { ...DEFAULT_OWNERSHIP };
  const parsed = parseSettingJson(text, 'field ownership is', system);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SyncError({ code: 'CONFIG', system, message: 'field ownership must map fields to system names' });
  }
  const ownership: Ownership = {};
  for (const [field, leader] of Object.entries(parsed)) {
    if (!(CUSTOMER_FIELDS as readonly string[]).includes(field)) {
      throw new SyncError({
        code: 'CONFIG',
        system,
        message: `field ownership names an unknown field ${JSON.stringify(field)}`,
      });
    }
    if (typeof leader !== 'string') {
      throw new SyncError({
        code: 'CONFIG',
        system,
        message: `field ownership of ${field} must be a system name, * or empty`,
      });
    }
    ownership[field as CustomerField] = leader;
  }
  return ownership;
}
