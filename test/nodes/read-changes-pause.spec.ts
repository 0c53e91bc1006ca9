/** Pausing and resuming the read changes node: nothing is sent while paused, nothing is lost. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeAPI } from 'node-red';
import connectionNode from '../../nodes/crmerp-connection';
import readChangesNode from '../../nodes/crmerp-read-changes';
import storeNode from '../../nodes/crmerp-store';
import type { BatchInfo } from '../../nodes/lib/sync/read-changes';
import type { StoreNode } from '../../nodes/runtime/store-config';
import { collect, helper, observers, until, type FlowNode, type ReceivedMsg } from '../support/node-red';
import { startSystems, type Systems } from '../support/systems';
import { tempDir } from '../support/tmp';

const TAB = 'tab';
const NODE = 'read-changes';
const NUMBERS = ['10000', '20000', '30000', '40000', '50000', '60000', '70000', '80000'];
// eslint-disable-next-line @typescript-eslint/no-require-imports
const functionNode = require('@node-red/nodes/core/function/10-function.js') as (RED: NodeAPI) => void;
const nodes = [connectionNode, storeNode, readChangesNode, functionNode];

const STATUS = {
  read: 'crmerp-read-changes.status.read',
  upToDate: 'crmerp-read-changes.status.done',
  paused: 'crmerp-read-changes.status.pause',
  pausedWaiting: 'crmerp-read-changes.status.wait',
  resumed: 'crmerp-read-changes.status.go',
};

function numbersOf(msg: ReceivedMsg): string[] {
  return (msg.payload as Array<{ ids: { erp: string } }>).map((customer) => customer.ids.erp);
}

function changesOf(msg: ReceivedMsg): BatchInfo {
  return msg.changes as BatchInfo;
}

describe('read changes node: pause and resume', function () {
  this.timeout(20_000);
  const dir = tempDir('read-changes-pause');
  let systems: Systems;
  let files = 0;

  before(async () => {
    systems = await startSystems();
  });
  after(async () => {
    await systems.close();
    dir.remove();
  });
  beforeEach(async () => {
    systems.bc.reset();
    await touch(NUMBERS);
  });
  afterEach(() => helper.unload());

  /** Changes the customers one after the other, so each has its own modification time. */
  async function touch(numbers: string[]): Promise<void> {
    const customers = systems.erp.customers!;
    for (const number of numbers) {
      await sleep(3);
      const record = await customers.getByNumber(number);
      await customers.update(record!.id, { phone: `+49 30 ${Math.floor(Math.random() * 1e7)}` });
    }
  }

  /** `acknowledge`: a Complete node on the flow's last node wired back; otherwise the test acknowledges. */
  async function load(storeFile: string, acknowledge = true): Promise<{ out: ReceivedMsg[]; statuses: string[] }> {
    const flow: FlowNode[] = [
      ...observers(TAB, NODE),
      {
        id: 'erp-conn',
        type: 'crmerp-connection',
        system: 'erp',
        driver: 'bc-api',
        baseUrl: systems.bc.url,
        tenant: systems.bc.tenant,
        company: 'CRONUS International Ltd.',
        authType: 'oauth2',
        tokenUrl: systems.bc.tokenUrl,
        tlsVerify: true,
        timeout: '10',
      },
      { id: 'store', type: 'crmerp-store', backend: 'sqlite', file: storeFile, synchronous: 'normal' },
      {
        id: NODE,
        type: 'crmerp-read-changes',
        z: TAB,
        connection: 'erp-conn',
        store: 'store',
        entity: 'customer',
        batchSize: 3,
        watermark: '',
        advanceOn: 'ack',
        errorHandling: 'outputs',
        wires: [['last', 'out'], ['failed']],
      },
      { id: 'last', type: 'function', z: TAB, func: 'return msg;', outputs: 1, wires: [] },
      ...(acknowledge
        ? [{ id: 'ack', type: 'complete', z: TAB, scope: ['last'], uncaught: false, wires: [[NODE]] }]
        : []),
      { id: 'out', type: 'helper', z: TAB },
      { id: 'failed', type: 'helper', z: TAB },
    ];
    const statuses: string[] = [];
    await helper.load(nodes, flow, {
      'erp-conn': { clientId: systems.bc.clientId, clientSecret: systems.bc.clientSecret },
    });
    helper.getNode('statuses').on('input', (msg: ReceivedMsg) => statuses.push((msg.status as { text: string }).text));
    return { out: collect('out'), statuses };
  }

  function send(msg: Record<string, unknown>): void {
    helper.getNode(NODE).receive(msg);
  }

  async function watermark(name = 'erp.customer'): Promise<string | undefined> {
    const store = await (helper.getNode('store') as unknown as StoreNode).getStore();
    return (await store.getWatermark(name))?.split('#')[0];
  }

  function count(statuses: string[], status: string): number {
    return statuses.filter((s) => s === status).length;
  }

  it('starts no run while paused; the resume starts one run that delivers every change made meanwhile', async () => {
    const { out, statuses } = await load(join(dir.path, `sync-${files++}.db`));
    send({ payload: 'go' });
    await until(() => count(statuses, STATUS.upToDate) === 1, 'the initial load');
    assert.equal(out.length, 3);

    send({ pause: true });
    await until(() => statuses.at(-1) === STATUS.paused, 'the paused status');
    await touch(['20000', '50000', '70000', '80000']);
    send({ payload: 'tick', topic: 'every 5 minutes' });
    send({ payload: 'tick', topic: 'every 5 minutes' });
    await until(() => statuses.at(-1) === STATUS.pausedWaiting, 'a run waiting');
    await sleep(200);
    assert.equal(out.length, 3, 'no batch while paused');
    assert.equal(count(statuses, STATUS.read), 1, 'no run started');

    send({ resume: true });
    await until(() => count(statuses, STATUS.upToDate) === 2, 'the run after the resume');
    assert.equal(count(statuses, STATUS.read), 2, 'one run for both triggers');
    const resumed = out.slice(3);
    assert.deepEqual(resumed.map(numbersOf), [['20000', '50000', '70000'], ['80000']]);
    assert.ok(resumed.every((msg) => msg.topic === 'every 5 minutes' && msg.resume === undefined));
    assert.equal(await watermark(), changesOf(resumed[1]!).to);
    assert.equal(await watermark('erp.customer#paused'), undefined, 'the pause is over in the store too');
  });

  it('lets a batch in flight be acknowledged while paused, then sends nothing further until the resume', async () => {
    const { out, statuses } = await load(join(dir.path, `sync-${files++}.db`), false);
    send({ payload: 'go' });
    await until(() => out.length === 1, 'the first batch');
    send({ topic: 'pause' });
    await until(() => statuses.at(-1) === STATUS.paused, 'the paused status');
    send({ payload: [], changes: changesOf(out[0]!) });
    await until(() => statuses.at(-1) === STATUS.pausedWaiting, 'the run waiting for the resume');
    assert.equal(await watermark(), changesOf(out[0]!).to, 'the acknowledged batch moved the watermark');
    await sleep(200);
    assert.equal(out.length, 1, 'the next batch is not sent while paused');

    send({ topic: 'resume' });
    for (let acknowledged = 1; ; acknowledged++) {
      await until(() => out.length > acknowledged, 'the next batch');
      const batch = changesOf(out[acknowledged]!);
      send({ payload: [], changes: batch });
      if (batch.last) break;
    }
    await until(() => statuses.at(-1) === STATUS.upToDate, 'up to date');
    const delivered = out.map(numbersOf).flat();
    assert.deepEqual(delivered, NUMBERS, 'every change once, none lost, none twice');
  });

  it('stays paused across a restart, and a trigger from before the restart runs on the resume', async () => {
    const file = join(dir.path, `sync-${files++}.db`);
    const first = await load(file);
    send({ payload: 'go' });
    await until(() => count(first.statuses, STATUS.upToDate) === 1, 'the initial load');
    send({ pause: true });
    await until(() => first.statuses.at(-1) === STATUS.paused, 'the paused status');
    await touch(['30000']);
    send({ payload: 'nightly' });
    await until(() => first.statuses.at(-1) === STATUS.pausedWaiting, 'a run waiting');
    await helper.unload();

    const second = await load(file);
    await until(() => second.statuses.includes(STATUS.pausedWaiting), 'the pause kept from before the restart');
    send({ payload: 'tick' });
    await sleep(200);
    assert.deepEqual(second.out, [], 'still paused after the restart');

    send({ resume: true });
    await until(() => second.statuses.at(-1) === STATUS.upToDate, 'the run after the resume');
    assert.deepEqual(second.out.map(numbersOf), [['30000']]);
    assert.equal(count(second.statuses, STATUS.read), 1);
  });

  it('a resume with no trigger meanwhile starts nothing; pause and resume at once is refused', async () => {
    const { out, statuses } = await load(join(dir.path, `sync-${files++}.db`));
    send({ pause: true });
    await until(() => statuses.at(-1) === STATUS.paused, 'the paused status');
    send({ resume: true });
    await until(() => statuses.at(-1) === STATUS.resumed, 'the resumed status');
    await sleep(200);
    assert.deepEqual(out, []);

    const failed = collect('failed');
    send({ pause: true, topic: 'resume' });
    await until(() => failed.length === 1, 'the refusal');
    const error = failed[0]!.error as { code: string; message: string };
    assert.equal(error.code, 'VALIDATION');
    assert.match(error.message, /asks to pause and to resume at once/);
    send({ payload: 'go' });
    await until(() => statuses.at(-1) === STATUS.upToDate, 'a run, as the node is not paused');
    assert.deepEqual(out.map(numbersOf).flat(), NUMBERS);
  });
});
