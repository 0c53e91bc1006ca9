/**
 * The nav-sql connection's driver settings (`config.options`), checked once when the driver is built:
 * - `mode`: `nav` (NAV / Business Central tables, the default) or `custom` (a home-grown schema, mapped);
 * - `tableSchema`: the schema of the NAV tables (default `dbo`);
 * - `stagingSchema`: the schema of the inbound staging tables (default `crmerp`);
 * - `localCurrency`: the ISO code NAV's blank currency code stands for (default: the LCY Code of the
 *   General Ledger Setup, else EUR);
 * - `stagingWait`: seconds a staged customer create waits for the ERP job before answering (default 0);
 * - `mapping`: custom mode only, the JSON mapping of canonical entities to tables and columns.
 */
import { configError, type ConnectionConfig } from '../connection';
import { checkIdentifier } from '../sql/identifiers';

export type NavSqlMode = 'nav' | 'custom';

export interface NavSqlSettings {
  system: string;
  mode: NavSqlMode;
  company: string;
  tableSchema: string;
  stagingSchema: string;
  localCurrency?: string;
  stagingWaitMs: number;
  /** Canonical `custom.<name>` → a column of the Customer table. */
  customFields: Readonly<Record<string, string>>;
}

export const DEFAULT_TABLE_SCHEMA = 'dbo';
export const DEFAULT_STAGING_SCHEMA = 'crmerp';
/** A staged create waits at most this long for the ERP job. */
const MAX_STAGING_WAIT_SECONDS = 120;
/** NAV company names are Text[30]. */
const MAX_COMPANY_LENGTH = 30;

function option(config: ConnectionConfig, name: string): string | undefined {
  const value = config.options[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function navSqlMode(config: ConnectionConfig): NavSqlMode {
  const mode = option(config, 'mode') ?? 'nav';
  if (mode !== 'nav' && mode !== 'custom') {
    throw configError(config.system, `the mode must be nav (NAV / Business Central tables) or custom, not "${mode}"`);
  }
  return mode;
}

export function navSqlSettings(config: ConnectionConfig): NavSqlSettings {
  const system = config.system;
  const mode = navSqlMode(config);
  const company = (config.company ?? '').trim();
  if (mode === 'nav' && company === '') {
    throw configError(system, 'the company is missing: NAV / Business Central keeps each company in its own tables');
  }
  if (company.length > MAX_COMPANY_LENGTH) {
    throw configError(system, `the company name "${company}" is longer than ${MAX_COMPANY_LENGTH} characters`);
  }
  const tableSchema = checkIdentifier(
    option(config, 'tableSchema') ?? DEFAULT_TABLE_SCHEMA,
    'the table schema',
    system,
  );
  const stagingSchema = checkIdentifier(
    option(config, 'stagingSchema') ?? DEFAULT_STAGING_SCHEMA,
    'the staging schema',
    system,
  );
  const localCurrency = option(config, 'localCurrency')?.toUpperCase();
  if (localCurrency !== undefined && !/^[A-Z]{3}$/.test(localCurrency)) {
    throw configError(system, `the local currency must be an ISO 4217 code such as EUR, not "${localCurrency}"`);
  }
  const waitText = option(config, 'stagingWait') ?? '0';
  const wait = Number(waitText);
  if (!Number.isFinite(wait) || wait < 0 || wait > MAX_STAGING_WAIT_SECONDS) {
    throw configError(system, `the staging wait must be 0 to ${MAX_STAGING_WAIT_SECONDS} seconds, not "${waitText}"`);
  }
  for (const [name, column] of Object.entries(config.customFields)) {
    checkIdentifier(column, `the column of custom field ${name}`, system);
  }
  return {
    system,
    mode,
    company,
    tableSchema,
    stagingSchema,
    ...(localCurrency !== undefined ? { localCurrency } : {}),
    stagingWaitMs: Math.round(wait * 1000),
    customFields: config.customFields,
  };
}
