/** Weak ETag (`W/"…"`) around an opaque value. */
export function weakETag(opaque: string): string {
  return `W/"${opaque}"`;
}

/** How an `If-Match` / `If-None-Match` header value relates to a record's current ETag. */
export type PreconditionHeader =
  { readonly kind: 'absent' } | { readonly kind: 'any' } | { readonly kind: 'tags'; readonly tags: readonly string[] };

/**
 * Parses a conditional header. Dataverse clients send `If-None-Match: null` on every request as a
 * cache-buster, so the literal `null` counts as no header at all.
 */
export function parsePreconditionHeader(value: string | undefined): PreconditionHeader {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '' || trimmed === 'null') return { kind: 'absent' };
  if (trimmed === '*') return { kind: 'any' };
  return { kind: 'tags', tags: splitTags(trimmed) };
}

/** Weak comparison (RFC 9110 §8.8.3.2): `W/"a"` matches `"a"`. */
export function matchesAnyTag(header: PreconditionHeader, currentETag: string): boolean {
  if (header.kind === 'any') return true;
  if (header.kind === 'absent') return false;
  const current = opaqueTag(currentETag);
  return header.tags.some((tag) => opaqueTag(tag) === current);
}

function opaqueTag(tag: string): string {
  return tag.trim().replace(/^W\//, '');
}

function splitTags(value: string): string[] {
  // Split on commas outside the quotes of each entity tag.
  const tags: string[] = [];
  let current = '';
  let quoted = false;
  for (const character of value) {
    if (character === '"') quoted = !quoted;
    if (character === ',' && !quoted) {
      tags.push(current.trim());
      current = '';
    } else {
      current += character;
    }
  }
  tags.push(current.trim());
  return tags.filter((tag) => tag !== '');
}
