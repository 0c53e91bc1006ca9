/**
 * Makes the HTTP layer's errors name the record they are about and, for an over-long value, the field.
 * BC's business-rule refusals (Application_DialogException, e.g. "You cannot create this type of document
 * when Customer 60000 is blocked") become REJECTED rather than the VALIDATION of a plain HTTP 400.
 */
import { SyncError, toSyncError } from '../../lib/errors';
import type { BcRecord } from './mapping';

/** What was sent, so an Application_StringExceededLength can be traced back to its field. */
export interface SentBody {
  body: BcRecord;
  /** The canonical name of a BC field path, e.g. `city` → `address.city`. */
  fieldName(bcPath: string): string;
}

const STRING_TOO_LONG = /length of the string is (\d+)/i;

/** Every text value of a body with its path; lines of a deep insert as `salesOrderLines[0].description`. */
function textEntries(body: BcRecord, prefix = ''): Array<[string, string]> {
  return Object.entries(body).flatMap(([name, value]): Array<[string, string]> => {
    if (typeof value === 'string') return [[`${prefix}${name}`, value]];
    if (!Array.isArray(value)) return [];
    return value.flatMap((item, index) =>
      typeof item === 'object' && item !== null ? textEntries(item as BcRecord, `${prefix}${name}[${index}].`) : [],
    );
  });
}

/**
 * BC names the length and the value but not the field ("The length of the string is 35, but it must be
 * less than or equal to 30 characters. Value: …"); the field is the one sent with that length, and the
 * one whose value the message quotes when several have it.
 */
function overlongField(body: BcRecord, systemMessage: string): string | undefined {
  const length = Number(STRING_TOO_LONG.exec(systemMessage)?.[1]);
  const candidates = textEntries(body).filter(([, value]) => value.length === length);
  return (candidates.find(([, value]) => systemMessage.includes(value)) ?? candidates[0])?.[0];
}

/**
 * BC names the missing record by its key ("The Item does not exist. Identification fields and values:
 * No.='1896-X'") but not the field that referred to it: the field is the one sent with that value (BC
 * keeps codes in capitals, so compared without case).
 */
function referringField(body: BcRecord, systemMessage: string): string | undefined {
  const message = systemMessage.toUpperCase();
  return textEntries(body).find(([, value]) => value !== '' && message.includes(`='${value.toUpperCase()}'`))?.[0];
}

function detailsOf(error: SyncError): Record<string, unknown> {
  return typeof error.details === 'object' && error.details !== null ? { ...error.details } : {};
}

/**
 * `erp: PATCH … failed …` becomes `erp: customer 10000: PATCH … failed …`; for an over-long value
 * `erp: customer 10000: address.city (BC field city) is longer than Business Central allows; PATCH … failed …`.
 */
export function recordError(error: unknown, system: string, subject: string, sent?: SentBody): SyncError {
  const original = toSyncError(error, system);
  const details = detailsOf(original);
  const systemMessage = typeof details['systemMessage'] === 'string' ? details['systemMessage'] : '';
  const overlong = sent !== undefined && details['systemCode'] === 'Application_StringExceededLength';
  const missing = sent !== undefined && details['systemCode'] === 'Internal_RecordNotFound';
  const bcPath = overlong
    ? overlongField(sent.body, systemMessage)
    : missing
      ? referringField(sent.body, systemMessage)
      : undefined;
  let explanation = '';
  if (bcPath !== undefined) {
    const field = sent?.fieldName(bcPath) ?? bcPath;
    const problem = overlong
      ? 'is longer than Business Central allows'
      : 'names a record Business Central does not have';
    explanation = `${field} (BC field ${bcPath}) ${problem}; `;
    details['fields'] = [field];
  }
  const prefix = `${system}: `;
  const rest = original.message.startsWith(prefix) ? original.message.slice(prefix.length) : original.message;
  const code = details['systemCode'] === 'Application_DialogException' ? 'REJECTED' : original.code;
  const info = { ...original.toInfo(), code, message: `${prefix}${subject}: ${explanation}${rest}`, cause: original };
  return new SyncError(Object.keys(details).length > 0 ? { ...info, details } : info);
}
