import { MssqlBackend, type MssqlStoreOptions } from './mssql-backend';
import { RelationalStore } from './relational-store';
import { SqliteBackend, type SqliteOptions } from './sqlite-backend';
import type { SyncStore } from './ports';

export type StoreConfig = ({ backend: 'sqlite' } & SqliteOptions) | ({ backend: 'mssql' } & MssqlStoreOptions);

export async function openStore(config: StoreConfig): Promise<SyncStore> {
  const backend = config.backend === 'sqlite' ? new SqliteBackend(config) : await MssqlBackend.connect(config);
  return RelationalStore.open(backend);
}

export interface StoreLease {
  store: SyncStore;
  release(): Promise<void>;
}

interface Shared {
  opening: Promise<SyncStore>;
  users: number;
}

const shared = new Map<string, Shared>();

function storeKey(config: StoreConfig): string {
  return config.backend === 'sqlite'
    ? `sqlite:${config.file}`
    : `mssql:${config.server}:${config.port ?? ''}/${config.database}/${config.schema}/${config.user ?? ''}`;
}

/**
 * Several config nodes (and a redeploy overlapping a shutdown) may point at the same store;
 * they share one open store, closed when the last user lets go.
 */
export async function acquireStore(config: StoreConfig): Promise<StoreLease> {
  const key = storeKey(config);
  let entry = shared.get(key);
  if (!entry) {
    const opening = openStore(config);
    entry = { opening, users: 0 };
    shared.set(key, entry);
    opening.catch(() => {
      if (shared.get(key)?.opening === opening) shared.delete(key);
    });
  }
  entry.users++;
  const current = entry;
  let store: SyncStore;
  try {
    store = await current.opening;
  } catch (error) {
    current.users--;
    throw error;
  }
  let released = false;
  return {
    store,
    release: async () => {
      if (released) return;
      released = true;
      current.users--;
      if (current.users === 0 && shared.get(key) === current) {
        shared.delete(key);
        await store.close();
      }
    },
  };
}

export type { SyncStore, LinkGroup, LinkOutcome, LinkPage, LinkRequest } from './ports';
