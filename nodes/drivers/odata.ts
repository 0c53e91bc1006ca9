/** OData literals and ids shared by the OData drivers (Business Central, Dataverse). */
import { SyncError } from '../lib/errors';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** A string literal for keys and $filter: quotes doubled, so a value can never end the literal early. */
export function quote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Longest `$filter` one lookup sends, so the URL stays well within what gateways and proxies accept. */
const MAX_FILTER_LENGTH = 1500;

/**
 * `field eq <literal> or field eq <literal> …` over the distinct `literals`, split into as few filters as keep
 * each under MAX_FILTER_LENGTH: several keys are looked up in a few requests instead of one per key. Only one
 * field, because Business Central refuses `or` across distinct fields.
 */
export function anyOfFilters(field: string, literals: readonly string[]): string[] {
  const filters: string[] = [];
  let current = '';
  for (const literal of new Set(literals)) {
    const condition = `${field} eq ${literal}`;
    if (current !== '' && current.length + condition.length + 4 > MAX_FILTER_LENGTH) {
      filters.push(current);
      current = '';
    }
    current = current === '' ? condition : `${current} or ${condition}`;
  }
  if (current !== '') filters.push(current);
  return filters;
}

/** An OData date-time literal: ISO 8601 with an offset, sent unquoted. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * `$filter` and `$orderby` of a change feed on `field`: changed at or after `since`, oldest first. The
 * watermark goes into the URL as an unquoted literal, so anything but an ISO 8601 date-time is refused.
 */
export function changedSinceQuery(field: string, since: string | undefined, system: string): Record<string, string> {
  const order = { $orderby: `${field} asc` };
  if (since === undefined) return order;
  if (!DATE_TIME.test(since) || Number.isNaN(Date.parse(since))) {
    throw new SyncError({
      code: 'VALIDATION',
      system,
      message: `${system}: the watermark ${JSON.stringify(since)} is not an ISO 8601 date-time such as 2025-03-01T08:00:00Z`,
    });
  }
  return { $filter: `${field} ge ${since}`, ...order };
}
