/**
 * Finds secrets written into a flow: exported credentials, credentials of our config nodes stored as
 * plain properties, Authorization headers, JWTs, passwords in URLs and connection strings, and
 * random-looking values of properties named like a secret. A finding never carries the secret: only
 * where it is, what it looks like, and a masked form.
 */

export interface SecretFinding {
  /** Where in the node: `clientSecret`, `headers[0].valueValue`, `rules[1].to`, `credentials.password`. */
  path: string;
  /** What it is, for the message: "a bearer token", "a password in a connection string". */
  kind: string;
  /** The value masked: at most its first two characters and its length. */
  masked: string;
  /** How to fix it. */
  fix: string;
}

const PLACEHOLDERS = new Set(['password', 'passwd', 'pass', 'pwd', 'secret', 'token', 'changeme', 'example', 'null']);

/**
 * A value that is no secret itself: a reference resolved at run time (`${NAME}`, `{{mustache}}`),
 * the editor's placeholder, or an obvious placeholder in documentation (`<password>`, `YOUR_SECRET`, `***`).
 */
export function isReference(value: string): boolean {
  const text = value.trim();
  return (
    text.includes('${') ||
    text.startsWith('{{') ||
    text.startsWith('$(') ||
    text.startsWith('<') ||
    text === '__PWRD__' ||
    /^[A-Z]+(_[A-Z0-9]+)*$/.test(text) ||
    /^(\*+|x+|\.+)$/i.test(text) ||
    PLACEHOLDERS.has(text.toLowerCase())
  );
}

export function mask(value: string): string {
  const length = [...value].length;
  const unit = length === 1 ? 'character' : 'characters';
  return length >= 12 ? `"${value.slice(0, 2)}…", ${length} ${unit}` : `${length} ${unit}`;
}

/** Shannon entropy in bits per character. */
function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** A value that looks generated rather than typed: long, no spaces, mixed letters and digits, high entropy. */
export function looksRandom(value: string): boolean {
  return (
    value.length >= 16 &&
    !/\s/.test(value) &&
    !/^[a-z][a-z0-9+.-]*:\/\//i.test(value) &&
    !/^(\/|\.{1,2}\/|~\/|[A-Za-z]:\\)/.test(value) &&
    /[0-9]/.test(value) &&
    /[A-Za-z]/.test(value) &&
    entropy(value) >= 3.5
  );
}

const SECRET_WORDS = new Set([
  'secret',
  'token',
  'password',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'apikey',
  'key',
  'credential',
  'credentials',
  'auth',
]);
/** Last words that make a secret-like name a name of something else: `tokenUrl`, `keyType`, `keyPath`. */
const NOT_SECRET_ENDINGS = new Set(['url', 'uri', 'endpoint', 'type', 'path', 'file', 'name', 'column', 'field']);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

/** `apiKey`, `client_secret`, `X-Api-Key`, `ACCESS_TOKEN`, `password` — but not `tokenUrl` or `keyType`. */
export function isSecretName(name: string): boolean {
  const parts = words(name);
  const last = parts[parts.length - 1];
  if (last === undefined || NOT_SECRET_ENDINGS.has(last)) return false;
  return parts.some((word) => SECRET_WORDS.has(word)) || parts.join('').includes('apikey');
}

function isAuthorizationName(name: string): boolean {
  return /^(proxy-)?authorization$/i.test(name.trim());
}

/** Typed-input types whose value names something (a msg property, a variable) rather than being the value. */
const INDIRECT_TYPES = new Set(['msg', 'flow', 'global', 'env', 'cred', 'jsonata', 'node', 'conf-type']);

const MOVE_TO_CREDENTIALS =
  "keep it in the node's credentials (or an environment variable, written ${NAME}) and out of the flow file";
