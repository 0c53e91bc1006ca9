import assert from 'node:assert/strict';
import { join } from 'node:path';
import connectionNode from '../../nodes/crmerp-connection';
import storeNode from '../../nodes/crmerp-store';
import upsertNode from '../../nodes/crmerp-upsert-customer';
import { startBcEmulator, type BcEmulator } from '../../sandbox';
import { collect, helper, nextMessage, observers, until, type FlowNode } from '../support/node-red';
import { tempDir } from '../support/tmp';

const TAB = 'tab';
const NODE = 'upsert';
const nodes = [connectionNode, storeNode, upsertNode];

function customer(crmId: string, overrides: Record<string, unknown> = {}) {
  return {
    ids: { crm: crmId },
    name: `Customer ${crmId}`,
    email: `${crmId}@example.de`,
    lifecycle: 'customer',
    ...overrides,
  };
}

describe('upsert customer node', function () {
  this.timeout(20_000);
  const dir = tempDir('upsert-node');
  let bc: BcEmulator;
  let files = 0;

  before(async () => {
    bc = await startBcEmulator();
  });
  after(async () => {
    await bc.close();
    dir.remove();
  });
  afterEach(() => helper.unload());

  function flow(settings: Record<string, unknown> = {}): FlowNode[] {
    const errorHandling = settings.errorHandling ?? 'outputs';
    return [
      ...observers(TAB, NODE),
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
        file: join(dir.path, `sync-${files++}.db`),
        synchronous: 'normal',
      },
      {
        id: NODE,
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
        lang: 'en',
        ...settings,
        errorHandling,
        wires: errorHandling === 'catch' ? [['ok']] : [['ok'], ['failed']],
      },
      { id: 'ok', type: 'helper', z: TAB },
      { id: 'failed', type: 'helper', z: TAB },
    ];
  }

  const credentials = () => ({ 'erp-conn': { clientId: bc.clientId, clientSecret: bc.clientSecret } });

  it('creates a customer, reports the ids and link, and shows counts in the status', async () => {
    await helper.load(nodes, flow(), credentials());
    const statuses = collect('statuses');
    const ok = nextMessage('ok');
    const completed = nextMessage('completed');
    helper.getNode(NODE).receive({ payload: customer('n-1'), topic: 'kept' });
    const msg = await ok;
    const result = msg.payload as { result: string; ids: Record<string, string>; linkId: string };
    assert.equal(result.result, 'created');
    assert.match(result.ids.erp ?? '', /^C\d+/);
    assert.equal(typeof result.linkId, 'string');
    assert.equal(msg.topic, 'kept');
    await completed;
    await until(() => statuses.some((s) => (s.status as { text: string }).text === '1 created'), 'the counting status');
    const states = statuses.map((s) => (s.status as { fill: string }).fill);
    assert.deepEqual(states.slice(0, 2), ['yellow', 'blue'], 'connecting, then working');
  });

  it('plans without writing when msg.dryRun is set', async () => {
    await helper.load(nodes, flow(), credentials());
    const ok = nextMessage('ok');
    helper.getNode(NODE).receive({ payload: customer('n-2'), dryRun: true });
    const result = (await ok).payload as { result: string; action: string; write: { name: string } };
    assert.deepEqual([result.result, result.action, result.write.name], ['planned', 'create', 'Customer n-2']);
  });

  it('sends a rejected prospect to output 2 with a REJECTED error naming the record', async () => {
    await helper.load(nodes, flow(), credentials());
    const failed = nextMessage('failed');
    helper.getNode(NODE).receive({ payload: customer('n-3', { lifecycle: 'prospect' }) });
    const msg = await failed;
    const error = msg.error as { code: string; message: string; system: string };
    assert.equal(error.code, 'REJECTED');
    assert.equal(error.system, 'erp');
    assert.match(error.message, /^customer crm=n-3: it is a prospect; only customers go to erp$/);
    assert.equal((msg.payload as { result: string }).result, 'rejected');
  });

  it('sends failures to Catch when set to, with the contract in msg._error', async () => {
    await helper.load(nodes, flow({ errorHandling: 'catch' }), credentials());
    const caught = nextMessage('caught');
    helper.getNode(NODE).receive({ payload: customer('n-4', { phone: '1'.repeat(31) }) });
    const msg = await caught;
    assert.equal((msg.error as { code: string }).code, 'VALIDATION');
    assert.match((msg._error as { message: string }).message, /phone is 31 characters long; the limit is 30/);
  });

  it('takes a list: written ones on output 1, failed ones on output 2, none lost', async () => {
    await helper.load(nodes, flow(), credentials());
    const ok = nextMessage('ok');
    const failed = nextMessage('failed');
    helper
      .getNode(NODE)
      .receive({ payload: [customer('l-1'), customer('l-2', { email: 'not-an-address' }), customer('l-3')] });
    const written = (await ok).payload as Array<{ index: number; result: string }>;
    assert.deepEqual(
      written.map((r) => [r.index, r.result]),
      [
        [0, 'created'],
        [2, 'created'],
      ],
    );
    const rejected = await failed;
    assert.deepEqual(
      (rejected.payload as Array<{ index: number }>).map((r) => r.index),
      [1],
    );
    assert.match(
      (rejected.error as { message: string }).message,
      /^1 of 3 customers failed: record 1 \(customer crm=l-2\)/,
    );
  });

  it('reports a missing connection as CONFIG', async () => {
    await helper.load(nodes, flow({ connection: '' }), credentials());
    const failed = nextMessage('failed');
    helper.getNode(NODE).receive({ payload: customer('n-5') });
    const error = (await failed).error as { code: string; message: string };
    assert.deepEqual([error.code, error.message], ['CONFIG', 'no target connection is selected on this node']);
  });
});
