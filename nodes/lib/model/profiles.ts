/**
 * Field length limits that the target systems impose. The canonical schemas stay generous;
 * a profile adds the limits of one system so that a too-long value fails validation with a
 * clear message instead of being truncated (or rejected later, half-written) by the system.
 *
 * Lengths count UTF-16 code units, as SQL Server's NVARCHAR and Dataverse strings do.
 */
export type EntitySchemaName = 'customer' | 'order' | 'invoiceStatus' | 'link';

export interface FieldLimit {
  /** Dot path into the record; `*` stands for every entry of a list, e.g. `lines.*.itemNumber`. */
  path: string;
  maxLength: number;
}

export interface FieldProfile {
  id: ProfileId;
  label: string;
  limits: Partial<Record<EntitySchemaName, readonly FieldLimit[]>>;
}

export type ProfileId = 'nav' | 'dataverse';

/** NAV / Business Central table field lengths (Customer 18, Sales Header 36, Sales Line 37). */
const NAV_LIMITS: FieldProfile['limits'] = {
  customer: [
    { path: 'name', maxLength: 100 },
    { path: 'address.line1', maxLength: 100 },
    { path: 'address.line2', maxLength: 50 },
    { path: 'address.city', maxLength: 30 },
    { path: 'address.postCode', maxLength: 20 },
    { path: 'address.county', maxLength: 30 },
    { path: 'address.country', maxLength: 10 },
    { path: 'phone', maxLength: 30 },
    { path: 'email', maxLength: 80 },
    { path: 'taxId', maxLength: 20 },
    { path: 'paymentTerms', maxLength: 10 },
    { path: 'website', maxLength: 80 },
  ],
  order: [
    { path: 'number', maxLength: 20 },
    { path: 'externalDocumentNumber', maxLength: 35 },
    { path: 'lines.*.itemNumber', maxLength: 20 },
    { path: 'lines.*.description', maxLength: 100 },
    { path: 'lines.*.unitOfMeasure', maxLength: 10 },
  ],
  invoiceStatus: [
    { path: 'invoiceNumber', maxLength: 20 },
    { path: 'externalDocumentNumber', maxLength: 35 },
  ],
};

/** Dataverse account column lengths (name 160, emailaddress1 100, telephone1 50, …). */
const DATAVERSE_LIMITS: FieldProfile['limits'] = {
  customer: [
    { path: 'name', maxLength: 160 },
    { path: 'email', maxLength: 100 },
    { path: 'phone', maxLength: 50 },
    { path: 'address.line1', maxLength: 250 },
    { path: 'address.line2', maxLength: 250 },
    { path: 'address.city', maxLength: 80 },
    { path: 'address.postCode', maxLength: 20 },
    { path: 'address.county', maxLength: 50 },
    { path: 'website', maxLength: 200 },
  ],
  order: [{ path: 'lines.*.description', maxLength: 100 }],
};

export const PROFILES: Readonly<Record<ProfileId, FieldProfile>> = {
  nav: { id: 'nav', label: 'Dynamics NAV / Business Central', limits: NAV_LIMITS },
  dataverse: { id: 'dataverse', label: 'Dataverse / Dynamics 365', limits: DATAVERSE_LIMITS },
};

export function isProfileId(value: unknown): value is ProfileId {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PROFILES, value);
}

export interface LengthViolation {
  pointer: string;
  limit: number;
  actual: number;
}

/** Finds every string in `record` that is longer than the profile allows. */
export function checkLengths(profile: FieldProfile, entity: EntitySchemaName, record: unknown): LengthViolation[] {
  const violations: LengthViolation[] = [];
  for (const limit of profile.limits[entity] ?? []) {
    visit(record, limit.path.split('.'), '', (value, pointer) => {
      if (typeof value === 'string' && value.length > limit.maxLength) {
        violations.push({ pointer, limit: limit.maxLength, actual: value.length });
      }
    });
  }
  return violations;
}

function visit(value: unknown, segments: string[], pointer: string, found: (value: unknown, pointer: string) => void) {
  if (segments.length === 0) {
    found(value, pointer);
    return;
  }
  const [head, ...rest] = segments as [string, ...string[]];
  if (head === '*') {
    if (Array.isArray(value)) value.forEach((item, index) => visit(item, rest, `${pointer}/${index}`, found));
    return;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && head in value) {
    visit((value as Record<string, unknown>)[head], rest, `${pointer}/${head}`, found);
  }
}
