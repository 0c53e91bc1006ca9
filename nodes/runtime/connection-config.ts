import type { Node, NodeDef } from 'node-red';
import { parseSettingJson, SyncError } from '../lib/errors';
import type { SystemDriver } from '../lib/ports';
import {
  entraTokenUrl,
  type AuthConfig,
  type ConnectionConfig,
  type DriverName,
  type SqlConnectionSettings,
} from '../drivers/connection';

export interface ConnectionNodeDef extends NodeDef {
  system: string;
  driver: DriverName;
  baseUrl: string;
  tenant: string;
  environment: string;
  company: string;
  authType: AuthConfig['type'];
  tokenUrl: string;
  scope: string;
  tlsVerify: boolean;
  timeout: string;
  maxConcurrency: string;
  rateRequests: string;
  rateWindow: string;
  rateConcurrent: string;
  customFields: string;
  erpSystem: string;
  erpNumberColumn: string;
  /** Where credentials left empty in the editor are read from: `<prefix>_CLIENT_ID`, `<prefix>_CLIENT_SECRET`, … */
  envPrefix: string;
  // nav-sql (SQL Server) only:
  server: string;
  port: string;
  instanceName: string;
  database: string;
  sqlAuth: 'sql' | 'ntlm';
  domain: string;
  encrypt: boolean;
  connectTimeout: string;
  /** `nav` (NAV / Business Central tables) or `custom` (a home-grown schema, mapped). */
  sqlMode: 'nav' | 'custom';
  tableSchema: string;
  stagingSchema: string;
  stagingWait: string;
  localCurrency: string;
  /** Custom mode: the JSON mapping of canonical entities to tables and columns. */
  sqlMapping: string;
}

export interface ConnectionCredentials {
  clientId?: string;
  clientSecret?: string;
  token?: string;
  user?: string;
  password?: string;
}

export interface ConnectionNode extends Node<ConnectionCredentials> {
  readonly system: string;
  /** The driver, built on first use and shared by every node using this connection. */
  getDriver(): SystemDriver;
}

function positive(text: string | undefined): number | undefined {
  const value = Number(text);
  return text !== undefined && text !== '' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function parseCustomFields(system: string, text: string | undefined): Record<string, string> {
  if (!text || text.trim() === '') return {};
  const parsed = parseSettingJson(text, 'custom fields are', system);
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    Array.isArray(parsed) ||
    Object.values(parsed).some((v) => typeof v !== 'string')
  ) {
    throw new SyncError({
      code: 'CONFIG',
      system,
      message: 'custom fields must map canonical names to the API field names, e.g. {"industry": "industrycode"}',
    });
  }
  return parsed as Record<string, string>;
}

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECT_TIMEOUT_SECONDS = 15;

/** The SQL Server settings of a nav-sql connection; checked by the driver. */
function sqlSettingsFrom(def: ConnectionNodeDef, credentials: ConnectionCredentials): SqlConnectionSettings {
  const port = (def.port ?? '').trim();
  return {
    server: (def.server ?? '').trim(),
    ...(port !== '' ? { port: Number(port) } : {}),
    ...(def.instanceName?.trim() ? { instanceName: def.instanceName.trim() } : {}),
    database: (def.database ?? '').trim(),
    authentication: def.sqlAuth === 'ntlm' ? 'ntlm' : 'sql',
    ...(def.sqlAuth === 'ntlm' ? { domain: (def.domain ?? '').trim() } : {}),
    user: credentials.user ?? '',
    password: credentials.password ?? '',
    encrypt: def.encrypt !== false,
    trustServerCertificate: def.tlsVerify === false,
    poolMax: def.maxConcurrency && def.maxConcurrency.trim() !== '' ? Number(def.maxConcurrency) : DEFAULT_POOL_SIZE,
    connectTimeoutMs: (positive(def.connectTimeout) ?? DEFAULT_CONNECT_TIMEOUT_SECONDS) * 1000,
  };
}

