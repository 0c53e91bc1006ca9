import type { Capabilities } from '../lib/ports';
import { CUSTOMER_FIELDS } from '../lib/sync/ownership';

/**
 * What Dynamics NAV and Business Central can do, through the API or the database alike: they share
 * the Customer table, which has no lifecycle (prospects stay in the CRM), and `custom` fields exist
 * only where the connection maps some.
 */
export function navFamilyCapabilities(customFields: Readonly<Record<string, string>>, batchSize: number): Capabilities {
  const fields = CUSTOMER_FIELDS.filter(
    (field) => field !== 'lifecycle' && (field !== 'custom' || Object.keys(customFields).length > 0),
  );
  return {
    customers: {
      read: true,
      write: true,
      upsertByNumber: false,
      naturalKeys: ['taxId', 'email', 'namePostCode'],
      fields,
    },
    orders: { read: true, create: true },
    invoices: { read: true },
    batchSize,
  };
}
