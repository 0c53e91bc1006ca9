/** Business Central's OData specifics: code literals and keys for paths. */
import { SyncError } from '../../lib/errors';
import { isGuid, quote } from '../odata';

export { isGuid, quote };

export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

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
