import assert from 'node:assert/strict';
import { join } from 'node:path';
import linkIdsNode from '../../nodes/crmerp-link-ids';
import storeNode from '../../nodes/crmerp-store';
import { collect, helper, nextMessage, observers, until, type FlowNode } from '../support/node-red';
import { tempDir } from '../support/tmp';

const TAB = 'tab';
const NODE = 'links';
const nodes = [storeNode, linkIdsNode];

describe('link ids node', () => {
  const dir = tempDir('link-ids');
  let fileCounter = 0;
  afterEach(async () => {
    await helper.unload();
  });
  after(() => dir.remove());

  function flow(settings: Record<string, unknown>): FlowNode[] {
    return [
      ...observers(TAB, NODE),
      {
        id: 'store',
        type: 'crmerp-store',
        backend: 'sqlite',
        file: join(dir.path, `links-${fileCounter++}.db`),
        synchronous: 'normal',
      },
      {
        id: NODE,
        type: 'crmerp-link-ids',
        z: TAB,
        store: 'store',
        operation: 'link',
        entity: 'customer',
        entityType: 'entity',
        system: '',
        systemType: 'str',
        recordId: 'payload',
        recordIdType: 'msg',
        targetSystem: '',
        onConflict: 'error',
        onMiss: 'output2',
        pageSize: '100',
        ...settings,
        wires: [['out1'], ['out2']],
      },
      { id: 'out1', type: 'helper', z: TAB },
      { id: 'out2', type: 'helper', z: TAB },
    ];
  }

  async function send(payload: unknown, extra: Record<string, unknown> = {}) {
    const out = nextMessage('out1');
    helper.getNode(NODE).receive({ payload, ...extra });
    return out;
  }

  it('links, then looks up with msg.operation from either side, completing each message', async () => {
    await helper.load(nodes, flow({ operation: 'msg', system: 'system', systemType: 'msg', recordId: 'payload' }));
    const completed = collect('completed');
    const linked = await send({ ids: { crm: 'A-1', erp: '10000' } }, { operation: 'link' });
    const link = linked.payload as { linkId: string; ids: Record<string, string> };
    assert.deepEqual(link.ids, { crm: 'A-1', erp: '10000' });
    assert.equal((linked.link as { created: boolean }).created, true);
    const found = await send('10000', { operation: 'lookup', system: 'erp' });
    assert.deepEqual(found.payload, link);
    await until(() => completed.length === 2, 'two completions');
  });

  it('returns only the target system id when asked, and sends a miss to output 2', async () => {
    await helper.load(nodes, flow({ operation: 'msg', system: 'crm', targetSystem: 'erp' }));
    await send({ ids: { crm: 'A-1', erp: 10000 } }, { operation: 'link' });
    const found = await send('A-1', { operation: 'lookup' });
    assert.equal(found.payload, '10000');
    const miss = nextMessage('out2');
    helper.getNode(NODE).receive({ payload: 'A-404', operation: 'lookup' });
    const missed = await miss;
    assert.equal(missed.payload, null);
    assert.equal(missed.link, null);
  });

  it('answers a miss with payload null on output 1 when set to', async () => {
    await helper.load(nodes, flow({ operation: 'lookup', system: 'crm', onMiss: 'null' }));
    const result = await send('nobody');
    assert.equal(result.payload, null);
  });

  it('sends a CONFLICT naming both links to Catch, and writes nothing', async () => {
    await helper.load(nodes, flow({ operation: 'link' }));
    const a = (await send({ ids: { crm: 'A-1', erp: '10000' } })).payload as { linkId: string };
    const b = (await send({ ids: { crm: 'A-2', erp: '20000' } })).payload as { linkId: string };
    const caught = nextMessage('caught');
    const status = nextMessage('statuses');
    helper.getNode(NODE).receive({ payload: { ids: { crm: 'A-1', erp: '20000' } } });
    const msg = await caught;
    const error = msg.error as { code: string; message: string };
    assert.equal(error.code, 'CONFLICT');
    assert.match(
      error.message,
      new RegExp(`link ${a.linkId}: crm=A-1, erp=10000; link ${b.linkId}: crm=A-2, erp=20000`),
    );
    const contract = msg._error as { code: string; system: string; retryable: boolean };
    assert.deepEqual([contract.code, contract.system, contract.retryable], ['CONFLICT', 'store', false]);
    assert.equal(((await status).status as { fill: string }).fill, 'blue');
    const storeApi = helper.getNode('store') as unknown as {
      getStore(): Promise<{ lookup(e: string, s: string, id: string): Promise<{ ids: unknown }> }>;
    };
    const store = await storeApi.getStore();
    assert.deepEqual((await store.lookup('customer', 'crm', 'A-1')).ids, { crm: 'A-1', erp: '10000' });
  });

  it('replaces when set to', async () => {
    await helper.load(nodes, flow({ operation: 'link', onConflict: 'replace' }));
    await send({ ids: { crm: 'A-1', erp: '10000' } });
    const moved = await send({ ids: { crm: 'A-1', erp: '20000' } });
    assert.deepEqual((moved.payload as { ids: unknown }).ids, { crm: 'A-1', erp: '20000' });
  });

  it('links a list record by record: linked ones on output 1, failed ones to Catch, none lost', async () => {
    await helper.load(nodes, flow({ operation: 'link' }));
    await send({ ids: { crm: 'A-1', erp: '10000' } });
    const caught = nextMessage('caught');
    const ok = nextMessage('out1');
    helper.getNode(NODE).receive({
      payload: [
        { ids: { crm: 'B-1', erp: '30000' } },
        { ids: { crm: 'B-2', erp: '10000' } },
        'junk',
        { ids: { crm: 'B-3', erp: '40000' } },
        { crm: 'B-4', erp: '50000' },
      ],
    });
    const linked = await ok;
    assert.deepEqual(
      (linked.payload as Array<{ index: number; ok: boolean }>).map((r) => [r.index, r.ok]),
      [
        [0, true],
        [3, true],
      ],
    );
    const failed = await caught;
    assert.deepEqual(
      (failed.payload as Array<{ index: number }>).map((r) => r.index),
      [1, 2, 4],
    );
    const message = (failed.error as { message: string }).message;
    assert.match(message, /^3 of 5 links failed: /);
    assert.match(message, /customer record 2: expected an object/);
    assert.match(message, /customer record 4: ids is missing; expected \{ ids: \{ crm: "A-1", erp: "10000" \} \}/);
  });

  it('unlinks one system id', async () => {
    await helper.load(nodes, flow({ operation: 'msg', system: 'erp' }));
    await send({ ids: { crm: 'A-1', erp: '10000' } }, { operation: 'link' });
    const before = await send('10000', { operation: 'unlink' });
    assert.deepEqual((before.payload as { ids: unknown }).ids, { crm: 'A-1', erp: '10000' });
    const miss = nextMessage('out2');
    helper.getNode(NODE).receive({ payload: '10000', operation: 'lookup' });
    assert.equal((await miss).payload, null);
  });

  it('lists links page by page with msg.cursor', async () => {
    await helper.load(nodes, flow({ operation: 'msg', pageSize: '2' }));
    for (const n of [1, 2, 3]) await send({ ids: { crm: `A-${n}`, erp: `${n}0000` } }, { operation: 'link' });
    const first = await send(null, { operation: 'list' });
    assert.equal((first.payload as unknown[]).length, 2);
    assert.equal(typeof first.cursor, 'string');
    const second = await send(null, { operation: 'list', cursor: first.cursor });
    assert.equal((second.payload as unknown[]).length, 1);
    assert.ok(!('cursor' in second), 'the last page removes msg.cursor');
  });

  it('rejects an unknown msg.operation and a bad entity with VALIDATION', async () => {
    await helper.load(nodes, flow({ operation: 'msg', entity: 'entity', entityType: 'msg' }));
    const caught = nextMessage('caught');
    helper.getNode(NODE).receive({ payload: 'x', operation: 'merge', entity: 'customer' });
    assert.match(
      ((await caught).error as { message: string }).message,
      /msg.operation must be one of link, lookup, unlink, list, got "merge"/,
    );
    const again = nextMessage('caught');
    helper.getNode(NODE).receive({ payload: 'x', operation: 'lookup', entity: 'Kunde!' });
    assert.match(((await again).error as { message: string }).message, /entity "Kunde!" is not valid/);
  });

  it('reports a store that cannot be opened as CONFIG, without crashing', async () => {
    const flowNodes = flow({ operation: 'lookup', system: 'crm' });
    (flowNodes.find((n) => n.id === 'store') as Record<string, unknown>).file = join(
      dir.path,
      'missing-dir',
      'x',
      'links.db',
    );
    await helper.load(nodes, flowNodes);
    const caught = nextMessage('caught');
    helper.getNode(NODE).receive({ payload: 'A-1' });
    const error = (await caught).error as { code: string; message: string };
    assert.equal(error.code, 'CONFIG');
    assert.match(error.message, /cannot open the sync store file .*links\.db/);
  });
});
