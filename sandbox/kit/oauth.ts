import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse } from './http-server';

export interface ClientCredential {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface TokenServiceOptions {
  readonly tenant: string;
  readonly clients: readonly ClientCredential[];
  /** Lifetime of issued tokens; fractions are allowed so tests can watch a token expire quickly. */
  readonly lifetimeSeconds: number;
}

export type TokenCheck =
  | { readonly valid: true; readonly clientId: string }
  | { readonly valid: false; readonly reason: 'missing' | 'invalid' | 'expired' };

interface TokenClaims {
  readonly aud: string;
  readonly iss: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly appid: string;
  readonly tid: string;
  readonly idtyp: 'app';
}

const ENTRA_NO_CACHE = { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' };

/**
 * Microsoft Entra ID's client-credentials token endpoint (`POST /{tenant}/oauth2/v2.0/token`), reduced to
 * what the emulated APIs need. Tokens are JWT-shaped and HMAC-signed with a per-process key, so they are
 * opaque to clients but carry `exp` like real Entra tokens.
 */
export class TokenService {
  private readonly signingKey = randomBytes(32);

  constructor(private readonly options: TokenServiceOptions) {}

  get tokenPath(): string {
    return `/${this.options.tenant}/oauth2/v2.0/token`;
  }

  /** Token requests for any tenant reach `issue`, which answers unknown tenants as Entra does. */
  static isTokenPath(path: string): boolean {
    return /^\/[^/]+\/oauth2\/v2\.0\/token$/.test(path);
  }

  issue(request: EmulatorRequest): EmulatorResponse {
    const tenant = decodeURIComponent(request.rawPath.split('/')[1] ?? '');
    if (tenant !== this.options.tenant) {
      return entraError(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    }
    const form = new URLSearchParams(request.body.toString('utf8'));
    const grantType = form.get('grant_type');
    if (grantType === null) return missingParameter('grant_type');
    if (grantType !== 'client_credentials') {
      return entraError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    }
    const clientId = form.get('client_id');
    if (clientId === null) return missingParameter('client_id');
    const client = this.options.clients.find((candidate) => candidate.clientId === clientId);
    if (client === undefined) {
      return entraError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    const clientSecret = form.get('client_secret');
    if (clientSecret === null) {
      return entraError(
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    if (!sameText(clientSecret, client.clientSecret)) {
      return entraError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    }
    const scope = form.get('scope');
    if (scope === null) return missingParameter('scope');
    if (!scope.endsWith('/.default')) {
      return entraError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const nowSeconds = Date.now() / 1000;
    const claims: TokenClaims = {
      aud: scope.slice(0, -'/.default'.length),
      iss: `https://sts.windows.net/${this.options.tenant}/`,
      iat: Math.floor(nowSeconds),
      nbf: Math.floor(nowSeconds),
      exp: nowSeconds + this.options.lifetimeSeconds,
      appid: clientId,
      tid: this.options.tenant,
      idtyp: 'app',
    };
    const expiresIn = Math.max(1, Math.round(this.options.lifetimeSeconds));
    return {
      status: 200,
      headers: { 'Content-Type': 'application/json; charset=utf-8', ...ENTRA_NO_CACHE },
      body: { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: this.sign(claims) },
    };
  }

  /** Checks an `Authorization: Bearer …` header value. */
  verify(authorization: string | undefined): TokenCheck {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (match?.[1] === undefined) return { valid: false, reason: 'missing' };
    const parts = match[1].split('.');
    const [header, payload, signature] = parts;
    if (parts.length !== 3 || header === undefined || payload === undefined || signature === undefined) {
      return { valid: false, reason: 'invalid' };
    }
    if (!sameText(signature, this.signature(`${header}.${payload}`))) return { valid: false, reason: 'invalid' };
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    if (claims.exp * 1000 <= Date.now()) return { valid: false, reason: 'expired' };
    return { valid: true, clientId: claims.appid };
  }

  private sign(claims: TokenClaims): string {
    const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'HS256' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${header}.${payload}.${this.signature(`${header}.${payload}`)}`;
  }

  private signature(signedPart: string): string {
    return createHmac('sha256', this.signingKey).update(signedPart).digest('base64url');
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function missingParameter(name: string): EmulatorResponse {
  return entraError(
    400,
    'invalid_request',
    900144,
    `The request body must contain the following parameter: '${name}'.`,
  );
}

/** Entra ID's error body: AADSTS code in the description plus trace identifiers. */
function entraError(status: number, error: string, aadsts: number, description: string): EmulatorResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...ENTRA_NO_CACHE },
    body: {
      error,
      error_description: `AADSTS${aadsts}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
    },
  };
}
