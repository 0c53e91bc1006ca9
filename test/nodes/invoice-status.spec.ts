import assert from 'node:assert/strict';
import { join } from 'node:path';
import connectionNode from '../../nodes/crmerp-connection';
import invoiceStatusNode from '../../nodes/crmerp-invoice-status';
import storeNode from '../../nodes/crmerp-store';
import { localIsoDate } from '../../nodes/lib/invoice-status';
import type { StoreNode } from '../../nodes/runtime/store-config';
import {
  DATAVERSE_SEED,
  startBcEmulator,
  startDataverseEmulator,
  type BcEmulator,
  type DataverseEmulator,
} from '../../sandbox';
import { collect, helper, nextMessage, observers, until, type FlowNode, type ReceivedMsg } from '../support/node-red';
import { tempDir } from '../support/tmp';
import { authorization, http, type Entity } from '../sandbox/helpers';

const TAB = 'tab';
const NODE = 'invoices';
const nodes = [connectionNode, storeNode, invoiceStatusNode];
const FABRIKAM = DATAVERSE_SEED.accountId(1);
const ALPINE = DATAVERSE_SEED.accountId(3);
const CONTOSO_ORDER = DATAVERSE_SEED.salesOrderId(2);
const SUMMARY_COLUMNS = {
  openBalance: 'new_openbalance',
  overdueBalance: 'new_overduebalance',
  oldestDueDate: 'new_oldestduedate',
  invoicesCheckedAt: 'new_invoicescheckedat',
};

interface Invoice {
  invoiceNumber: string;
  status: string;
  amount: number;
  remainingAmount: number;
  dueDate: string;
  daysOverdue: number;
  currency: string;
}

interface Summary {
  count: number;
  currency?: string;
  openBalance: number;
  overdueBalance: number;
  oldestDueDate: string | null;
  overdueCount: number;
}

type Payload = { invoices: Invoice[]; summary: Summary };

function daysSince(isoDate: string): number {
  return Math.round((Date.parse(`${localIsoDate()}T00:00:00Z`) - Date.parse(`${isoDate}T00:00:00Z`)) / 86_400_000);
}

