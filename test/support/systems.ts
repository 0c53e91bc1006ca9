import { join } from 'node:path';
import { createDriver } from '../../nodes/drivers';
import type { SystemDriver } from '../../nodes/lib/ports';
import { openStore, type SyncStore } from '../../nodes/lib/store';
import { startBcEmulator, startDataverseEmulator, type BcEmulator, type DataverseEmulator } from '../../sandbox';
import { tempDir } from './tmp';

/** Retries fast enough for tests; the emulators' faults decide what is retried. */
export const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20 };

/** Both sandbox systems on free ports, a driver for each, and a fresh sync store. */
export interface Systems {
  bc: BcEmulator;
  dataverse: DataverseEmulator;
  erp: SystemDriver;
  crm: SystemDriver;
  store: SyncStore;
  close(): Promise<void>;
}

export async function startSystems(): Promise<Systems> {
  const dir = tempDir('systems');
  const [bc, dataverse] = await Promise.all([startBcEmulator(), startDataverseEmulator()]);
  const common = { tlsVerify: true, timeoutMs: 10_000, customFields: {}, options: {} };
  const erp = createDriver(
    {
      ...common,
      system: 'erp',
      driver: 'bc-api',
      baseUrl: bc.url,
      tenant: bc.tenant,
      company: 'CRONUS International Ltd.',
      auth: { type: 'oauth2', tokenUrl: bc.tokenUrl, clientId: bc.clientId, clientSecret: bc.clientSecret, scope: '' },
    },
    { retry: FAST_RETRY },
  );
  const crm = createDriver(
    {
      ...common,
      system: 'crm',
      driver: 'dataverse',
      baseUrl: dataverse.url,
      auth: {
        type: 'oauth2',
        tokenUrl: dataverse.tokenUrl,
        clientId: dataverse.clientId,
        clientSecret: dataverse.clientSecret,
        scope: '',
      },
    },
    { retry: FAST_RETRY },
  );
  const store = await openStore({ backend: 'sqlite', file: join(dir.path, 'sync.db'), synchronous: 'normal' });
  return {
    bc,
    dataverse,
    erp,
    crm,
    store,
    close: async () => {
      await Promise.all([erp.close(), crm.close(), store.close()]);
      await Promise.all([bc.close(), dataverse.close()]);
      dir.remove();
    },
  };
}
