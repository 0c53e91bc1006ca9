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
// Node-RED's core function node is a plain CommonJS file addressed by path.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const functionNode = require('@node-red/nodes/core/function/10-function.js') as (RED: NodeAPI) => void;
const nodes = [connectionNode, storeNode, readChangesNode, functionNode];

const STATUS = {
  reading: 'crmerp-read-changes.status.read',
  batch: 'crmerp-read-changes.status.batch',
  upToDate: 'crmerp-read-changes.status.done',
  busy: 'crmerp-read-changes.status.busy',
};

interface FlowOptions {
  advanceOn?: 'ack' | 'sent';
  /** A Complete node on the last node of the flow, wired back into the read changes node. */
  acknowledge?: boolean;
  storeFile: string;
  errorHandling?: 'outputs' | 'catch';
  store?: string;
}

function changesOf(msg: ReceivedMsg): BatchInfo {
  return msg.changes as BatchInfo;
}

function numbersOf(msg: ReceivedMsg): string[] {
  return (msg.payload as Array<{ ids: { erp: string } }>).map((customer) => customer.ids.erp);
}

describe('read changes node', function () {
  this.timeout(20_000);
  const dir = tempDir('read-changes-node');
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
      await customers.update(record!.id, { phone: `+49 30 555${number}` });
    }
  }

  function storeFile(): string {
    return join(dir.path, `sync-${files++}.db`);
  }

  function flow(options: FlowOptions): FlowNode[] {
    const errorHandling = options.errorHandling ?? 'outputs';
    return [
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
      { id: 'store', type: 'crmerp-store', backend: 'sqlite', file: options.storeFile, synchronous: 'normal' },
      {
        id: NODE,
        type: 'crmerp-read-changes',
        z: TAB,
        connection: 'erp-conn',
        store: options.store ?? 'store',
        entity: 'customer',
        batchSize: 3,
        watermark: '',
        advanceOn: options.advanceOn ?? 'ack',
        errorHandling,
        wires: errorHandling === 'catch' ? [['last', 'out']] : [['last', 'out'], ['failed']],
      },
      // The last node of the flow: it completes each batch it gets.
      { id: 'last', type: 'function', z: TAB, func: 'return msg;', outputs: 1, wires: [] },
      ...(options.acknowledge === false
        ? []
        : [{ id: 'ack', type: 'complete', z: TAB, scope: ['last'], uncaught: false, wires: [[NODE]] }]),
      { id: 'out', type: 'helper', z: TAB },
      { id: 'failed', type: 'helper', z: TAB },
    ];
  }

  async function load(options: FlowOptions): Promise<{ out: ReceivedMsg[]; statuses: string[] }> {
    await helper.load(nodes, flow(options), {
      'erp-conn': { clientId: systems.bc.clientId, clientSecret: systems.bc.clientSecret },
    });
    const statuses: string[] = [];
    helper.getNode('statuses').on('input', (msg: ReceivedMsg) => {
      statuses.push((msg.status as { text: string }).text);
    });
    return { out: collect('out'), statuses };
  }

  function trigger(msg: Record<string, unknown> = { payload: 'go', topic: 'nightly' }): void {
    helper.getNode(NODE).receive(msg);
  }

  /** The time of the stored watermark (it is followed by a digest of what was read at that time). */
  async function watermark(): Promise<string | undefined> {
    const store = await (helper.getNode('store') as unknown as StoreNode).getStore();
    return (await store.getWatermark('erp.customer'))?.split('#')[0];
  }

  /** Waits for the run to end: the status says up to date `times` times in all. */
  function upToDate(statuses: string[], times = 1): Promise<void> {
    return until(() => statuses.filter((s) => s === STATUS.upToDate).length >= times, 'the up-to-date status');
  }

  it('delivers every customer once in acknowledged batches of 3; the watermark follows the acknowledgements', async () => {
    const { out, statuses } = await load({ storeFile: storeFile() });
    trigger();
    await upToDate(statuses);
    assert.deepEqual(out.map(numbersOf), [NUMBERS.slice(0, 3), NUMBERS.slice(3, 6), NUMBERS.slice(6)]);
    assert.deepEqual(
      out.map((msg) => {
        const { watermark: name, batch, count, last } = changesOf(msg);
        return [name, batch, count, last];
      }),
      [
        ['erp.customer', 1, 3, false],
        ['erp.customer', 2, 3, false],
        ['erp.customer', 3, 2, true],
      ],
    );
    assert.ok(
      out.every((msg) => msg.topic === 'nightly'),
      'the triggering message is kept',
    );
    const [first, , third] = out.map(changesOf);
    assert.ok(first!.from < first!.to && first!.to < third!.from);
    assert.equal(new Set(out.map((msg) => changesOf(msg).token)).size, 3);
    assert.equal(await watermark(), third!.to, 'the last modification time acknowledged');
    assert.deepEqual(statuses, [STATUS.reading, STATUS.batch, STATUS.batch, STATUS.batch, STATUS.upToDate]);
  });

  it('sends nothing when nothing changed, and ignores a repeated acknowledgement', async () => {
    const { out, statuses } = await load({ storeFile: storeFile() });
    trigger();
    await upToDate(statuses);
    const before = await watermark();
    trigger();
    await upToDate(statuses, 2);
    helper.getNode(NODE).receive({ payload: [], changes: changesOf(out[0]!) });
    await sleep(200);
    assert.equal(out.length, 3);
    assert.equal(await watermark(), before);
    assert.equal(statuses.at(-1), STATUS.upToDate);
  });

  it('on the next run delivers exactly the customer that changed', async () => {
    const { out, statuses } = await load({ storeFile: storeFile() });
    trigger();
    await upToDate(statuses);
    await touch(['40000']);
    trigger();
    await upToDate(statuses, 2);
    assert.equal(out.length, 4);
    const changed = out[3]!;
    assert.deepEqual(numbersOf(changed), ['40000']);
    assert.deepEqual((({ batch, count, last }) => [batch, count, last])(changesOf(changed)), [1, 1, true]);
    assert.equal(await watermark(), changesOf(changed).to);
  });

  it('delivers an unacknowledged batch again after a restart: re-delivery, never loss', async () => {
    const file = storeFile();
    const first = await load({ storeFile: file, acknowledge: false });
    trigger();
    await until(() => first.out.length === 1, 'the first batch');
    trigger();
    await until(() => first.statuses.includes(STATUS.busy), 'the busy warning');
    await sleep(200);
    assert.equal(first.out.length, 1, 'no further batch without an acknowledgement, and no second run');
    assert.equal(await watermark(), undefined, 'the watermark waits for the acknowledgement');
    await helper.unload();

    const second = await load({ storeFile: file });
    trigger();
    await upToDate(second.statuses);
    assert.deepEqual(numbersOf(second.out[0]!), numbersOf(first.out[0]!));
    assert.deepEqual(second.out.map(numbersOf).flat(), NUMBERS);
  });

  it("moves the watermark as soon as a batch is sent in 'sent' mode", async () => {
    const { out, statuses } = await load({ storeFile: storeFile(), advanceOn: 'sent', acknowledge: false });
    trigger();
    await upToDate(statuses);
    assert.deepEqual(out.map(numbersOf).flat(), NUMBERS);
    assert.equal(await watermark(), changesOf(out[2]!).to);
  });

  it('starts over on msg.reset: an initial load again', async () => {
    const { out, statuses } = await load({ storeFile: storeFile(), advanceOn: 'sent', acknowledge: false });
    trigger();
    await upToDate(statuses);
    trigger({ payload: 'again', reset: true });
    await upToDate(statuses, 2);
    assert.deepEqual(out.slice(3).map(numbersOf).flat(), NUMBERS);
    assert.ok(
      out.every((msg) => msg.reset === undefined),
      'the reset flag does not travel with the batches',
    );
    assert.equal(await watermark(), changesOf(out[5]!).to);
  });

  it('never splits customers changed at the same instant across batches', async () => {
    systems.bc.reset(); // the seed: every customer has the same modification time
    const { out, statuses } = await load({ storeFile: storeFile() });
    trigger();
    await upToDate(statuses);
    assert.deepEqual(out.map(numbersOf), [NUMBERS]);
    assert.equal(changesOf(out[0]!).last, true);
  });

  it('reports a missing sync store as CONFIG, to Catch when set so', async () => {
    await load({ storeFile: storeFile(), store: '', errorHandling: 'catch' });
    const caught = collect('caught');
    trigger();
    await until(() => caught.length === 1, 'the caught error');
    const error = caught[0]!._error as { code: string; message: string; system: string };
    assert.deepEqual(
      [error.code, error.system, error.message],
      ['CONFIG', 'erp', 'no sync store is selected on this node'],
    );
  });
});
