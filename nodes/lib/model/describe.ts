import { SyncError } from '../errors';
import { fill, type Lang } from '../i18n';
import { KEYWORD_MESSAGES } from './messages';
import type { EntitySchemaName } from './profiles';
import type { FieldProblem } from './validator';

const ENTITY_LABELS: Record<Lang, Record<EntitySchemaName, string>> = {
  en: { customer: 'customer', order: 'order', invoiceStatus: 'invoice', link: 'link' },
  de: { customer: 'Kunde', order: 'Auftrag', invoiceStatus: 'Rechnung', link: 'Verknüpfung' },
};

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** How a message names a value that is not what was expected: "nothing", "null", "a list", "object", … */
export function valueKind(value: unknown): string {
  if (value === undefined || value === '') return 'nothing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'a list' : typeof value;
}

/** What identifies a record in a message: its ids, source id, number or name, never its whole content. */
export function recordIdentity(record: unknown): string | undefined {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return undefined;
  const r = record as Record<string, unknown>;
  if (r.ids !== null && typeof r.ids === 'object' && !Array.isArray(r.ids)) {
    const pairs = Object.entries(r.ids as Record<string, unknown>)
      .filter(([, id]) => text(id) !== undefined)
      .map(([system, id]) => `${system}=${String(id)}`);
    if (pairs.length > 0) return pairs.slice(0, 3).join(', ');
  }
  for (const key of ['sourceId', 'invoiceNumber', 'linkId', 'number', 'name']) {
    const value = text(r[key]);
    if (value !== undefined) return `${key}=${value.slice(0, 60)}`;
  }
  return undefined;
}

/** e.g. `customer crm=A-1001` or `record 3 (order sourceId=SO-7)`. */
export function describeRecord(
  entity: EntitySchemaName | undefined,
  record: unknown,
  lang: Lang,
  index?: number,
): string {
  const label = entity ? ENTITY_LABELS[lang][entity] : (KEYWORD_MESSAGES[lang].record ?? 'record');
  const identity = recordIdentity(record);
  const named = identity ? `${label} ${identity}` : label;
  if (index === undefined) return named;
  const position = `${KEYWORD_MESSAGES[lang].record ?? 'record'} ${index}`;
  return identity || entity ? `${position} (${named})` : position;
}

/** One VALIDATION error for a record, naming the record and every failing field. */
export function validationError(
  entity: EntitySchemaName | undefined,
  record: unknown,
  problems: FieldProblem[],
  lang: Lang,
  index?: number,
): SyncError {
  const texts = KEYWORD_MESSAGES[lang];
  const label = describeRecord(entity, record, lang, index);
  const summary = problems.map((p) => p.message).join('; ');
  const template = problems.length === 1 ? texts.summaryOne : texts.summaryMany;
  return new SyncError({
    code: 'VALIDATION',
    system: 'input',
    message: fill(template ?? '', { record: label, count: problems.length, problems: summary }),
    details: { record: label, ...(index === undefined ? {} : { index }), problems },
  });
}
