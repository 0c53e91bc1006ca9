/**
 * Driver for the Dynamics 365 Business Central API v2.0 (REST/OData):
 * `{baseUrl}/v2.0/{tenant}/{environment}/api/v2.0/companies({id})/…`.
 *
 * Connection options (`config.options`):
 * - `maxPageSize`: page size asked for with `Prefer: odata.maxpagesize` (default 1000, at most 20,000);
 * - `localCurrency`: the ISO code BC's blank currency code stands for; default: the company
 *   information's currency code, else EUR.
 */
import type { Capabilities, SystemDriver } from '../../lib/ports';
import { navFamilyCapabilities } from '../nav-family';
import { configError, type ConnectionConfig } from '../connection';
import { httpClientFor, type HttpDriverDeps } from '../http-connection';
import { BcApi } from './api';
import { checkConnection } from './connection-check';
import { BcCustomerPort } from './customers';
import { BcInvoicePort } from './invoices';
import { BcOrderPort } from './orders';

export const BC_API_SCOPE = 'https://api.businesscentral.dynamics.com/.default';

/** What Business Central can do: writes in $batch requests of up to 100. */
export function bcCapabilities(customFields: Readonly<Record<string, string>>): Capabilities {
  return navFamilyCapabilities(customFields, 100);
}

const DEFAULT_PAGE_SIZE = 1000;
/** The documented largest page; a bigger one is refused with 413. */
const MAX_PAGE_SIZE = 20_000;

function pageSizeOption(config: ConnectionConfig): number {
  const text = config.options['maxPageSize'];
  if (text === undefined || text.trim() === '') return DEFAULT_PAGE_SIZE;
  const size = Number(text);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw configError(config.system, `the option maxPageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  return size;
}

function localCurrencyOption(config: ConnectionConfig): string | undefined {
  const code = config.options['localCurrency']?.trim().toUpperCase();
  if (code === undefined || code === '') return undefined;
  if (!/^[A-Z]{3}$/.test(code)) {
    throw configError(config.system, `the option localCurrency must be an ISO 4217 code such as EUR, not "${code}"`);
  }
  return code;
}

export function createBcApiDriver(config: ConnectionConfig, deps: HttpDriverDeps = {}): SystemDriver {
  const settings = {
    baseUrl: config.baseUrl,
    tenant: config.tenant,
    environment: config.environment || 'production',
    company: config.company ?? '',
    maxPageSize: pageSizeOption(config),
    localCurrency: localCurrencyOption(config),
    log: deps.log,
  };
  const client = httpClientFor(config, { preset: 'businessCentral', defaultScope: BC_API_SCOPE }, deps);
  const api = new BcApi(client, settings);
  return {
    system: config.system,
    driver: 'bc-api',
    linkKey: 'number',
    numberSystem: config.system,
    capabilities: bcCapabilities(config.customFields),
    customers: new BcCustomerPort(api, config.customFields),
    orders: new BcOrderPort(api),
    invoices: new BcInvoicePort(api),
    testConnection: () => checkConnection(api),
    close: () => {
      client.close();
      return Promise.resolve();
    },
  };
}
