import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { SyncStore } from '../../nodes/lib/store';
import {
  DATAVERSE_SEED,
  startBcEmulator,
  startDataverseEmulator,
  type BcEmulator,
  type DataverseEmulator,
} from '../../sandbox';
import request from 'supertest';
import { flowNodeModules, httpNode, loadRepositoryFlows, useSandbox } from '../support/flow-runner';
import { helper, until } from '../support/node-red';
import { tempDir } from '../support/tmp';

type Msg = Record<string, unknown> & { payload?: unknown; error?: { code: string; message: string } };

/**
 * Every tab of flows/ as `npm start` deploys it, against the sandbox systems, checking the end
 * state in both systems. Start-up injections fire as they do under `npm start`.
 */
describe('flows: CRM ⇄ ERP scenarios against the sandbox', function () {
  this.timeout(60_000);
  const dir = tempDir('flows');
  let bc: BcEmulator;
  let dataverse: DataverseEmulator;
  let restoreEnv: () => void;
  let received: Map<string, Msg[]>;
  let flows: ReturnType<typeof loadRepositoryFlows>;

  before(async () => {
    [bc, dataverse] = await Promise.all([startBcEmulator(), startDataverseEmulator()]);
    restoreEnv = useSandbox({ bc, dataverse });
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    restoreEnv();
    await Promise.all([bc.close(), dataverse.close()]);
    dir.remove();
  });
  afterEach(() => helper.unload());

  async function load(): Promise<SyncStore> {
    flows = loadRepositoryFlows({ 'crmerp-store-local': { file: join(dir.path, `sync-${Date.now()}.db`) } });
    // Start-up injections are fired by the test, one scenario at a time.
    for (const node of flows) if (node.type === 'inject') node.once = false;
    await helper.load(flowNodeModules(), flows);
    received = new Map();
    for (const node of flows.filter((n) => n.type === 'debug')) {
      const list: Msg[] = [];
      received.set(`${node.z as string}/${node.name as string}`, list);
      helper.getNode(node.id).on('input', (msg: Msg) => list.push(msg));
    }
    return (helper.getNode('crmerp-store-local') as unknown as { getStore(): Promise<SyncStore> }).getStore();
  }

  function tab(label: string): string {
    const found = flows.find((n) => n.type === 'tab' && n.label === label);
    assert.ok(found, `flows/ has a tab "${label}"`);
    return found.id;
  }

  function press(tabLabel: string, injectName: string): void {
    const z = tab(tabLabel);
    const inject = flows.find((n) => n.type === 'inject' && n.z === z && n.name === injectName);
    assert.ok(inject, `tab "${tabLabel}" has an inject "${injectName}"`);
    helper.getNode(inject.id).receive({});
  }

  function debugOf(tabLabel: string, name: string): Msg[] {
    const list = received.get(`${tab(tabLabel)}/${name}`);
    assert.ok(list, `tab "${tabLabel}" has a debug node "${name}"`);
    return list;
  }

  /** Presses a tab's inject and waits until its read changes node says it is up to date. */
  async function runSync(tabLabel: string): Promise<{ written: Msg[]; failed: Msg[] }> {
    const z = tab(tabLabel);
    const reader = flows.find((n) => n.type === 'crmerp-read-changes' && n.z === z)!;
    const written = debugOf(tabLabel, 'written');
    const failed = debugOf(tabLabel, 'rejected or failed');
    const [writtenBefore, failedBefore] = [written.length, failed.length];
    const done = new Promise<void>((resolve) => {
      // The test helper reports every status call as a 'call:status' event.
      const node = helper.getNode(reader.id) as unknown as NodeJS.EventEmitter;
      const listener = (call: { args: Array<{ text?: string }> }) => {
        if (call.args[0]?.text?.includes('status.done')) {
          node.removeListener('call:status', listener);
          resolve();
        }
      };
      node.on('call:status', listener);
    });
    press(tabLabel, 'every 5 minutes');
    await done;
    return { written: written.slice(writtenBefore), failed: failed.slice(failedBefore) };
  }

  function results(messages: Msg[]): Array<{ result: string; ids: Record<string, string> }> {
    return messages.flatMap((m) => m.payload as Array<{ result: string; ids: Record<string, string> }>);
  }

  it('syncs customers both ways, rejects prospects, and then nothing moves', async () => {
    const store = await load();
    const first = await runSync('Customers CRM → ERP');
    const toErp = results(first.written);
    assert.ok(toErp.length >= 5, JSON.stringify(toErp));
    assert.ok(
      first.failed.some((m) => /Relecloud|prospect/.test(m.error?.message ?? '')),
      'the prospect is rejected',
    );
    assert.equal((await store.lookup('customer', 'crm', 'acc00000-0000-4000-8000-000000000001'))?.ids.erp, '20000');
    assert.equal(await store.lookup('customer', 'crm', 'acc00000-0000-4000-8000-000000000006'), undefined);

    const back = await runSync('ERP-led fields ERP → CRM');
    const toCrm = results(back.written);
    assert.ok(
      toCrm.some((r) => r.result === 'created' && r.ids.erp === '10000'),
      'Adatum is created in the CRM',
    );
    const state = (await (await fetch(`${dataverse.url}/_admin/state`)).json()) as {
      entities: {
        accounts: Array<{
          new_erpcustomerno?: string;
          address1_line1?: string;
          new_paymentterms?: string;
          creditonhold?: boolean;
        }>;
      };
    };
    const bcState = (await (await fetch(`${bc.url}/_admin/state`)).json()) as {
      companies: Array<{
        entities: {
          customers: Array<{ number: string; addressLine1: string; paymentTermsId: string; blocked: string }>;
          paymentTerms: Array<{ id: string; code: string }>;
        };
      }>;
    };
    const erp = bcState.companies[0]!.entities;
    const fabrikamInBc = erp.customers.find((c) => c.number === '20000');
    const fabrikamInCrm = state.entities.accounts.find((a) => a.new_erpcustomerno === '20000');
    assert.equal(fabrikamInCrm?.address1_line1, fabrikamInBc?.addressLine1, 'the ERP leads the address');
    for (const customer of erp.customers) {
      const account = state.entities.accounts.find((a) => a.new_erpcustomerno === customer.number);
      const terms = erp.paymentTerms.find((t) => t.id === customer.paymentTermsId)?.code;
      assert.deepEqual(
        [account?.new_paymentterms ?? null, account?.creditonhold],
        [terms ?? null, customer.blocked.trim() !== ''],
        `payment terms and blocking of ERP customer ${customer.number} are in the CRM`,
      );
    }

    // The CRM accounts the ERP side just wrote come back as changes: our own writes, so nothing moves.
    const settled = await runSync('Customers CRM → ERP');
    const moved = results(settled.written).filter((r) => r.result !== 'unchanged');
    assert.deepEqual(moved, []);
  });

  it('reads the changed CRM orders, creates the won one in the ERP once with its lines, and rejects the others', async () => {
    // From a clean start, so Alpine Ski House carries no ERP number from an earlier scenario.
    bc.reset();
    dataverse.reset();
    const store = await load();
    const tabLabel = 'Signed orders CRM → ERP';
    const [fabrikamOrder, contosoOrder, alpineOrder] = [1, 2, 3].map((n) => DATAVERSE_SEED.salesOrderId(n)) as [
      string,
      string,
      string,
    ];
    // The customers tab links Alpine Ski House at start; here it is linked to its BC customer directly.
    await store.link(
      { entity: 'customer', ids: { crm: 'acc00000-0000-4000-8000-000000000003', erp: '40000' } },
      { replace: false },
    );

    const first = await runSync(tabLabel);
    const created = results(first.written) as unknown as Array<{ result: string; sourceId: string; number: string }>;
    assert.deepEqual(
      created.map((r) => [r.result, r.sourceId]),
      [['created', alpineOrder]],
    );
    const erpNumber = created[0]!.number;
    const reasons = first.failed.flatMap((m) =>
      ((m.error as { details?: { items?: Array<{ message: string }> } }).details?.items ?? []).map((i) => i.message),
    );
    assert.deepEqual(
      [fabrikamOrder, contosoOrder].map((id) => reasons.filter((reason) => reason.includes(id))),
      [
        [`record 0 (order ${fabrikamOrder}) has status draft; only signed, won go to the ERP`],
        [`record 1 (order ${contosoOrder}) has status submitted; only signed, won go to the ERP`],
      ],
    );

    const erpState = async () =>
      (
        (await (await fetch(`${bc.url}/_admin/state`)).json()) as {
          companies: Array<{
            entities: {
              salesOrders: Array<{
                id: string;
                number: string;
                externalDocumentNumber: string;
                customerNumber: string;
              }>;
              salesOrderLines: Array<{ documentId: string; lineObjectNumber: string; quantity: number }>;
            };
          }>;
        }
      ).companies[0]!.entities;
    const crmState = async () =>
      (
        (await (await fetch(`${dataverse.url}/_admin/state`)).json()) as {
          entities: { salesorders: Array<{ salesorderid: string; new_erpordernumber: string | null }> };
        }
      ).entities.salesorders;
    const erp = await erpState();
    const mine = erp.salesOrders.filter(
      (o) => o.externalDocumentNumber === alpineOrder.replace(/-/g, '').toUpperCase(),
    );
    assert.deepEqual(
      mine.map((o) => [o.number, o.customerNumber]),
      [[erpNumber, '40000']],
      'exactly one ERP order for the won CRM order',
    );
    assert.deepEqual(
      erp.salesOrderLines.filter((l) => l.documentId === mine[0]!.id).map((l) => [l.lineObjectNumber, l.quantity]),
      [['1920-S', 2]],
    );
    const crm = await crmState();
    assert.deepEqual(
      crm.map((o) => [o.salesorderid, o.new_erpordernumber]),
      [
        [fabrikamOrder, null],
        [contosoOrder, null],
        [alpineOrder, erpNumber],
      ],
    );

    // Running the tab again: the write-back made the won order a change, which now finds its link.
    const second = await runSync(tabLabel);
    assert.deepEqual(
      results(second.written).map((r) => r.result),
      ['existing'],
    );
    const third = await runSync(tabLabel);
    assert.deepEqual([third.written, third.failed], [[], []], 'nothing left to read');
    assert.deepEqual(await erpState(), erp, 'no second ERP order');
    assert.deepEqual(await crmState(), crm, 'the CRM orders are as they were');
  });

  it('writes the invoice summary of every linked customer to its CRM account', async () => {
    const store = await load();
    await store.link(
      { entity: 'customer', ids: { crm: 'acc00000-0000-4000-8000-000000000001', erp: '20000' } },
      { replace: false },
    );
    await store.link(
      { entity: 'customer', ids: { crm: 'acc00000-0000-4000-8000-000000000005', erp: '70000' } },
      { replace: false },
    );
    const written = debugOf('Invoice status ERP → CRM', 'summaries written');
    press('Invoice status ERP → CRM', 'nightly 02:00');
    await until(() => written.length === 1, 'the nightly batch');
    const results = written[0]!.payload as Array<{
      ok: boolean;
      summary: { openBalance: number; overdueBalance: number };
    }>;
    assert.equal(results.length, 2);
    const state = (await (await fetch(`${dataverse.url}/_admin/state`)).json()) as {
      entities: { accounts: Array<{ accountid: string; new_openbalance?: number; new_overduebalance?: number }> };
    };
    const tailspin = state.entities.accounts.find((a) => a.accountid === 'acc00000-0000-4000-8000-000000000005');
    assert.deepEqual([tailspin?.new_openbalance, tailspin?.new_overduebalance], [295, 295]);
    const fabrikam = state.entities.accounts.find((a) => a.accountid === 'acc00000-0000-4000-8000-000000000001');
    assert.deepEqual([fabrikam?.new_openbalance, fabrikam?.new_overduebalance], [1000, 0]);
  });

  it('answers the live overview endpoint from the ERP, and 404 for an unlinked account', async () => {
    const store = await load();
    await store.link(
      { entity: 'customer', ids: { crm: 'acc00000-0000-4000-8000-000000000001', erp: '20000' } },
      { replace: false },
    );
    const ok = await request(httpNode() as never).get('/crmerp/accounts/acc00000-0000-4000-8000-000000000001/overview');
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const overview = ok.body as {
      erpCustomer: string;
      summary: { openBalance: number };
      invoices: Array<{ status: string }>;
    };
    assert.equal(overview.erpCustomer, '20000');
    assert.equal(overview.summary.openBalance, 1000);
    assert.deepEqual(
      overview.invoices.map((i) => i.status),
      ['partiallyPaid'],
    );
    const missing = await request(httpNode() as never)
      .get('/crmerp/accounts/acc00000-0000-4000-8000-000000000006/overview')
      .expect(404);
    assert.equal((missing.body as { error: string }).error, 'NOT_FOUND', missing.text);
  });
});