describe('invoice status node', () => {
  const dir = tempDir('invoice-status');
  let bc: BcEmulator;
  let dataverse: DataverseEmulator;
  let fileCounter = 0;

  before(async () => {
    [bc, dataverse] = await Promise.all([startBcEmulator(), startDataverseEmulator()]);
  });
  afterEach(async () => {
    await helper.unload();
    bc.reset();
    dataverse.reset();
  });
  after(async () => {
    await Promise.all([bc.close(), dataverse.close()]);
    dir.remove();
  });

  function flow(settings: Record<string, unknown>, crmCustomFields: Record<string, string> = SUMMARY_COLUMNS) {
    const catchOnly = settings.errorHandling === 'catch';
    const flowNodes: FlowNode[] = [
      ...observers(TAB, NODE),
      {
        id: 'store',
        type: 'crmerp-store',
        backend: 'sqlite',
        file: join(dir.path, `invoices-${fileCounter++}.db`),
        synchronous: 'normal',
      },
      {
        id: 'erp-conn',
        type: 'crmerp-connection',
        system: 'erp',
        driver: 'bc-api',
        baseUrl: bc.url,
        tenant: bc.tenant,
        environment: 'production',
        company: 'CRONUS International Ltd.',
        authType: 'oauth2',
        tokenUrl: bc.tokenUrl,
        scope: '',
        tlsVerify: true,
        timeout: '10',
      },
      {
        id: 'crm-conn',
        type: 'crmerp-connection',
        system: 'crm',
        driver: 'dataverse',
        baseUrl: dataverse.url,
        authType: 'oauth2',
        tokenUrl: dataverse.tokenUrl,
        scope: '',
        tlsVerify: true,
        timeout: '10',
        customFields: JSON.stringify(crmCustomFields),
        erpSystem: 'erp',
        erpNumberColumn: 'new_erpcustomerno',
      },
      {
        id: NODE,
        type: 'crmerp-invoice-status',
        z: TAB,
        erp: 'erp-conn',
        store: 'store',
        lookupBy: 'invoice',
        system: '',
        systemType: 'str',
        recordId: 'payload',
        recordIdType: 'msg',
        errorHandling: 'outputs',
        writeSummary: false,
        crm: 'crm-conn',
        crmFields: Object.keys(SUMMARY_COLUMNS),
        ...settings,
        wires: catchOnly ? [['out1']] : [['out1'], ['out2']],
      },
      { id: 'out1', type: 'helper', z: TAB },
      { id: 'out2', type: 'helper', z: TAB },
    ];
    return flowNodes;
  }

  async function load(settings: Record<string, unknown>, crmCustomFields?: Record<string, string>) {
    await helper.load(nodes, flow(settings, crmCustomFields), {
      'erp-conn': { clientId: bc.clientId, clientSecret: bc.clientSecret },
      'crm-conn': { clientId: dataverse.clientId, clientSecret: dataverse.clientSecret },
    });
  }

  async function link(entity: string, ids: Record<string, string>): Promise<void> {
    const store = await (helper.getNode('store') as unknown as StoreNode).getStore();
    await store.link({ entity, ids }, { replace: false });
  }

  function send(payload: unknown, output = 'out1'): Promise<ReceivedMsg> {
    const out = nextMessage(output);
    helper.getNode(NODE).receive({ payload });
    return out;
  }

  /** Creates a sales order in Business Central and posts it, which makes an open invoice. */
  async function postOrder(customerNumber: string, lines: Array<{ lineObjectNumber: string; quantity: number }>) {
    const headers = await authorization(bc);
    const company = `${bc.apiUrl}/companies(${bc.companyId})`;
    const order = await http(`${company}/salesOrders`, {
      method: 'POST',
      headers,
      body: { customerNumber, salesOrderLines: lines },
    });
    assert.equal(order.status, 201, order.text);
    const posted = await http(`${company}/salesOrders(${String(order.body.id)})/Microsoft.NAV.shipAndInvoice`, {
      method: 'POST',
      headers,
    });
    assert.equal(posted.status, 204, posted.text);
  }

  describe('by invoice number', () => {
    const cases: Array<[string, string, Partial<Invoice>]> = [
      ['PS-INV103001', 'open', { amount: 1250, remainingAmount: 1250, currency: 'USD', daysOverdue: 0 }],
      ['PS-INV103002', 'partiallyPaid', { amount: 3000, remainingAmount: 1000, currency: 'EUR', daysOverdue: 0 }],
      ['PS-INV103003', 'paid', { amount: 1800, remainingAmount: 0, currency: 'EUR', daysOverdue: 0 }],
      ['PS-INV103004', 'overdue', { amount: 4200, remainingAmount: 4200, currency: 'CHF' }],
      ['PS-INV103005', 'cancelled', { amount: 960, remainingAmount: 0, currency: 'GBP', daysOverdue: 0 }],
    ];
    for (const [number, status, expected] of cases) {
      it(`reports ${number} as ${status}, with its summary`, async () => {
        await load({ lookupBy: 'invoice' });
        const msg = await send(number);
        const { invoices, summary } = msg.payload as Payload;
        assert.equal(invoices.length, 1);
        const [invoice] = invoices;
        assert.equal(invoice?.invoiceNumber, number);
        assert.equal(invoice?.status, status);
        for (const [field, value] of Object.entries(expected)) assert.equal(invoice?.[field as keyof Invoice], value);
        const open = status !== 'paid' && status !== 'cancelled';
        assert.deepEqual(summary, {
          count: 1,
          currency: expected.currency,
          openBalance: open ? expected.remainingAmount : 0,
          overdueBalance: status === 'overdue' ? expected.remainingAmount : 0,
          oldestDueDate: open ? invoice?.dueDate : null,
          overdueCount: status === 'overdue' ? 1 : 0,
        });
        if (status === 'overdue') {
          assert.ok((invoice?.daysOverdue ?? 0) >= 19, 'PS-INV103004 is due 20 days ago');
          assert.equal(invoice?.daysOverdue, daysSince(invoice?.dueDate ?? ''));
        }
        const customerNumbers: Record<string, string> = {
          USD: '10000',
          EUR: number === 'PS-INV103002' ? '20000' : '30000',
          CHF: '40000',
          GBP: '50000',
        };
        assert.deepEqual(msg.erp, { system: 'erp', customer: customerNumbers[expected.currency ?? ''] });
      });
    }
  });

  it('finds a customer through its link from a CRM id, also from a record with ids', async () => {
    await load({ lookupBy: 'customer', system: 'crm' });
    await link('customer', { crm: FABRIKAM, erp: '20000' });
    const completed = collect('completed');
    const msg = await send(FABRIKAM);
    const { invoices, summary } = msg.payload as Payload;
    assert.deepEqual(
      invoices.map((invoice) => [invoice.invoiceNumber, invoice.status]),
      [['PS-INV103002', 'partiallyPaid']],
    );
    assert.equal(summary.openBalance, 1000);
    assert.deepEqual(msg.erp, { system: 'erp', customer: '20000' });
    const fromRecord = await send({ ids: { crm: FABRIKAM }, name: 'Fabrikam GmbH' });
    assert.deepEqual(fromRecord.erp, { system: 'erp', customer: '20000' });
    await until(() => completed.length === 2, 'two completions');
  });

  it('finds the invoices of an order through its link', async () => {
    await load({ lookupBy: 'order', system: 'crm' });
    await link('order', { crm: CONTOSO_ORDER, erp: 'S-ORD101000' });
    const msg = await send(CONTOSO_ORDER);
    const { invoices } = msg.payload as Payload;
    assert.deepEqual(
      invoices.map((invoice) => [invoice.invoiceNumber, invoice.status]),
      [['PS-INV103003', 'paid']],
    );
    assert.deepEqual(msg.erp, { system: 'erp', customer: '30000' });
  });

  it('sends an id that is not linked to output 2 with NOT_FOUND naming the record and both systems', async () => {
    await load({ lookupBy: 'customer', system: 'crm' });
    const msg = await send(ALPINE, 'out2');
    const error = msg.error as { code: string; message: string; system: string; retryable: boolean };
    assert.equal(error.code, 'NOT_FOUND');
    assert.equal(error.message, `customer crm=${ALPINE} is not linked to erp`);
    assert.equal(error.retryable, false);
  });

  it('sends the same failure only to Catch when set to', async () => {
    await load({ lookupBy: 'customer', system: 'crm', errorHandling: 'catch' });
    const outputs = collect('out1');
    const caught = nextMessage('caught');
    helper.getNode(NODE).receive({ payload: ALPINE });
    const msg = await caught;
    assert.equal((msg.error as { code: string }).code, 'NOT_FOUND');
    assert.equal((msg._error as { message: string }).message, `customer crm=${ALPINE} is not linked to erp`);
    assert.equal(outputs.length, 0);
  });

  it('sums a customer with several invoices exactly', async () => {
    await postOrder('40000', [{ lineObjectNumber: '1900-S', quantity: 2 }]);
    await postOrder('40000', [{ lineObjectNumber: '1906-S', quantity: 1 }]);
    await load({ lookupBy: 'customer' });
    const msg = await send('40000');
    const { invoices, summary } = msg.payload as Payload;
    assert.deepEqual(
      invoices.map((invoice) => [invoice.invoiceNumber, invoice.status, invoice.remainingAmount]),
      [
        ['PS-INV103004', 'overdue', 4200],
        ['PS-INV103007', 'open', 385.6],
        ['PS-INV103008', 'open', 281.4],
      ],
    );
    assert.deepEqual(summary, {
      count: 3,
      currency: 'CHF',
      openBalance: 4867,
      overdueBalance: 4200,
      oldestDueDate: invoices[0]?.dueDate,
      overdueCount: 1,
    });
  });

  it('answers a customer the ERP does not know with NOT_FOUND', async () => {
    await load({ lookupBy: 'customer' });
    const msg = await send('99999', 'out2');
    assert.equal((msg.error as { message: string }).message, 'customer erp=99999 was not found in erp');
  });

  it('writes the summary to the linked Dataverse account, readable through the API', async () => {
    await load({ lookupBy: 'customer', writeSummary: true });
    await link('customer', { crm: FABRIKAM, erp: '20000' });
    const before = Date.now();
    const msg = await send('20000');
    const { invoices } = msg.payload as Payload;
    const crm = msg.crm as { system: string; id: string; fields: Record<string, unknown> };
    assert.equal(crm.system, 'crm');
    assert.equal(crm.id, FABRIKAM);
    const account = await http<Entity>(`${dataverse.apiUrl}/accounts(${FABRIKAM})`, {
      headers: await authorization(dataverse),
    });
    assert.equal(account.status, 200, account.text);
    assert.equal(account.body.new_openbalance, 1000);
    assert.equal(account.body.new_overduebalance, 0);
    assert.equal(account.body.new_oldestduedate, invoices[0]?.dueDate);
    const checkedAt = Date.parse(String(account.body.new_invoicescheckedat));
    assert.ok(checkedAt >= before - 1000 && checkedAt <= Date.now(), String(account.body.new_invoicescheckedat));
    assert.equal(crm.fields.invoicesCheckedAt, account.body.new_invoicescheckedat);
  });

  it('refuses to write when the CRM connection maps no column for a chosen field', async () => {
    await load({ lookupBy: 'customer', writeSummary: true }, { openBalance: 'new_openbalance' });
    await link('customer', { crm: FABRIKAM, erp: '20000' });
    const msg = await send('20000', 'out2');
    const error = msg.error as { code: string; message: string; system: string };
    assert.equal(error.code, 'CONFIG');
    assert.equal(error.system, 'crm');
    assert.match(error.message, /maps no column for overdueBalance, oldestDueDate, invoicesCheckedAt/);
  });

  it('answers a batch id by id: results on output 1, the unknown one on output 2, none lost', async () => {
    await load({ lookupBy: 'invoice' });
    const ok = nextMessage('out1');
    const failed = nextMessage('out2');
    helper.getNode(NODE).receive({ payload: ['PS-INV103001', 'PS-INV999999', { ids: { erp: 'PS-INV103004' } }] });
    const results = (await ok).payload as Array<{ index: number; id: string; ok: boolean; summary: Summary }>;
    assert.deepEqual(
      results.map((result) => [result.index, result.id, result.ok]),
      [
        [0, 'PS-INV103001', true],
        [2, 'PS-INV103004', true],
      ],
    );
    assert.equal(results[1]?.summary.overdueBalance, 4200);
    const failure = await failed;
    assert.deepEqual(failure.payload, [
      {
        index: 1,
        id: 'PS-INV999999',
        ok: false,
        error: {
          code: 'NOT_FOUND',
          message: 'invoice erp=PS-INV999999 was not found in erp',
          system: 'erp',
          retryable: false,
        },
      },
    ]);
    assert.match((failure.error as { message: string }).message, /^1 of 3 invoice look-ups failed: invoice erp=PS-INV/);
  });

  it('shows connecting, then counts, and a red ring with the code after a failure', async () => {
    await load({ lookupBy: 'invoice' });
    const statuses = collect('statuses');
    await send('PS-INV103001');
    await send('PS-INV103002');
    await send('PS-INV000000', 'out2');
    await until(() => statuses.length === 6, 'six status updates');
    assert.deepEqual(
      statuses.map((msg) => {
        const status = msg.status as { fill: string; shape: string; text: string };
        // In tests the texts are catalogue keys, cut to the status length.
        return [status.fill, status.shape, status.text.replace('crmerp-invoice-status.status.', '')];
      }),
      [
        ['yellow', 'ring', 'co…'],
        ['green', 'dot', '1 ok'],
        ['blue', 'dot', 'wo…'],
        ['green', 'dot', '2 ok'],
        ['blue', 'dot', 'wo…'],
        ['red', 'ring', 'NOT_FOUND'],
      ],
    );
  });

  it('refuses to write the summary of anything but a customer, which would overwrite its balance with a part', async () => {
    await load({ lookupBy: 'order', writeSummary: true });
    const msg = await send('S-ORD101000', 'out2');
    const error = msg.error as { code: string; message: string };
    assert.equal(error.code, 'CONFIG');
    assert.equal(error.message, 'the summary can only be written to the CRM when looking up by customer');
  });

  it('reports a missing ERP connection as CONFIG', async () => {
    await load({ erp: '' });
    const msg = await send('PS-INV103001', 'out2');
    assert.deepEqual(msg.error, {
      code: 'CONFIG',
      message: 'no ERP connection is selected on this node',
      system: 'input',
      retryable: false,
    });
  });
});