/** Turns the editor's settings and the node's credentials into a driver configuration. */
export function connectionConfigFrom(def: ConnectionNodeDef, credentials: ConnectionCredentials): ConnectionConfig {
  const system = def.system;
  let auth: AuthConfig;
  switch (def.authType) {
    case 'oauth2':
      auth = {
        type: 'oauth2',
        tokenUrl: def.tokenUrl || entraTokenUrl(def.tenant),
        clientId: credentials.clientId ?? '',
        clientSecret: credentials.clientSecret ?? '',
        scope: def.scope ?? '',
      };
      break;
    case 'bearer':
      auth = { type: 'bearer', token: credentials.token ?? '' };
      break;
    case 'basic':
      auth = { type: 'basic', user: credentials.user ?? '', password: credentials.password ?? '' };
      break;
    default:
      auth = { type: 'none' };
  }
  const requestsPerWindow = positive(def.rateRequests);
  const windowSeconds = positive(def.rateWindow);
  const concurrent = positive(def.rateConcurrent);
  const maxConcurrency = positive(def.maxConcurrency);
  const rateLimits = {
    ...(requestsPerWindow ? { requestsPerWindow } : {}),
    ...(windowSeconds ? { windowMs: windowSeconds * 1000 } : {}),
    ...(concurrent ? { concurrent } : {}),
  };
  const options: Record<string, string> = {};
  if (def.erpSystem) options.erpSystem = def.erpSystem;
  if (def.erpNumberColumn) options.erpNumberColumn = def.erpNumberColumn;
  const navSql = def.driver === 'nav-sql';
  if (navSql) {
    const sqlOptions = {
      mode: def.sqlMode,
      tableSchema: def.tableSchema,
      stagingSchema: def.stagingSchema,
      stagingWait: def.stagingWait,
      localCurrency: def.localCurrency,
      mapping: def.sqlMapping,
    };
    for (const [name, value] of Object.entries(sqlOptions)) {
      if (typeof value === 'string' && value.trim() !== '') options[name] = value;
    }
  }
  return {
    system,
    driver: def.driver,
    baseUrl: (def.baseUrl ?? '').replace(/\/+$/, ''),
    ...(def.tenant ? { tenant: def.tenant } : {}),
    ...(def.environment ? { environment: def.environment } : {}),
    ...(def.company ? { company: def.company } : {}),
    auth,
    tlsVerify: def.tlsVerify !== false,
    timeoutMs: (positive(def.timeout) ?? 60) * 1000,
    ...(maxConcurrency ? { maxConcurrency } : {}),
    ...(Object.keys(rateLimits).length > 0 ? { rateLimits } : {}),
    customFields: parseCustomFields(system, def.customFields),
    options,
    ...(navSql ? { sql: sqlSettingsFrom(def, credentials), auth: { type: 'none' } as const } : {}),
  };
}

const ENV_NAMES: Record<keyof ConnectionCredentials, string> = {
  clientId: 'CLIENT_ID',
  clientSecret: 'CLIENT_SECRET',
  token: 'TOKEN',
  user: 'USER',
  password: 'PASSWORD',
};

/**
 * The credentials to use: those stored in Node-RED, and for each one left empty the environment
 * variable `<prefix>_<NAME>` when a prefix is set. Flows then name variables, never secrets, which
 * suits containers and the bundled sandbox alike.
 */
export function effectiveCredentials(
  stored: ConnectionCredentials,
  envPrefix: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ConnectionCredentials {
  const out: ConnectionCredentials = {};
  for (const key of Object.keys(ENV_NAMES) as Array<keyof ConnectionCredentials>) {
    const value = stored[key] || (envPrefix ? env[`${envPrefix}_${ENV_NAMES[key]}`] : undefined);
    if (value) out[key] = value;
  }
  return out;
}

/** Every secret of a set of credentials, for a last scrub of anything shown to the user. */
export function secretsOf(credentials: ConnectionCredentials): string[] {
  return [credentials.clientSecret, credentials.token, credentials.password].filter(
    (secret): secret is string => typeof secret === 'string' && secret.length >= 4,
  );
}
