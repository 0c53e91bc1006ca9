import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { SyncError, toSyncError } from './lib/errors';
import { acquireStore, type StoreLease, type SyncStore } from './lib/store';
import { storeConfigFrom, type StoreCredentials, type StoreNode, type StoreNodeDef } from './runtime/store-config';

const DEFAULT_LINK_PAGE = 100;
const MAX_LINK_PAGE = 1000;

/** The HTTP status an admin answer carries for each error code. */
const HTTP_STATUS: Readonly<Record<string, number>> = { VALIDATION: 400, NOT_FOUND: 404, CONFIG: 503 };

function queryText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function linkPageSize(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_LINK_PAGE;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LINK_PAGE) {
    throw new SyncError({
      code: 'VALIDATION',
      system: 'input',
      message: `limit must be a whole number from 1 to ${MAX_LINK_PAGE}, got ${JSON.stringify(text)}`,
    });
  }
  return limit;
}

/**
 * One page of links with the time the sync last wrote to each system: ids and times only, never the
 * field hashes or anything about where the store lives.
 */
async function linksWithSyncTimes(store: SyncStore, entity: string, limit: number, after: string | undefined) {
  const page = await store.list(entity, { limit, ...(after !== undefined && { after }) });
  const links = await Promise.all(
    page.links.map(async (link) => {
      const writtenAt: Record<string, string> = {};
      for (const system of Object.keys(link.ids)) {
        const state = await store.writtenState(entity, link.linkId, system);
        if (state) writtenAt[system] = state.writtenAt;
      }
      return {
        linkId: link.linkId,
        ids: link.ids,
        createdAt: link.createdAt,
        updatedAt: link.updatedAt,
        writtenAt,
      };
    }),
  );
  return { entity, backend: store.backend, links, ...(page.next !== undefined && { next: page.next }) };
}

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

  /**
   * Read-only view of the links of a deployed store, with the last sync time per system, for tools
   * that show what the sync did (the sandbox page). `?entity=customer&limit=100&after=<cursor>`.
   */
  RED.httpAdmin.get(
    '/crmerp-store/:id/links',
    RED.auth.needsPermission('crmerp-store.read'),
    async (req: Request, res: Response) => {
      const id = String(req.params.id ?? '');
      try {
        const node = RED.nodes.getNode(id) as (StoreNode & { type: string }) | null;
        if (!node || node.type !== 'crmerp-store') {
          throw new SyncError({ code: 'NOT_FOUND', system: 'store', message: `no deployed sync store with id ${id}` });
        }
        const entity = queryText(req.query.entity) || 'customer';
        const limit = linkPageSize(queryText(req.query.limit));
        const after = queryText(req.query.after) || undefined;
        res.json(await linksWithSyncTimes(await node.getStore(), entity, limit, after));
      } catch (error) {
        const syncError = toSyncError(error, 'store');
        res.status(HTTP_STATUS[syncError.code] ?? 500).json({
          error: { code: syncError.code, system: syncError.system, message: syncError.message },
        });
      }
    },
  );
};
