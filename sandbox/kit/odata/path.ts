import { ODataQueryError, parseKeyPredicate, type KeyPredicate } from './filter';

export interface PathSegment {
  /** Entity set, navigation property or bound action name. */
  readonly name: string;
  /** The parsed `(…)` key predicate, when present. */
  readonly key?: KeyPredicate;
}

/**
 * Splits an OData resource path such as `companies(1a2b…)/salesOrders(3c4d…)/salesOrderLines` into segments.
 * `rawPath` is still percent-encoded, so an encoded `/` inside a key value does not split the path.
 */
export function parseResourcePath(rawPath: string): PathSegment[] {
  return rawPath
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      const text = decodeSegment(segment);
      const open = text.indexOf('(');
      if (open < 0) return { name: text };
      if (!text.endsWith(')')) throw new ODataQueryError('syntax', 'Bad Request - Error in query syntax.');
      return { name: text.slice(0, open), key: parseKeyPredicate(text.slice(open + 1, -1)) };
    });
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ODataQueryError('syntax', 'Bad Request - Error in query syntax.');
  }
}

/** The text of a `(…)` key predicate as written in a request, for error messages. */
export function describeKey(key: KeyPredicate): string {
  if (key.kind === 'single') return String(key.literal.value);
  return Object.entries(key.parts)
    .map(([name, literal]) => `${name}=${String(literal.value)}`)
    .join(',');
}
