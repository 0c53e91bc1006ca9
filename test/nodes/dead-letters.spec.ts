/**
 * Dead letters in real flows: the writer nodes keep what fails for good, the dead letters node lists,
 * replays and discards. Business Central emulator over loopback, real catch and status nodes.
 */
import assert from 'node:assert/strict';
import type { EventEmitter } from 'node:events';
import { join } from 'node:path';
import connectionNode from '../../nodes/crmerp-connection';
import createOrderNode from '../../nodes/crmerp-create-order';
import deadLettersNode from '../../nodes/crmerp-dead-letters';
import storeNode from '../../nodes/crmerp-store';
import upsertNode from '../../nodes/crmerp-upsert-customer';
import type { SyncStore } from '../../nodes/lib/store';
import type { DeadLetter } from '../../nodes/lib/store/ports';
import type { StoreNode } from '../../nodes/runtime/store-config';
import { startBcEmulator, type BcEmulator } from '../../sandbox';
import { collect, helper, nextMessage, type FlowNode, type ReceivedMsg } from '../support/node-red';
import { bcOrdersWith, erpReadyOrder } from '../support/orders';
import { tempDir } from '../support/tmp';

const TAB = 'tab';
const nodes = [connectionNode, storeNode, createOrderNode, upsertNode, deadLettersNode];

interface ErrorWithNote {
  code: string;
  message: string;
  retryable: boolean;
  deadLetter?: { id?: string; ids?: string[]; error?: { code: string; message: string } };
  details?: { items: ErrorWithNote[] };
}

/** An order whose CRM customer is not linked to the ERP yet: REJECTED until it is. */
function unlinkedOrder(sourceId = 'SO-2026-0042', customer = 'A-404'): Record<string, unknown> {
  return erpReadyOrder({ sourceId, customer: { ids: { crm: customer } } });
}

function customer(crmId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ids: { crm: crmId },
    name: `Kunde ${crmId} GmbH`,
    email: `${crmId}@kunde.example`,
    lifecycle: 'customer',
    ...overrides,
  };
}

function bcCustomersNamed(bc: BcEmulator, name: string): unknown[] {
  const state = bc.state() as { companies: Array<{ entities: { customers: Array<{ displayName: string }> } }> };
  return state.companies[0]!.entities.customers.filter((row) => row.displayName === name);
}

