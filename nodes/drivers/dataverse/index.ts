/**
 * The Dataverse (Dynamics 365 Sales) driver: accounts as customers (read and write, upsert by the ERP number's
 * alternate key, $batch), sales orders and invoices read-only. Web API v9.2 over the shared HTTP layer.
 */
import type { Capabilities, ConnectionCheck, SystemDriver } from '../../lib/ports';
import { CUSTOMER_FIELDS } from '../../lib/sync/ownership';
import type { ConnectionConfig } from '../connection';
import { httpClientFor, type HttpDriverDeps } from '../http-connection';
import { MAX_BATCH_REQUESTS } from './batch';
import { checkConnection } from './connection-check';
import { TransactionCurrencies } from './currencies';
import { DataverseCustomers } from './customers';
import { DataverseInvoices } from './invoices';
import { DataverseOrders } from './orders';
import { readSettings } from './settings';
import { API_PATH, WEB_API_HEADERS } from './web-api';

export function createDataverseDriver(config: ConnectionConfig, deps: HttpDriverDeps = {}): SystemDriver {
  const settings = readSettings(config);
  // The environment URL, also when the Web API root was entered; the token scope is `<environment>/.default`.
  const environmentUrl = config.baseUrl.replace(/\/+$/, '').replace(/\/api\/data\/v\d+(\.\d+)?$/i, '');
  const apiBase = `${environmentUrl}${API_PATH}`;
  const client = httpClientFor(
    { ...config, baseUrl: apiBase },
    { preset: 'dataverse', defaultScope: `${environmentUrl}/.default`, headers: WEB_API_HEADERS },
    deps,
  );
  const currencies = new TransactionCurrencies(client);
  const customers = new DataverseCustomers(client, apiBase, settings);
  const capabilities: Capabilities = {
    customers: {
      read: true,
      write: true,
      upsertByNumber: true,
      naturalKeys: settings.taxIdColumn === undefined ? ['email', 'namePostCode'] : ['email', 'namePostCode', 'taxId'],
      fields: CUSTOMER_FIELDS.filter((field) => {
        if (field === 'currency') return false; // invoices carry their currency; accounts are not written one
        if (field === 'taxId') return settings.taxIdColumn !== undefined;
        if (field === 'paymentTerms') return settings.paymentTermsColumn !== undefined;
        if (field === 'custom') return settings.customColumns.length > 0;
        return true;
      }),
    },
    orders: { read: true, create: false },
    invoices: { read: true },
    batchSize: MAX_BATCH_REQUESTS,
  };

  return {
    system: config.system,
    driver: 'dataverse',
    linkKey: 'id',
    numberSystem: settings.erpSystem,
    capabilities,
    customers,
    orders: new DataverseOrders(client, apiBase, settings, currencies),
    invoices: new DataverseInvoices(client, settings, currencies, customers),
    testConnection: (): Promise<ConnectionCheck[]> => checkConnection(client, settings),
    close: (): Promise<void> => {
      client.close();
      return Promise.resolve();
    },
  };
}
