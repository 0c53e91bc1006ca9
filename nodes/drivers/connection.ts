import { SyncError } from '../lib/errors';

export const DRIVERS = ['bc-api', 'dataverse', 'nav-sql', 'salesforce', 'hubspot'] as const;
export type DriverName = (typeof DRIVERS)[number];

export type AuthConfig =
  | { type: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope: string }
  | { type: 'bearer'; token: string }
  | { type: 'basic'; user: string; password: string }
  | { type: 'none' };

/** Where a SQL Server driver (`nav-sql`) connects, and as whom. */
export interface SqlConnectionSettings {
  server: string;
  /** TCP port; absent for 1433 or when an instance name is given. */
  port?: number;
  /** A named instance (`SQLEXPRESS`), found through the SQL Server Browser. */
  instanceName?: string;
  database: string;
  /** SQL Server login, or Windows authentication over NTLM (with `domain`). */
  authentication: 'sql' | 'ntlm';
  domain?: string;
  user: string;
  password: string;
  /** TLS on the connection; on unless turned off. */
  encrypt: boolean;
  /** Accept a certificate the client cannot verify (self-signed test servers). */
  trustServerCertificate: boolean;
  /** Connections the pool may open at once. */
  poolMax: number;
  connectTimeoutMs: number;
}

/** Everything a driver needs to reach one system, as set on a connection node. Secrets included: never log it. */
export interface ConnectionConfig {
  /** The system name used in links and messages (crm, erp, nav-de, …). */
  system: string;
  driver: DriverName;
  /** Scheme, host and port, e.g. https://api.businesscentral.dynamics.com or https://contoso.crm4.dynamics.com. */
  baseUrl: string;
  tenant?: string;
  environment?: string;
  /** Business Central company: its name or id. */
  company?: string;
  auth: AuthConfig;
  /** TLS certificate verification; on unless the user turns it off. */
  tlsVerify: boolean;
  timeoutMs: number;
  /** Concurrent requests of this connection; the credential's shared governor limits all connections together. */
  maxConcurrency?: number;
  /** Overrides of the API's documented limits, e.g. for a sandbox with a short window. */
  rateLimits?: { requestsPerWindow?: number; windowMs?: number; concurrent?: number };
  /** Extra fields: canonical `custom` name → the API's field name. */
  customFields: Record<string, string>;
  /** Driver-specific settings (e.g. the Dataverse column that holds the ERP number). */
  options: Record<string, string>;
  /** SQL Server drivers only. */
  sql?: SqlConnectionSettings;
}

const SYSTEM_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,39}$/;

export function configError(system: string, message: string): SyncError {
  return new SyncError({ code: 'CONFIG', system, message });
}

/** Checks what every driver needs; each driver checks its own specifics. */
export function checkConnectionConfig(config: ConnectionConfig): void {
  if (!SYSTEM_NAME.test(config.system)) {
    throw configError(
      config.system || '?',
      `system name ${JSON.stringify(config.system)} is not valid: letters, digits, . _ -, starting with a letter`,
    );
  }
  if (!(DRIVERS as readonly string[]).includes(config.driver)) {
    throw configError(config.system, `unknown driver ${JSON.stringify(config.driver)}`);
  }
  if (config.driver === 'nav-sql') {
    checkSqlSettings(config.system, config.sql);
    return;
  }
  let url: URL;
  try {
    url = new URL(config.baseUrl);
  } catch {
    throw configError(config.system, `base URL ${JSON.stringify(config.baseUrl)} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw configError(config.system, `base URL must start with https:// (or http:// for a local sandbox)`);
  }
  const auth = config.auth;
  const missing =
    auth.type === 'oauth2'
      ? [!auth.tokenUrl && 'token URL', !auth.clientId && 'client id', !auth.clientSecret && 'client secret']
      : auth.type === 'bearer'
        ? [!auth.token && 'token']
        : auth.type === 'basic'
          ? [!auth.user && 'user', !auth.password && 'password']
          : [];
  const names = missing.filter((m): m is string => typeof m === 'string');
  if (names.length > 0) throw configError(config.system, `${auth.type} authentication needs: ${names.join(', ')}`);
}

const MAX_PORT = 65535;

function checkSqlSettings(system: string, settings: SqlConnectionSettings | undefined): void {
  if (!settings) throw configError(system, 'the SQL Server settings are missing');
  const missing = [
    !settings.server.trim() && 'server',
    !settings.database.trim() && 'database',
    !settings.user && 'user',
    !settings.password && 'password',
    settings.authentication === 'ntlm' && !settings.domain?.trim() && 'domain (Windows authentication)',
  ].filter((m): m is string => typeof m === 'string');
  if (missing.length > 0) throw configError(system, `the SQL Server connection needs: ${missing.join(', ')}`);
  if (
    settings.port !== undefined &&
    (!Number.isInteger(settings.port) || settings.port < 1 || settings.port > MAX_PORT)
  ) {
    throw configError(system, `port ${settings.port} is not a TCP port (1–${MAX_PORT})`);
  }
  if (settings.port !== undefined && settings.instanceName) {
    throw configError(
      system,
      'give either a port or an instance name, not both (an instance is found through the SQL Server Browser)',
    );
  }
  if (!Number.isInteger(settings.poolMax) || settings.poolMax < 1 || settings.poolMax > 100) {
    throw configError(system, `the pool size must be a whole number from 1 to 100, not ${settings.poolMax}`);
  }
}

/** The Entra ID token endpoint of a tenant (the default for both Microsoft APIs). */
export function entraTokenUrl(tenant: string | undefined): string {
  return `https://login.microsoftonline.com/${encodeURIComponent(tenant || 'organizations')}/oauth2/v2.0/token`;
}
