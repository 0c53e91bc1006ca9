import { SyncError } from '../errors';
import { quoteValue, valueKind } from '../model/describe';
import type { LinkRequest } from './ports';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Reads what to link from an input value: a canonical record or Link, `{ ids: {crm: 'A-1', erp: '10000'}, linkId? }`.
 * Numbers are accepted as ids and kept as text. A Link's `entity`, when given, must be the node's.
 */
export function linkRequestFrom(value: unknown, entity: string, label: string): LinkRequest {
  if (!isPlainObject(value)) {
    throw new SyncError({
      code: 'VALIDATION',
      system: 'input',
      message: `${label}: expected an object such as { ids: { crm: "A-1", erp: "10000" } }, got ${valueKind(value)}`,
    });
  }
  if (!isPlainObject(value.ids)) {
    throw new SyncError({
      code: 'VALIDATION',
      system: 'input',
      message: `${label}: ids is missing; expected { ids: { crm: "A-1", erp: "10000" } }`,
    });
  }
  if (value.entity !== undefined && value.entity !== entity) {
    throw new SyncError({
      code: 'VALIDATION',
      system: 'input',
      message: `${label}: the record is a ${quoteValue(value.entity)} link, but this node links ${JSON.stringify(entity)}`,
    });
  }
  const pairs: Array<[string, string]> = [];
  for (const [system, id] of Object.entries(value.ids)) {
    if (typeof id === 'number' && Number.isFinite(id)) pairs.push([system, String(id)]);
    else if (typeof id === 'string') pairs.push([system, id]);
    else {
      throw new SyncError({
        code: 'VALIDATION',
        system: 'input',
        message: `${label}: the id for system ${quoteValue(system)} must be text or a number, got ${valueKind(id)}`,
      });
    }
  }
  // Built as own properties, so an id under a key such as `__proto__` reaches the store's name check.
  const request: LinkRequest = { entity, ids: Object.fromEntries(pairs) };
  if (typeof value.linkId === 'string' && value.linkId !== '') request.linkId = value.linkId;
  return request;
}
