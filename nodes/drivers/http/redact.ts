/**
 * Scrubs credentials from anything that leaves the HTTP layer: log lines, error messages, error details.
 * It knows the client's own secrets by value and also catches credential-shaped text (Authorization
 * headers, `client_secret=` in form bodies, `access_token` fields) whose value it has never seen.
 */

export const REDACTED = '[REDACTED]';

/** Shorter values would mask ordinary words; such secrets are still masked by field name and header shape. */
const MIN_SECRET_LENGTH = 4;
const MAX_DEPTH = 12;

/** Keys whose value is a credential whatever it looks like. */
const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|client[-_]?secret|access[-_]?token|refresh[-_]?token|id[-_]?token|client[-_]?assertion|password|passwd|secret|token)$/i;

const CREDENTIAL_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // `Authorization: Basic …`, `"authorization":"Bearer …"`, `authorization=…`
  [/(\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?)[^"',\r\n}]+/gi, `$1${REDACTED}`],
  [/\bBearer\s+[A-Za-z0-9\-._~+/]{8,}=*/g, `Bearer ${REDACTED}`],
  // form bodies and query strings
  [/\b(client_secret|access_token|refresh_token|id_token|client_assertion|password)=[^&\s"']*/gi, `$1=${REDACTED}`],
  // JSON text, e.g. a token response echoed in an error body
  [
    /("(?:client_secret|access_token|refresh_token|id_token|client_assertion|password)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi,
    `$1"${REDACTED}"`,
  ],
];

/** The forms a secret travels in: as is, URL/form-encoded, and escaped inside a JSON string. */
function encodings(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ v: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
  ];
}

/** Access tokens are replaced on every refresh; the previous few may still be in flight. */
const MAX_ROTATING_SECRETS = 8;

export class SecretRedactor {
  private readonly permanent = new Set<string>();
  private readonly rotating: string[] = [];
  /** All forms of all secrets, longest first, so a secret that contains another is masked whole. */
  private ordered: string[] = [];

  /** Registers secrets that stay valid, such as a client secret or a password. */
  add(...values: ReadonlyArray<string | undefined>): this {
    for (const value of values) {
      if (value !== undefined && value.length >= MIN_SECRET_LENGTH) this.permanent.add(value);
    }
    this.rebuild();
    return this;
  }

  /** Registers a secret that replaces older ones over time (an access token); only the latest few are kept. */
  addRotating(value: string): this {
    if (value.length < MIN_SECRET_LENGTH || this.rotating.includes(value)) return this;
    this.rotating.push(value);
    if (this.rotating.length > MAX_ROTATING_SECRETS) this.rotating.shift();
    this.rebuild();
    return this;
  }

  redactText(text: string): string {
    let result = text;
    for (const secret of this.ordered) result = result.split(secret).join(REDACTED);
    for (const [pattern, replacement] of CREDENTIAL_PATTERNS) result = result.replace(pattern, replacement);
    return result;
  }

  /** A redacted deep copy: strings scrubbed, credential-named fields masked, buffers summarised. */
  redact(value: unknown): unknown {
    return this.redactValue(value, new Set(), 0);
  }

  private rebuild(): void {
    const forms = new Set([...this.permanent, ...this.rotating].flatMap(encodings));
    this.ordered = [...forms].sort((a, b) => b.length - a.length);
  }

  private redactValue(value: unknown, path: Set<object>, depth: number): unknown {
    if (typeof value === 'string') return this.redactText(value);
    if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
    if (path.has(value) || depth >= MAX_DEPTH) return '[…]';
    path.add(value);
    try {
      if (value instanceof Error) {
        const code = (value as { code?: unknown }).code;
        return {
          name: value.name,
          message: this.redactText(value.message),
          ...(typeof code === 'string' ? { code } : {}),
        };
      }
      if (Array.isArray(value)) return value.map((item) => this.redactValue(item, path, depth + 1));
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        copy[key] =
          SECRET_KEY.test(key) && item !== undefined && item !== null && item !== ''
            ? REDACTED
            : this.redactValue(item, path, depth + 1);
      }
      return copy;
    } finally {
      path.delete(value);
    }
  }
}
