import { SyncError } from '../errors';
import { fill, type Lang } from '../i18n';
import { KEYWORD_MESSAGES } from './messages';
import type { EntitySchemaName } from './profiles';
import type { FieldProblem } from './validator';

const ENTITY_LABELS: Record<Lang, Record<EntitySchemaName, string>> = {
  en: { customer: 'customer', order: 'order', invoiceStatus: 'invoice', link: 'link' },
  de: { customer: 'Kunde', order: 'Auftrag', invoiceStatus: 'Rechnung', link: 'Verknüpfung' },
};

/** How much of a value a message quotes: enough to recognise it, never a huge value echoed back. */
const QUOTED_LENGTH = 60;
/** How many problems of one record a message spells out; `details.problems` holds them all. */
const PROBLEMS_IN_MESSAGE = 10;

/**
 * Characters that would garble a message where it is shown: control characters, bidi overrides and
 * halves of surrogate pairs.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/gu;

/**
 * `text` as a message shows it: unprintable characters escaped (`\u001b`), cut to `max` characters
 * with an ellipsis, never splitting a surrogate pair.
 */
export function clipText(text: string, max = QUOTED_LENGTH): string {
  const shown = text.length > max * 6 ? text.slice(0, max * 6) : text;
  const printable = shown.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (printable.length <= max && shown === text) return printable;
  const cut = Math.min(printable.length, max - 1);
  const end = /[\ud800-\udbff]/.test(printable.charAt(cut - 1)) ? cut - 1 : cut;
  return `${printable.slice(0, end)}…`;
}

/** A value as a message quotes it: text in quotes and cut short, other values by kind. Never throws. */
export function quoteValue(value: unknown): string {
  if (typeof value === 'string') return `"${clipText(value).replace(/"/g, '\\"')}"`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'function') return 'a function';
  return valueKind(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** How a message names a value that is not what was expected: "nothing", "null", "a list", "object", … */
export function valueKind(value: unknown): string {
  if (value === undefined || value === '') return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
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
      .map(([system, id]) => `${clipText(system, 40)}=${clipText(String(id), 200)}`);
    if (pairs.length > 0) return pairs.slice(0, 3).join(', ');
  }
  for (const key of ['sourceId', 'invoiceNumber', 'linkId', 'number', 'name']) {
    const value = text(r[key]);
    if (value !== undefined) return `${key}=${clipText(value)}`;
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
  const shown = problems.slice(0, PROBLEMS_IN_MESSAGE).map((p) => p.message);
  const summary = [...shown, ...(problems.length > shown.length ? ['…'] : [])].join('; ');
  const template = problems.length === 1 ? texts.summaryOne : texts.summaryMany;
  return new SyncError({
    code: 'VALIDATION',
    system: 'input',
    message: fill(template ?? '', { record: label, count: problems.length, problems: summary }),
    details: { record: label, ...(index === undefined ? {} : { index }), problems },
  });
}
