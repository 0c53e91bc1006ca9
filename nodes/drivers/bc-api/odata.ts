/** Small OData helpers: literals for $filter and keys for paths. */
import { SyncError } from '../../lib/errors';

export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** A string literal for $filter: quotes doubled, so a value can never end the literal early. */
export function quote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A literal for a BC `Code` field (numbers, post codes): BC stores codes upper-cased, so a lower-case value never matches. */
export function quoteCode(value: string): string {
  return quote(value.toUpperCase());
}

/** `customers(<guid>)`; anything but a GUID is refused, so an id can never reshape the URL. */
export function keyed(entitySet: string, id: string, system: string): string {
  if (!isGuid(id)) {
    throw new SyncError({
      code: 'VALIDATION',
      system,
      message: `${system}: ${JSON.stringify(id)} is not a Business Central id (a GUID); look records up by number instead`,
    });
  }
  return `${entitySet}(${id.toLowerCase()})`;
}
