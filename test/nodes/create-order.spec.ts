/** The create-order node in a real flow: BC and Dataverse emulators over loopback, real catch/status/complete nodes. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import connectionNode from '../../nodes/crmerp-connection';
import createOrderNode from '../../nodes/crmerp-create-order';
import storeNode from '../../nodes/crmerp-store';
import type { SyncStore } from '../../nodes/lib/store';
import { createOrder } from '../../nodes/lib/sync/create-order';
import type { ConnectionNode } from '../../nodes/runtime/connection-config';
import type { StoreNode } from '../../nodes/runtime/store-config';
import {
  DATAVERSE_SEED,
  startBcEmulator,
  startDataverseEmulator,
  type BcEmulator,
  type DataverseEmulator,
} from '../../sandbox';
import { rejection } from '../http/support';
import { collect, helper, nextMessage, observers, until, type FlowNode, type ReceivedMsg } from '../support/node-red';
import { bcLinesOf, bcOrdersWith, erpReadyOrder, storeLosingLinks } from '../support/orders';
import { tempDir } from '../support/tmp';

const TAB = 'tab';
const NODE = 'orders';
const nodes = [connectionNode, storeNode, createOrderNode];

interface ErrorInfo {
  code: string;
  message: string;
  system: string;
  retryable: boolean;
  details?: unknown;
}

describe('create order node', () => {
  const dir = tempDir('create-order-node');
  let fileCounter = 0;
  let bc: BcEmulator;
  let dataverse: DataverseEmulator;

  before(async () => {
    [bc, dataverse] = await Promise.all([startBcEmulator(), startDataverseEmulator()]);
  });
  after(async () => {
    await Promise.all([bc.close(), dataverse.close()]);
    dir.remove();
  });
  beforeEach(() => {
    bc.reset();
    dataverse.reset();
  });
  afterEach(() => helper.unload());

  function connection(id: string, system: string, emulator: BcEmulator | DataverseEmulator): FlowNode {
    const bcApi = emulator === bc;
    return {
      id,
      type: 'crmerp-connection',
      system,
      driver: bcApi ? 'bc-api' : 'dataverse',
      baseUrl: emulator.url,
      tenant: emulator.tenant,
      environment: 'production',
      company: bcApi ? 'CRONUS International Ltd.' : '',
      authType: 'oauth2',
      tokenUrl: emulator.tokenUrl,
      scope: '',
      tlsVerify: true,
      timeout: '10',
      erpSystem: 'erp',
      erpNumberColumn: 'new_erpcustomerno',
    };
  }

  async function load(settings: Record<string, unknown> = {}): Promise<void> {
    const catchOnly = settings.errorHandling === 'catch';
    const flow: FlowNode[] = [
      ...observers(TAB, NODE),
      connection('erp-conn', 'erp', bc),
      connection('crm-conn', 'crm', dataverse),
      {
        id: 'store',
        type: 'crmerp-store',
        backend: 'sqlite',
        file: join(dir.path, `orders-${fileCounter++}.db`),
        synchronous: 'normal',
      },
      {
        id: NODE,
        type: 'crmerp-create-order',
        z: TAB,
        connection: 'erp-conn',
        store: 'store',
        source: 'crm',
        sourceType: 'str',
        statuses: ['signed', 'won'],
        itemLinks: false,
        itemTable: '{}',
        unknownItem: 'keep',
        useCrmPrices: false,
        writeBack: false,
        crmConnection: '',
        writeBackField: '',
        property: 'payload',
        propertyType: 'msg',
        errorHandling: 'outputs',
        lang: 'en',
        ...settings,
        wires: catchOnly ? [['out1']] : [['out1'], ['out2']],
      },
      { id: 'out1', type: 'helper', z: TAB },
      { id: 'out2', type: 'helper', z: TAB },
    ];
    const credentials = { clientId: bc.clientId, clientSecret: bc.clientSecret };
    await helper.load(nodes, flow, { 'erp-conn': credentials, 'crm-conn': credentials });
  }

  function send(payload: unknown, output: 'out1' | 'out2' = 'out1'): Promise<ReceivedMsg> {
    const received = nextMessage(output);
    helper.getNode(NODE).receive({ payload, topic: 'orders' });
    return received;
  }

  function syncStore(): Promise<SyncStore> {
    return (helper.getNode('store') as unknown as StoreNode).getStore();
  }

  it('creates the order once: the same order again returns the existing ERP order', async () => {
    await load();
    const completed = collect('completed');
    const statuses = collect('statuses');
    const created = await send(erpReadyOrder());
    const payload = created.payload as Record<string, unknown>;
    assert.equal(typeof payload.linkId, 'string');
    assert.deepEqual(payload, {
      result: 'created',
      sourceId: 'SO-2026-0042',
      number: 'S-ORD101004',
      status: 'draft',
      ids: { crm: 'SO-2026-0042', erp: 'S-ORD101004' },
      linkId: payload.linkId,
      externalDocumentNumber: 'SO-2026-0042',
    });
    assert.equal(created.topic, 'orders');
    const again = await send(erpReadyOrder());
    assert.deepEqual(again.payload, { ...payload, result: 'existing' });
    assert.equal(bcOrdersWith(bc, 'SO-2026-0042').length, 1);
    await until(() => completed.length === 2, 'two completions');
    const shown = statuses.map((msg) => msg.status as { fill: string; shape: string; text: string });
    assert.deepEqual(
      shown.slice(0, 2).map(({ fill, shape, text }) => [fill, shape, text]),
      [
        ['yellow', 'ring', 'erp'],
        ['blue', 'dot', ''],
      ],
      'connecting to the ERP, then working',
    );
    assert.deepEqual(
      shown.filter((s) => s.fill === 'green').map((s) => s.text),
      ['1 created', '1 created, 1 existing'],
    );
  });

  it('links the ERP order after a crash between the ERP write and the link write, creating no second one', async () => {
    await load();
    const erp = (helper.getNode('erp-conn') as unknown as ConnectionNode).getDriver();
    const store = await syncStore();
    const options = {
      source: 'crm',
      statuses: ['won' as const],
      items: { table: {}, useLinks: false, unknown: 'keep' as const },
      useSourcePrices: false,
      lang: 'en' as const,
    };
    await rejection(createOrder(erp, storeLosingLinks(store), options, erpReadyOrder()));
    assert.equal(bcOrdersWith(bc, 'SO-2026-0042').length, 1);
    assert.equal(await store.lookup('order', 'crm', 'SO-2026-0042'), undefined);

    const recovered = await send(erpReadyOrder());
    assert.equal((recovered.payload as { result: string }).result, 'existing');
    assert.equal(bcOrdersWith(bc, 'SO-2026-0042').length, 1);
    assert.deepEqual((await store.lookup('order', 'crm', 'SO-2026-0042'))?.ids, {
      crm: 'SO-2026-0042',
      erp: 'S-ORD101004',
    });
  });

  it('sends a draft order to output 2 as REJECTED with the reason, writing nothing', async () => {
    await load();
    const status = collect('statuses');
    const draft = erpReadyOrder({ status: 'draft' });
    const rejected = await send(draft, 'out2');
    const { deadLetter, ...error } = rejected.error as ErrorInfo & { deadLetter: { id: string } };
    assert.deepEqual(error, {
      code: 'REJECTED',
      message: 'order SO-2026-0042 has status draft; only signed, won go to the ERP',
      system: 'erp',
      retryable: false,
    });
    assert.match(deadLetter.id, /^[0-9a-f-]{36}$/, 'kept as a dead letter');
    assert.deepEqual(rejected.payload, draft, 'the input stays in msg.payload');
    assert.equal(bcOrdersWith(bc, 'SO-2026-0042').length, 0);
    await until(() => status.some((s) => (s.status as { text: string }).text === 'REJECTED'), 'a REJECTED status');
    assert.equal((status.at(-1)?.status as { fill: string }).fill, 'red');
  });

  it('rejects an order whose customer is not linked', async () => {
    await load();
    const rejected = await send(erpReadyOrder({ customer: { ids: { crm: 'A-404' } } }), 'out2');
    const error = rejected.error as ErrorInfo;
    assert.equal(error.code, 'REJECTED');
    assert.equal(
      error.message,
      'customer crm=A-404 of order SO-2026-0042 is not linked to erp; sync the customer first',
    );
  });

  it('upserts msg.customer into the ERP first when set to, so the order of a new customer goes through', async () => {
    await load({ upsertCustomer: true });
    const ok = nextMessage('out1');
    const customer = {
      ids: { crm: 'A-NEW-1' },
      name: 'Neukunde GmbH',
      email: 'neu@kunde.example',
      lifecycle: 'customer',
    };
    helper.getNode(NODE).receive({ payload: erpReadyOrder({ customer: { ids: { crm: 'A-NEW-1' } } }), customer });
    const msg = await ok;
    const customerResult = msg.customerResult as { result: string; ids: Record<string, string> };
    assert.equal(customerResult.result, 'created');
    const order = msg.payload as { result: string; ids: Record<string, string> };
    assert.equal(order.result, 'created');
    const link = await (await syncStore()).lookup('customer', 'crm', 'A-NEW-1');
    assert.equal(link?.ids.erp, customerResult.ids.erp);
  });

  it("translates items by the node's table and by item links, and sends CRM prices when ticked", async () => {
    await load({
      itemTable: JSON.stringify({ DESK: '1896-S' }),
      itemLinks: true,
      unknownItem: 'reject',
      useCrmPrices: true,
    });
    const store = await syncStore();
    await store.link({ entity: 'item', ids: { crm: 'CHAIR-BLK', erp: '1900-S' } }, { replace: false });
    await store.link({ entity: 'customer', ids: { crm: 'A-2000', erp: '20000' } }, { replace: false });
    const order = erpReadyOrder({
      customer: { ids: { crm: 'A-2000' } },
      lines: [
        { itemNumber: 'DESK', quantity: 1, unitPrice: 850 },
        { itemNumber: 'CHAIR-BLK', quantity: 4 },
      ],
    });
    const created = await send(order);
    assert.deepEqual(bcLinesOf(bc, (created.payload as { number: string }).number), [
      ['1896-S', 850],
      ['1900-S', 192.8],
    ]);
  });

  it('reports an invalid order as VALIDATION naming its fields', async () => {
    await load();
    const invalid = await send({ ...erpReadyOrder(), lines: [], orderDate: 'soon' }, 'out2');
    const error = invalid.error as ErrorInfo;
    assert.equal(error.code, 'VALIDATION');
    assert.match(error.message, /order sourceId=SO-2026-0042/);
    assert.match(error.message, /lines/);
    assert.match(error.message, /orderDate/);
    assert.equal(bcOrdersWith(bc, 'SO-2026-0042').length, 0);
  });

  it('sends the new orders of a list to Business Central in one $batch request', async () => {
    await load();
    const budget = 10_000;
    bc.faults.add({ kind: 'latency', latencyMs: 0, path: '*/$batch', method: 'POST', count: budget });
    const ok = nextMessage('out1');
    helper
      .getNode(NODE)
      .receive({ payload: ['SO-N1', 'SO-N2', 'SO-N3'].map((sourceId) => erpReadyOrder({ sourceId })) });
    const written = (await ok).payload as Array<{ result: string }>;
    const left = bc.faults.list().find((rule) => rule.path === '*/$batch')?.count ?? 0;
    bc.faults.clear();
    assert.deepEqual(
      written.map((r) => r.result),
      ['created', 'created', 'created'],
    );
    assert.equal(budget - left, 1, 'one $batch request for the three orders');
  });

  it('writes a mixed list: valid orders are created, the others reported, none lost', async () => {
    await load();
    const ok = nextMessage('out1');
    const failed = nextMessage('out2');
    helper.getNode(NODE).receive({
      payload: [
        erpReadyOrder({ sourceId: 'SO-B1' }),
        erpReadyOrder({ sourceId: 'SO-B2', status: 'draft' }),
        erpReadyOrder({ sourceId: 'SO-B3', lines: [] }),
        erpReadyOrder({ sourceId: 'SO-B4', customer: { ids: { crm: 'A-404' } } }),
        erpReadyOrder({ sourceId: 'SO-B5' }),
        erpReadyOrder({ sourceId: 'SO-B1' }),
      ],
    });
    const written = (await ok).payload as Array<{ index: number; ok: boolean; result: string; number: string }>;
    assert.deepEqual(
      written.map((r) => [r.index, r.result, r.number]),
      [
        [0, 'created', 'S-ORD101004'],
        [4, 'created', 'S-ORD101005'],
        [5, 'existing', 'S-ORD101004'],
      ],
    );
    const reported = await failed;
    const entries = reported.payload as Array<{ index: number; ok: boolean; result: string; error: ErrorInfo }>;
    assert.deepEqual(
      entries.map((r) => [r.index, r.result, r.error.code]),
      [
        [1, 'rejected', 'REJECTED'],
        [2, 'failed', 'VALIDATION'],
        [3, 'rejected', 'REJECTED'],
      ],
    );
    const error = reported.error as ErrorInfo & { details: { items: ErrorInfo[] } };
    assert.match(error.message, /^3 of 6 orders failed: record 1 \(order SO-B2\) has status draft/);
    assert.equal(error.details.items.length, 3);
    assert.deepEqual(
      ['SO-B1', 'SO-B2', 'SO-B3', 'SO-B4', 'SO-B5'].map((key) => bcOrdersWith(bc, key).length),
      [1, 0, 0, 0, 1],
    );
  });

  it('sends failures to a real Catch node when set to, with the error contract kept', async () => {
    await load({ errorHandling: 'catch' });
    const caught = nextMessage('caught');
    helper.getNode(NODE).receive({ payload: erpReadyOrder({ status: 'lost' }) });
    const msg = await caught;
    assert.equal((msg.error as { code: string }).code, 'REJECTED');
    const contract = msg._error as ErrorInfo;
    assert.deepEqual([contract.code, contract.system, contract.retryable], ['REJECTED', 'erp', false]);
    assert.match(contract.message, /has status lost; only signed, won go to the ERP/);
    const created = await send(erpReadyOrder());
    assert.equal((created.payload as { result: string }).result, 'created');
  });

  it('writes the ERP order number back to the Dataverse sales order', async () => {
    await load({ writeBack: true, crmConnection: 'crm-conn' });
    const salesOrderId = DATAVERSE_SEED.salesOrderId(2);
    const created = await send(
      erpReadyOrder({ sourceId: salesOrderId, customer: { ids: { crm: DATAVERSE_SEED.accountId(2), erp: '30000' } } }),
    );
    const payload = created.payload as { number: string; writtenBack: boolean; externalDocumentNumber: string };
    assert.equal(payload.writtenBack, true);
    assert.equal(payload.externalDocumentNumber, salesOrderId.replace(/-/g, '').toUpperCase());
    const state = dataverse.state() as {
      entities: { salesorders: Array<{ salesorderid: string; new_erpordernumber?: string }> };
    };
    const row = state.entities.salesorders.find((candidate) => candidate.salesorderid === salesOrderId);
    assert.equal(row?.new_erpordernumber, payload.number);
  });

  it('reports a broken item table and a missing connection as CONFIG', async () => {
    await load({ itemTable: '{"DESK":', connection: '' });
    const broken = await send(erpReadyOrder(), 'out2');
    assert.equal((broken.error as ErrorInfo).code, 'CONFIG');
    assert.match((broken.error as ErrorInfo).message, /the item table is not valid JSON/);
    await helper.unload();
    await load({ connection: '' });
    const missing = await send(erpReadyOrder(), 'out2');
    assert.equal((missing.error as ErrorInfo).message, 'no ERP connection is selected on this node');
  });
});