const PATTERNS: Array<{ kind: string; pattern: RegExp; fix: string; accept?: (secret: string) => boolean }> = [
  {
    kind: 'a JSON Web Token',
    pattern: /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{8,}/g,
    fix: MOVE_TO_CREDENTIALS,
  },
  {
    kind: 'a bearer token',
    pattern: /\bBearer\s+([A-Za-z0-9._~+/-]+=*)/g,
    fix: MOVE_TO_CREDENTIALS,
    accept: looksRandom,
  },
  {
    kind: 'basic authentication credentials',
    pattern: /\bBasic\s+([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])/g,
    fix: MOVE_TO_CREDENTIALS,
    accept: (encoded) => {
      const decoded = Buffer.from(encoded, 'base64').toString('utf8');
      return /^[\x20-\x7e]+:[\x20-\x7e]*$/.test(decoded);
    },
  },
  {
    kind: 'a password in a URL',
    pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@"'`]+:([^\s/@"'`]+)@/gi,
    fix: 'take the user and password out of the URL and put them in the credentials of the node that connects',
  },
  {
    kind: 'a secret in a URL or connection string',
    pattern:
      /(?:^|[?&;\s"'`])(?:client_secret|password|passwd|pwd|access_token|api_key|apikey)\s*=\s*([^&;\s"'`<>(){}[\],]{3,})/gi,
    fix: 'take it out of the URL or connection string and pass it through credentials or ${NAME}',
  },
];

function scanText(path: string, text: string, found: SecretFinding[]): void {
  for (const { kind, pattern, fix, accept } of PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const secret = match[1] ?? match[0];
      if (isReference(secret) || (accept && !accept(secret))) continue;
      found.push({ path, kind, masked: mask(secret), fix });
      break;
    }
  }
}

interface Pair {
  name: string;
  value: string;
  valuePath: string;
}

/** Name/value entries of lists: http request headers, change rules, inject props, env variables. */
function pairOf(entry: Record<string, unknown>, path: string): Pair | undefined {
  const pick = (nameKey: string, valueKey: string, typeKey: string): Pair | undefined => {
    const name = entry[nameKey];
    const value = entry[valueKey];
    const type = entry[typeKey];
    if (typeof name !== 'string' || typeof value !== 'string') return undefined;
    if (typeof type === 'string' && INDIRECT_TYPES.has(type)) return undefined;
    return { name, value, valuePath: `${path}.${valueKey}` };
  };
  if ('keyType' in entry && 'valueValue' in entry) {
    // An http request header: a preset name in keyType, or a typed one in keyValue.
    const name = entry.keyType === 'other' ? entry.keyValue : entry.keyType;
    const value = entry.valueValue;
    if (typeof name !== 'string' || typeof value !== 'string') return undefined;
    if (typeof entry.valueType === 'string' && INDIRECT_TYPES.has(entry.valueType)) return undefined;
    return { name, value, valuePath: `${path}.valueValue` };
  }
  // Change rules set a msg/flow/global path: its last segment names the value.
  const setPath = pick('p', 'to', 'tot') ?? pick('p', 'v', 'vt');
  if (setPath) {
    const segments = setPath.name.split(/[.[\]"']+/).filter(Boolean);
    return { ...setPath, name: segments[segments.length - 1] ?? setPath.name };
  }
  return pick('name', 'value', 'type');
}

function scanValue(path: string, name: string, value: unknown, found: SecretFinding[]): void {
  if (typeof value === 'string') {
    if (value === '' || isReference(value)) return;
    if (isAuthorizationName(name)) {
      const scheme = /^(Bearer|Basic|Digest)\s+(\S.*)$/i.exec(value.trim());
      const credential = scheme?.[2] ?? value;
      if (isReference(credential)) return;
      const kind = scheme ? `${scheme[1]} credentials in an Authorization header` : 'an Authorization header value';
      found.push({ path, kind, masked: mask(credential), fix: MOVE_TO_CREDENTIALS });
      return;
    }
    if (isSecretName(name) && looksRandom(value)) {
      found.push({ path, kind: `a random-looking value in "${name}"`, masked: mask(value), fix: MOVE_TO_CREDENTIALS });
      return;
    }
    scanText(path, value, found);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => scanValue(`${path}[${index}]`, name, item, found));
  } else if (value !== null && typeof value === 'object') {
    const entry = value as Record<string, unknown>;
    const pair = pairOf(entry, path);
    if (pair) {
      const before = found.length;
      scanValue(pair.valuePath, pair.name, pair.value, found);
      if (found.length > before) return;
    }
    for (const [key, inner] of Object.entries(entry)) scanValue(`${path}.${key}`, key, inner, found);
  }
}

/**
 * The secrets written into one node. `credentialNames` are the node type's credentials, which must
 * never appear as plain properties.
 */
export function findSecrets(
  node: Record<string, unknown>,
  credentialNames: readonly string[] = [],
  environmentHint?: (credential: string) => string,
): SecretFinding[] {
  const found: SecretFinding[] = [];
  const credentials = node.credentials;
  if (credentials !== null && typeof credentials === 'object' && !Array.isArray(credentials)) {
    for (const [key, value] of Object.entries(credentials)) {
      if (typeof value !== 'string' || value === '' || isReference(value)) continue;
      found.push({
        path: `credentials.${key}`,
        kind: 'a credential exported with the flow',
        masked: mask(value),
        fix: 'export the flow without credentials (Node-RED keeps them encrypted in flows_cred.json) and enter them in the editor or through ${NAME}',
      });
    }
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'credentials' || key === 'id' || key === 'type' || key === 'z' || key === 'g' || key === 'wires') {
      continue;
    }
    if (credentialNames.includes(key)) {
      if (typeof value === 'string' && value !== '' && !isReference(value)) {
        found.push({
          path: key,
          kind: 'a credential stored as a plain property',
          masked: mask(value),
          fix: `delete the property from the flow and enter it as the node's ${key} credential${environmentHint ? `, or ${environmentHint(key)}` : ''}`,
        });
      }
      continue;
    }
    scanValue(key, key, value, found);
  }
  return found;
}
