import { SyncError } from '../errors';
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
      message: `${label}: expected an object such as { ids: { crm: "A-1", erp: "10000" } }, got ${Array.isArray(value) ? 'a list' : typeof value}`,
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
      message: `${label}: the record is a ${JSON.stringify(value.entity)} link, but this node links ${JSON.stringify(entity)}`,
    });
  }
  const ids: Record<string, string> = {};
  for (const [system, id] of Object.entries(value.ids)) {
    if (typeof id === 'number' && Number.isFinite(id)) ids[system] = String(id);
    else if (typeof id === 'string') ids[system] = id;
    else {
      throw new SyncError({
        code: 'VALIDATION',
        system: 'input',
        message: `${label}: the id for system ${JSON.stringify(system)} must be text or a number, got ${id === null ? 'null' : typeof id}`,
      });
    }
  }
  const request: LinkRequest = { entity, ids };
  if (typeof value.linkId === 'string' && value.linkId !== '') request.linkId = value.linkId;
  return request;
}
