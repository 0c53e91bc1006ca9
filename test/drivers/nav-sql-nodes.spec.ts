/**
 * The nodes on a nav-sql connection whose SQL Server path is broken: every failure reaches the node's
 * error output or a Catch node, the runtime stays up, and the next message finds the server again.
 */
import assert from 'node:assert/strict';
import connectionNode from '../../nodes/crmerp-connection';
import invoiceStatusNode from '../../nodes/crmerp-invoice-status';
import { collect, helper, nextMessage, observers, until, type FlowNode } from '../support/node-red';
import { startFaultyServer, watchProcess, type FaultyServer } from '../sql/faulty-server';

const TAB = 'tab';
const NODE = 'invoices';
const CANARY = 'Canary-Secret-7f3a';

describe('nodes on a nav-sql connection with SQL Server faults', function () {
  this.timeout(20_000);
  let server: FaultyServer;
  let watch: ReturnType<typeof watchProcess>;

  beforeEach(async () => {
    server = await startFaultyServer('reset');
    watch = watchProcess();
  });
  afterEach(async () => {
    await helper.unload();
    watch.stop();
    await server.close();
    assert.deepEqual(watch.problems, [], 'nothing escaped as an uncaught exception');
  });

  function flow(errorHandling: 'outputs' | 'catch'): FlowNode[] {
    return [
      ...observers(TAB, NODE),
      {
        id: 'nav-conn',
        type: 'crmerp-connection',
        system: 'nav',
        driver: 'nav-sql',
        server: '127.0.0.1',
        port: String(server.port),
        database: 'NAV',
        sqlAuth: 'sql',
        encrypt: false,
        tlsVerify: false,
        timeout: '5',
        connectTimeout: '2',
        sqlMode: 'nav',
        company: 'CRONUS International Ltd.',
      },
      {
        id: NODE,
        type: 'crmerp-invoice-status',
        z: TAB,
        erp: 'nav-conn',
        lookupBy: 'customer',
        system: '',
        systemType: 'str',
        recordId: 'payload',
        recordIdType: 'msg',
        errorHandling,
        writeSummary: false,
        wires: errorHandling === 'catch' ? [['out1']] : [['out1'], ['out2']],
      },
      { id: 'out1', type: 'helper', z: TAB },
      { id: 'out2', type: 'helper', z: TAB },
    ];
  }

  it('sends each failure to the error output with the contract’s error, and tries again on the next message', async () => {
    await helper.load([connectionNode, invoiceStatusNode], flow('outputs'), {
      'nav-conn': { user: 'crm', password: CANARY },
    });
    const first = nextMessage('out2');
    helper.getNode(NODE).receive({ payload: '10000' });
    const failed = await first;
    const error = failed.error as { code: string; system: string; retryable: boolean; message: string };
    assert.equal(error.code, 'TRANSIENT');
    assert.equal(error.system, 'nav');
    assert.equal(error.retryable, true);
    assert.match(error.message, /connecting to SQL Server 127\.0\.0\.1:\d+\/NAV failed/);
    assert.ok(!JSON.stringify(failed).includes(CANARY), 'the password never reaches a message');
    const connections = server.connections;
    const second = nextMessage('out2');
    helper.getNode(NODE).receive({ payload: '20000' });
    await second;
    assert.ok(server.connections > connections, 'the second message tried the server again');
  });

  it('reaches Catch nodes when the node has no error output, with the status turning red', async () => {
    await helper.load([connectionNode, invoiceStatusNode], flow('catch'), {
      'nav-conn': { user: 'crm', password: CANARY },
    });
    const caught = collect('caught');
    const statuses = collect('statuses');
    for (const payload of ['10000', '20000', '30000']) helper.getNode(NODE).receive({ payload });
    await until(() => caught.length === 3, 'three failures at the Catch node');
    for (const msg of caught) {
      assert.equal((msg._error as { code?: string } | undefined)?.code, 'TRANSIENT');
      assert.ok(!JSON.stringify(msg).includes(CANARY));
    }
    await until(() => statuses.some((s) => (s.status as { fill?: string }).fill === 'red'), 'a red status');
  });
});