describe('dead letters node and the dead letters of the writer nodes', function () {
  this.timeout(20_000);
  const dir = tempDir('dead-letters-node');
  let bc: BcEmulator;
  let files = 0;

  before(async () => {
    bc = await startBcEmulator();
  });
  after(async () => {
    await bc.close();
    dir.remove();
  });
  beforeEach(() => {
    bc.reset();
    bc.faults.clear();
  });
  afterEach(() => helper.unload());

  /**
   * Create order and upsert customer into the BC emulator; `replay-*` dead letters nodes (set to replay,
   * one per writer) wired back into their writer; `admin` (operation from msg.operation) for list and discard.
   */
  async function load(writer: Record<string, unknown> = {}): Promise<void> {
    const flow: FlowNode[] = [
      { id: TAB, type: 'tab', label: 'test' },
      { id: 'catch-all', type: 'catch', z: TAB, scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: TAB },
      {
        id: 'erp-conn',
        type: 'crmerp-connection',
        system: 'erp',
        driver: 'bc-api',
        baseUrl: bc.url,
        tenant: bc.tenant,
        company: 'CRONUS International Ltd.',
        authType: 'oauth2',
        tokenUrl: bc.tokenUrl,
        tlsVerify: true,
        timeout: '10',
      },
      {
        id: 'store',
        type: 'crmerp-store',
        backend: 'sqlite',
        file: join(dir.path, `dl-${files++}.db`),
        synchronous: 'normal',
      },
      {
        id: 'orders',
        type: 'crmerp-create-order',
        name: 'create order',
        z: TAB,
        connection: 'erp-conn',
        store: 'store',
        source: 'crm',
        sourceType: 'str',
        statuses: ['signed', 'won'],
        itemTable: '{}',
        property: 'payload',
        propertyType: 'msg',
        errorHandling: 'outputs',
        lang: 'en',
        ...writer,
        wires: [['order-ok'], ['order-failed']],
      },
      {
        id: 'customers',
        type: 'crmerp-upsert-customer',
        z: TAB,
        connection: 'erp-conn',
        store: 'store',
        source: 'crm',
        sourceType: 'str',
        property: 'payload',
        propertyType: 'msg',
        ownership: '',
        createWritesAll: true,
        naturalKey: 'email',
        skipProspects: true,
        dryRun: false,
        errorHandling: 'outputs',
        lang: 'en',
        ...writer,
        wires: [['customer-ok'], ['customer-failed']],
      },
      {
        id: 'replay-orders',
        type: 'crmerp-dead-letters',
        z: TAB,
        store: 'store',
        operation: 'replay',
        entity: '',
        writer: 'create-order',
        code: '',
        pageSize: '2',
        wires: [['orders', 'replayed'], ['replay-results']],
      },
      {
        id: 'replay-customers',
        type: 'crmerp-dead-letters',
        z: TAB,
        store: 'store',
        operation: 'replay',
        entity: 'customer',
        writer: '',
        code: '',
        pageSize: '100',
        wires: [['customers', 'replayed'], ['replay-results']],
      },
      {
        id: 'admin',
        type: 'crmerp-dead-letters',
        z: TAB,
        store: 'store',
        operation: 'msg',
        entity: '',
        writer: '',
        code: '',
        pageSize: '2',
        wires: [['replayed'], ['admin-out']],
      },
      ...['order-ok', 'order-failed', 'customer-ok', 'customer-failed', 'replayed', 'replay-results', 'admin-out'].map(
        (id) => ({ id, type: 'helper', z: TAB }),
      ),
    ];
    await helper.load(nodes, flow, { 'erp-conn': { clientId: bc.clientId, clientSecret: bc.clientSecret } });
  }

  function syncStore(): Promise<SyncStore> {
    return (helper.getNode('store') as unknown as StoreNode).getStore();
  }

  function send(nodeId: string, msg: Record<string, unknown>, output: string): Promise<ReceivedMsg> {
    const received = nextMessage(output);
    helper.getNode(nodeId).receive(msg);
    return received;
  }

  async function admin(msg: Record<string, unknown>): Promise<ReceivedMsg> {
    return send('admin', msg, 'admin-out');
  }

  /** Every dead letter (the filter's), following msg.cursor from page to page. */
  async function list(filter?: Record<string, unknown>): Promise<DeadLetter[]> {
    const all: DeadLetter[] = [];
    let cursor: unknown;
    do {
      const page = await admin({ operation: 'list', ...(filter ? { filter } : {}), ...(cursor ? { cursor } : {}) });
      all.push(...(page.payload as DeadLetter[]));
      cursor = page.cursor;
    } while (cursor);
    return all;
  }

  it('keeps a rejected order with its payload, reason and key, and counts each repeated failure', async () => {
    await load();
    const first = await send('orders', { payload: unlinkedOrder(), topic: 'orders' }, 'order-failed');
    const error = first.error as ErrorWithNote;
    assert.equal(error.code, 'REJECTED');
    assert.match(error.message, /customer crm=A-404 of order SO-2026-0042 is not linked to erp/);
    const id = error.deadLetter?.id;
    assert.match(id ?? '', /^[0-9a-f-]{36}$/);

    const [kept, ...others] = await list();
    assert.deepEqual(others, []);
    assert.deepEqual(
      { ...kept, firstFailedAt: undefined, lastFailedAt: undefined },
      {
        id,
        entity: 'order',
        operation: 'create-order',
        source: 'crm',
        key: 'SO-2026-0042',
        payload: unlinkedOrder(),
        message: { topic: 'orders' },
        code: 'REJECTED',
        reason: error.message,
        attempts: 1,
        firstFailedAt: undefined,
        lastFailedAt: undefined,
        nodeId: 'orders',
        nodeName: 'create order',
      },
    );

    const again = await send('orders', { payload: unlinkedOrder() }, 'order-failed');
    assert.equal((again.error as ErrorWithNote).deadLetter?.id, id, 'the same dead letter');
    const [counted] = await list();
    assert.deepEqual([counted?.id, counted?.attempts], [id, 2]);
    assert.equal(counted?.firstFailedAt, kept?.firstFailedAt);
    assert.deepEqual(counted?.message, {}, 'the latest failure had no topic');
  });

  it('replays an order after its cause is fixed: created exactly once, its dead letter resolved', async () => {
    await load();
    const failed = await send('orders', { payload: unlinkedOrder(), topic: 'orders' }, 'order-failed');
    const id = (failed.error as ErrorWithNote).deadLetter!.id!;
    assert.equal(bcOrdersWith(bc, 'SO-2026-0042').length, 0);

    // The cause: the customer was not synced. Now it is.
    await (await syncStore()).link({ entity: 'customer', ids: { crm: 'A-404', erp: '20000' } }, { replace: false });
    const replayed = collect('replayed');
    const created = await send('replay-orders', { payload: id }, 'order-ok');
    assert.equal((created.payload as { result: string }).result, 'created');
    assert.equal(created.topic, 'orders', 'the original topic');
    assert.deepEqual(created.deadLetter, {
      id,
      key: 'SO-2026-0042',
      attempts: 1,
      reason: (failed.error as ErrorWithNote).message,
      code: 'REJECTED',
      entity: 'order',
      operation: 'create-order',
    });
    assert.deepEqual(replayed[0]?.payload, unlinkedOrder(), 'replayed as first sent');
    assert.equal(bcOrdersWith(bc, 'SO-2026-0042').length, 1);
    assert.deepEqual(await list(), [], 'resolved before the result left the writer');

    // A second replay finds nothing; sending the order again finds the ERP order: still one.
    const caught = nextMessage('caught');
    helper.getNode('replay-orders').receive({ payload: id });
    const notFound = await caught;
    assert.equal((notFound._error as { code: string }).code, 'NOT_FOUND');
    assert.match(
      (notFound._error as { message: string }).message,
      new RegExp(`no dead letter ${id} .*already resolved`),
    );
    const existing = await send('orders', { payload: unlinkedOrder() }, 'order-ok');
    assert.equal((existing.payload as { result: string }).result, 'existing');
    assert.equal(bcOrdersWith(bc, 'SO-2026-0042').length, 1);
  });

  it('keeps each failed order of a list, and a replay by filter fails again only where the cause remains', async () => {
    await load();
    const ok = nextMessage('order-ok');
    const failed = nextMessage('order-failed');
    helper.getNode('orders').receive({
      payload: [unlinkedOrder('SO-L1', 'A-404'), erpReadyOrder({ sourceId: 'SO-L2' }), unlinkedOrder('SO-L3', 'A-405')],
      topic: 'batch',
    });
    assert.deepEqual(
      ((await ok).payload as Array<{ index: number }>).map((r) => r.index),
      [1],
    );
    const listError = (await failed).error as ErrorWithNote;
    const itemIds = listError.details!.items.map((item) => item.deadLetter?.id);
    assert.equal(itemIds.length, 2);
    assert.deepEqual(listError.deadLetter, { ids: itemIds });
    assert.deepEqual(
      (await list()).map((d) => [d.key, d.attempts, (d.payload as { sourceId: string }).sourceId]),
      [
        ['SO-L1', 1, 'SO-L1'],
        ['SO-L3', 1, 'SO-L3'],
      ],
    );

    await (await syncStore()).link({ entity: 'customer', ids: { crm: 'A-404', erp: '20000' } }, { replace: false });
    const created = nextMessage('order-ok');
    const stillFailing = nextMessage('order-failed');
    helper.getNode('replay-orders').receive({ payload: Date.now() }); // an inject's timestamp names no dead letter
    assert.equal(((await created).payload as { sourceId: string }).sourceId, 'SO-L1');
    const again = (await stillFailing).error as ErrorWithNote;
    assert.equal(again.code, 'REJECTED');
    assert.equal(again.deadLetter?.id, itemIds[1]);
    const remaining = await list();
    assert.deepEqual(
      remaining.map((d) => [d.id, d.key, d.attempts, d.message]),
      [[itemIds[1], 'SO-L3', 2, { topic: 'batch' }]],
    );
    assert.deepEqual(
      ['SO-L1', 'SO-L2', 'SO-L3'].map((key) => bcOrdersWith(bc, key).length),
      [1, 1, 0],
    );
  });

  it('keeps a customer the ERP refused with HTTP 500, and a replay once the ERP is back writes it once', async () => {
    await load();
    bc.faults.add({ kind: 'status', status: 500, method: 'POST', path: '*/customers', count: 1 });
    const failed = await send('customers', { payload: customer('N-1'), topic: 'crm-sync' }, 'customer-failed');
    const error = failed.error as ErrorWithNote;
    assert.equal(error.code, 'TRANSIENT');
    const [kept] = await list({ operation: 'upsert-customer' });
    assert.deepEqual([kept?.id, kept?.key, kept?.code], [error.deadLetter?.id, 'crm:N-1', 'TRANSIENT']);
    assert.deepEqual(bcCustomersNamed(bc, 'Kunde N-1 GmbH'), []);

    const written = await send('replay-customers', {}, 'customer-ok');
    assert.equal((written.payload as { result: string }).result, 'created');
    assert.equal(written.topic, 'crm-sync');
    assert.equal(bcCustomersNamed(bc, 'Kunde N-1 GmbH').length, 1);
    assert.deepEqual(await list(), []);
    const unchanged = await send('customers', { payload: customer('N-1') }, 'customer-ok');
    assert.equal((unchanged.payload as { result: string }).result, 'unchanged');
    assert.equal(bcCustomersNamed(bc, 'Kunde N-1 GmbH').length, 1);
  });

  it('resolves a dead letter when the same record later goes through without a replay', async () => {
    await load();
    const rejected = await send(
      'customers',
      { payload: customer('P-1', { lifecycle: 'prospect' }) },
      'customer-failed',
    );
    assert.equal((rejected.error as ErrorWithNote).code, 'REJECTED');
    assert.deepEqual(
      (await list()).map((d) => d.key),
      ['crm:P-1'],
    );
    const created = await send('customers', { payload: customer('P-1') }, 'customer-ok');
    assert.equal((created.payload as { result: string }).result, 'created');
    assert.deepEqual(await list(), []);
  });

  it('discards by id and by filter, and refuses a discard that names nothing', async () => {
    await load();
    await send('orders', { payload: unlinkedOrder('SO-D1') }, 'order-failed');
    await send('orders', { payload: { ...unlinkedOrder('SO-D2'), lines: [] } }, 'order-failed');
    await send('customers', { payload: customer('D-3', { lifecycle: 'prospect' }) }, 'customer-failed');
    const [first] = await list();

    const byId = await admin({ operation: 'discard', payload: [first, 'no-such-id'] });
    assert.deepEqual(byId.payload, { discarded: 1, notFound: ['no-such-id'] });
    assert.deepEqual(
      (await list()).map((d) => d.key),
      ['SO-D2', 'crm:D-3'],
    );

    const caught = nextMessage('caught');
    helper.getNode('admin').receive({ operation: 'discard', payload: 1732000000000 });
    const refused = (await caught)._error as { code: string; message: string };
    assert.equal(refused.code, 'VALIDATION');
    assert.match(refused.message, /discard needs dead letter ids in msg.payload, or a filter/);
    assert.equal((await list()).length, 2, 'nothing discarded');

    const byFilter = await admin({ operation: 'discard', filter: { operation: 'create-order', code: 'VALIDATION' } });
    assert.deepEqual(byFilter.payload, { discarded: 1 });
    assert.deepEqual(
      (await list()).map((d) => d.key),
      ['crm:D-3'],
    );
    const all = await admin({ operation: 'discard', filter: {} });
    assert.deepEqual(all.payload, { discarded: 1 });
    assert.deepEqual(await list(), []);
  });

  it('lists page by page with msg.cursor and filters by code', async () => {
    await load();
    for (const key of ['SO-P1', 'SO-P2', 'SO-P3'])
      await send('orders', { payload: unlinkedOrder(key) }, 'order-failed');
    await send('orders', { payload: { ...unlinkedOrder('SO-P4'), orderDate: 'soon' } }, 'order-failed');
    const first = await admin({ operation: 'list', filter: { code: 'REJECTED' } });
    assert.deepEqual(
      (first.payload as DeadLetter[]).map((d) => d.key),
      ['SO-P1', 'SO-P2'],
    );
    assert.equal(typeof first.cursor, 'string');
    const second = await admin({ operation: 'list', filter: { code: 'REJECTED' }, cursor: first.cursor });
    assert.deepEqual(
      (second.payload as DeadLetter[]).map((d) => d.key),
      ['SO-P3'],
    );
    assert.equal(second.cursor, undefined, 'the last page has no cursor');
    assert.deepEqual(
      (await list({ code: 'VALIDATION' })).map((d) => d.key),
      ['SO-P4'],
    );
  });

  it('reports both when a dead letter cannot be kept: the original failure goes on, with the reason beside it', async () => {
    await load();
    const storeConfig = helper.getNode('store') as unknown as StoreNode;
    const store = await storeConfig.getStore();
    const broken = new Proxy(store, {
      get(target, property) {
        if (property === 'putDeadLetter') return () => Promise.reject(new Error('disk I/O error'));
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    storeConfig.getStore = async () => broken;
    const warnings: string[] = [];
    const writer = helper.getNode('orders') as unknown as Pick<EventEmitter, 'on'>;
    writer.on('call:warn', (call: { args: unknown[] }) => warnings.push(String(call.args[0])));
    const failed = await send('orders', { payload: unlinkedOrder() }, 'order-failed');
    const error = failed.error as ErrorWithNote;
    assert.equal(error.code, 'REJECTED');
    assert.match(error.message, /is not linked to erp/);
    assert.equal(error.deadLetter?.error?.code, 'TRANSIENT');
    assert.match(error.deadLetter?.error?.message ?? '', /disk I\/O error/);
    assert.deepEqual(warnings, ['order SO-2026-0042 could not be kept as a dead letter: disk I/O error']);
  });

  it('names the dead letter in msg._error when failures go to Catch nodes', async () => {
    await load({ errorHandling: 'catch' });
    const caught = nextMessage('caught');
    helper.getNode('orders').receive({ payload: unlinkedOrder() });
    const msg = await caught;
    assert.equal((msg.error as { message: string }).message, (msg._error as ErrorWithNote).message);
    const [kept] = await list();
    assert.deepEqual((msg._error as ErrorWithNote).deadLetter, { id: kept?.id });
    assert.equal(kept?.code, 'REJECTED');
  });

  it('keeps nothing when the setting is off, and refuses a replay wired to the wrong writer', async () => {
    await load({ deadLetters: false });
    const failed = await send('orders', { payload: unlinkedOrder() }, 'order-failed');
    assert.equal((failed.error as ErrorWithNote).deadLetter, undefined);
    assert.deepEqual(await list(), []);

    const wrong = await send(
      'orders',
      { payload: customer('X-1'), deadLetter: { id: 'd-1', operation: 'upsert-customer' } },
      'order-failed',
    );
    const error = wrong.error as ErrorWithNote;
    assert.equal(error.code, 'CONFIG');
    assert.match(error.message, /dead letter d-1 was kept by upsert-customer, not create-order/);
  });
});
