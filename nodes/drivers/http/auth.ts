/** Authentication providers: OAuth2 client credentials (cached, single-flight refresh), bearer, basic, none. */
import { SyncError } from '../../lib/errors';

export type HttpLogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Receives log lines that have already been redacted. */
export type HttpLog = (level: HttpLogLevel, message: string) => void;

/** What the client lends a provider: its transport (same TLS settings and timeout), its name and its log. */
export interface AuthContext {
  system: string;
  /** POSTs a form to a token endpoint; resolves with the parsed body of a 2xx answer, otherwise throws AUTH. */
  requestToken(tokenUrl: string, form: Readonly<Record<string, string>>): Promise<unknown>;
  log: HttpLog;
}

export interface AuthProvider {
  /** Secrets known up front; the client redacts them from everything it logs, throws or returns. */
  readonly secrets: readonly string[];
  /** Identifies the credential for the rate governor registry, which hashes it (it may contain a secret). */
  identity(baseUrl: URL): readonly string[];
  /** The Authorization header value for the next request, or undefined to send none. */
  authorization(context: AuthContext): Promise<string | undefined>;
  /**
   * The API answered 401 to `rejected`. True when asking again can give a different, valid credential
   * (a refreshable token): the client then retries the request once.
   */
  invalidate(rejected: string): boolean;
}

export function noAuth(): AuthProvider {
  return {
    secrets: [],
    identity: (baseUrl) => ['none', baseUrl.origin],
    authorization: () => Promise.resolve(undefined),
    invalidate: () => false,
  };
}

/** A fixed token, e.g. a HubSpot private-app token. */
export function bearerAuth(token: string): AuthProvider {
  const header = `Bearer ${token}`;
  return {
    secrets: [token],
    identity: (baseUrl) => ['bearer', baseUrl.origin, token],
    authorization: () => Promise.resolve(header),
    invalidate: () => false,
  };
}

export function basicAuth(user: string, password: string): AuthProvider {
  const encoded = Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
  return {
    secrets: [password, encoded],
    identity: (baseUrl) => ['basic', baseUrl.origin, user],
    authorization: () => Promise.resolve(`Basic ${encoded}`),
    invalidate: () => false,
  };
}

export interface OAuth2ClientCredentialsOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** e.g. `https://api.businesscentral.dynamics.com/.default`. */
  scope?: string | undefined;
  /** Fetch a new token this long before `expires_in` runs out. Default 60 s. */
  refreshSkewMs?: number | undefined;
}

const DEFAULT_REFRESH_SKEW_MS = 60_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class OAuth2ClientCredentialsAuth implements AuthProvider {
  readonly secrets: readonly string[];
  private cached: { authorization: string; expiresAt: number } | undefined;
  /** The token request in progress; concurrent callers share it (single flight). */
  private pending: Promise<string> | undefined;

  constructor(private readonly options: OAuth2ClientCredentialsOptions) {
    this.secrets = [options.clientSecret];
  }

  identity(): readonly string[] {
    return ['oauth2-client-credentials', this.options.tokenUrl, this.options.clientId, this.options.scope ?? ''];
  }

  authorization(context: AuthContext): Promise<string> {
    if (this.cached !== undefined && Date.now() < this.cached.expiresAt)
      return Promise.resolve(this.cached.authorization);
    this.pending ??= this.fetchToken(context).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  invalidate(rejected: string): boolean {
    // A sibling request may already have replaced the token; then the retry simply uses the new one.
    if (this.cached?.authorization === rejected) this.cached = undefined;
    return true;
  }

  private async fetchToken(context: AuthContext): Promise<string> {
    const { tokenUrl, clientId, clientSecret, scope } = this.options;
    const form: Record<string, string> = {
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    };
    if (scope !== undefined && scope !== '') form['scope'] = scope;
    const body = await context.requestToken(tokenUrl, form);

    const token = isRecord(body) ? body['access_token'] : undefined;
    if (typeof token !== 'string' || token === '') {
      throw new SyncError({
        code: 'AUTH',
        system: context.system,
        message: `${context.system}: the token endpoint ${new URL(tokenUrl).origin} answered without an access_token`,
        retryable: false,
      });
    }
    const expiresInMs = Number(isRecord(body) ? body['expires_in'] : undefined) * 1000;
    const skewMs = this.options.refreshSkewMs ?? DEFAULT_REFRESH_SKEW_MS;
    // Without expires_in (Salesforce) the token is kept until the API rejects it with 401.
    // A skew longer than the lifetime would make every request fetch a token, so keep at least half of it.
    const lifetimeMs = expiresInMs > 0 ? Math.max(expiresInMs - skewMs, expiresInMs / 2) : Infinity;
    this.cached = { authorization: `Bearer ${token}`, expiresAt: Date.now() + lifetimeMs };
    context.log(
      'debug',
      `${context.system}: fetched an access token for client ${clientId}` +
        (Number.isFinite(lifetimeMs) ? `, reused for ${Math.round(lifetimeMs / 1000)} s` : ''),
    );
    return this.cached.authorization;
  }
}

/** OAuth2 client credentials grant (Entra ID for Business Central and Dataverse, Salesforce). */
export function oauth2ClientCredentials(options: OAuth2ClientCredentialsOptions): AuthProvider {
  return new OAuth2ClientCredentialsAuth(options);
}
