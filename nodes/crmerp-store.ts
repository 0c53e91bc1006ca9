import type { NodeAPI } from 'node-red';
import { acquireStore, type StoreLease } from './lib/store';
import { storeConfigFrom, type StoreCredentials, type StoreNode, type StoreNodeDef } from './runtime/store-config';

export = function register(RED: NodeAPI): void {
  function CrmErpStoreNode(this: StoreNode, def: StoreNodeDef) {
    RED.nodes.createNode(this, def);
    const userDir = (RED.settings as unknown as { userDir?: string }).userDir ?? process.cwd();
    let lease: Promise<StoreLease> | undefined;

    this.getStore = async () => {
      if (!lease) {
        lease = (async () => acquireStore(storeConfigFrom(def, this.credentials ?? {}, userDir)))();
        // A failed open is retried by the next use rather than cached forever.
        lease.catch(() => (lease = undefined));
      }
      return (await lease).store;
    };

    this.on('close', (_removed: boolean, done: () => void) => {
      const pending = lease;
      lease = undefined;
      if (!pending) return done();
      pending
        .then((l) => l.release())
        .catch((error: unknown) => this.warn(`closing the sync store: ${(error as Error).message}`))
        .finally(done);
    });
  }

  RED.nodes.registerType<StoreNode, StoreNodeDef, unknown, StoreCredentials>('crmerp-store', CrmErpStoreNode, {
    credentials: { user: { type: 'text' }, password: { type: 'password' } },
  });
};
