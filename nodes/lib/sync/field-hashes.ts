import { createHash } from 'node:crypto';

/** JSON with sorted keys, so equal values always hash alike whatever order their fields came in. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * A short fingerprint of one field's value. Only fingerprints are stored, never the values, so the
 * sync store holds no copy of customer data; 96 bits make an accidental match practically impossible.
 */
export function fieldHash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('base64url').slice(0, 16);
}

export function fieldHashes(values: Record<string, unknown>): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const [field, value] of Object.entries(values)) if (value !== undefined) hashes[field] = fieldHash(value);
  return hashes;
}
