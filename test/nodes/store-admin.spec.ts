import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import type { NodeAPI } from 'node-red';
import storeNode from '../../nodes/crmerp-store';
import type { SyncStore } from '../../nodes/lib/store';
import { helper, type FlowNode } from '../support/node-red';
import { tempDir } from '../support/tmp';

const CANARY = 'CANARY-store-pa55-0815';

interface LinksAnswer {
  entity: string;
  backend: string;
  links: Array<{
    linkId: string;
    ids: Record<string, string>;
    createdAt: string;
    updatedAt: string;
    writtenAt: Record<string, string>;
  }>;
  next?: string;
}

interface ErrorAnswer {
  error: { code: string; system: string; message: string };
}

/** A port nobody listens on right now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('sync store node: links admin route', () => {
  const dir = tempDir('store-admin');
  let fileCounter = 0;

  before(() => helper.startServer());
  after(async () => {
    await helper.stopServer();
    dir.remove();
  });
  afterEach(() => helper.unload());

  function sqliteStore(id = 'store'): FlowNode {
    return {
      id,
      type: 'crmerp-store',
      name: 'test store',
      backend: 'sqlite',
      file: join(dir.path, `admin-${fileCounter++}.db`),
      synchronous: 'normal',
    };
  }

  async function loadStore(): Promise<SyncStore> {
    await helper.load(storeNode, [sqliteStore()]);
    return (helper.getNode('store') as unknown as { getStore(): Promise<SyncStore> }).getStore();
  }

  it('lists the links of an entity with the time the sync last wrote to each system, and nothing else', async () => {
    const store = await loadStore();
    const hashes = { name: 'a1b2c3d4e5f6a1b2c3d4e5f6', email: 'ffeeddccbbaa998877665544' };
    await store.commitWrite(
      { entity: 'customer', ids: { crm: 'acc-1', erp: '20000' } },
      { system: 'erp', fieldHashes: hashes },
      { replace: false },
    );
    await store.link({ entity: 'customer', ids: { crm: 'acc-2' } }, { replace: false });
    await store.link({ entity: 'order', ids: { crm: 'ord-1', erp: 'S-ORD101004' } }, { replace: false });

    const response = await helper.request().get('/crmerp-store/store/links?entity=customer').expect(200);
    const answer = response.body as LinksAnswer;
    assert.equal(answer.entity, 'customer');
    assert.equal(answer.backend, 'sqlite');
    assert.equal(answer.links.length, 2);
    const synced = answer.links.find((link) => link.ids.crm === 'acc-1');
    assert.ok(synced, JSON.stringify(answer));
    assert.deepEqual(synced.ids, { crm: 'acc-1', erp: '20000' });
    const written = await store.writtenState('customer', synced.linkId, 'erp');
    assert.deepEqual(synced.writtenAt, { erp: written?.writtenAt });
    assert.deepEqual(answer.links.find((link) => link.ids.crm === 'acc-2')?.writtenAt, {});
    assert.match(synced.createdAt, /^\d{4}-\d{2}-\d{2}T/);

    const text = JSON.stringify(answer);
    for (const hidden of [...Object.values(hashes), 'fieldHashes', dir.path]) {
      assert.ok(!text.includes(hidden), `the answer must not contain ${hidden}`);
    }

    const orders = (await helper.request().get('/crmerp-store/store/links?entity=order').expect(200))
      .body as LinksAnswer;
    assert.deepEqual(
      orders.links.map((link) => link.ids),
      [{ crm: 'ord-1', erp: 'S-ORD101004' }],
    );
    const byDefault = (await helper.request().get('/crmerp-store/store/links').expect(200)).body as LinksAnswer;
    assert.equal(byDefault.entity, 'customer');
    assert.equal(byDefault.links.length, 2);
  });

  it('pages with limit and the cursor it returns', async () => {
    const store = await loadStore();
    for (const number of ['10000', '20000', '30000']) {
      await store.link({ entity: 'customer', ids: { erp: number } }, { replace: false });
    }
    const first = (await helper.request().get('/crmerp-store/store/links?limit=2').expect(200)).body as LinksAnswer;
    assert.equal(first.links.length, 2);
    assert.ok(first.next, 'a first page of two out of three has a cursor');
    const second = (
      await helper
        .request()
        .get(`/crmerp-store/store/links?limit=2&after=${encodeURIComponent(first.next)}`)
        .expect(200)
    ).body as LinksAnswer;
    assert.equal(second.links.length, 1);
    assert.equal(second.next, undefined);
    const numbers = [...first.links, ...second.links].map((link) => link.ids.erp).sort();
    assert.deepEqual(numbers, ['10000', '20000', '30000']);
  });

  it('refuses a bad limit or entity with 400, naming the parameter', async () => {
    await loadStore();
    for (const limit of ['0', '1001', 'ten', '2.5']) {
      const response = await helper.request().get(`/crmerp-store/store/links?limit=${limit}`).expect(400);
      const { error } = response.body as ErrorAnswer;
      assert.equal(error.code, 'VALIDATION');
      assert.match(error.message, /limit/);
    }
    const response = await helper.request().get('/crmerp-store/store/links?entity=Customer%20X').expect(400);
    assert.equal((response.body as ErrorAnswer).error.code, 'VALIDATION');
    assert.match((response.body as ErrorAnswer).error.message, /entity "Customer X"/);
  });

  it('answers 404 for an id that is not a deployed sync store', async () => {
    await helper.load(storeNode, [sqliteStore(), { id: 'other', type: 'helper' }]);
    for (const id of ['nope', 'other']) {
      const response = await helper.request().get(`/crmerp-store/${id}/links`).expect(404);
      const { error } = response.body as ErrorAnswer;
      assert.equal(error.code, 'NOT_FOUND');
      assert.match(error.message, new RegExp(`no deployed sync store with id ${id}`));
    }
  });

  it('reports a store that cannot be opened as 503 CONFIG, without its password', async () => {
    const port = await closedPort();
    const mssql: FlowNode = {
      id: 'store',
      type: 'crmerp-store',
      backend: 'mssql',
      server: '127.0.0.1',
      port: String(port),
      database: 'crmerp',
      schema: 'crmerp',
      encrypt: false,
      trustServerCertificate: true,
    };
    await helper.load(storeNode, [mssql], { store: { user: 'sync', password: CANARY } });
    const response = await helper.request().get('/crmerp-store/store/links').expect(503);
    const { error } = response.body as ErrorAnswer;
    assert.equal(error.code, 'CONFIG');
    assert.equal(error.system, 'store');
    assert.match(error.message, /cannot connect to the sync store/);
    assert.ok(!JSON.stringify(response.body).includes(CANARY));
  });

  it('asks for the crmerp-store.read permission and answers nothing without it', async () => {
    const granted = new Set<string>();
    const asked: string[] = [];
    const guarded = (RED: NodeAPI) => {
      const auth = {
        needsPermission: (permission: string) => {
          asked.push(permission);
          return (_req: Request, res: Response, next: NextFunction) => {
            if (granted.has(permission)) next();
            else res.status(401).end();
          };
        },
      };
      return storeNode(Object.assign(Object.create(RED) as NodeAPI, { auth }));
    };
    await helper.load(guarded, [sqliteStore()]);
    assert.deepEqual(asked, ['crmerp-store.read']);
    const denied = await helper.request().get('/crmerp-store/store/links').expect(401);
    assert.equal(denied.text, '');
    granted.add('crmerp-store.read');
    await helper.request().get('/crmerp-store/store/links').expect(200);
  });
});
