import assert from 'node:assert/strict';
import { externalDocumentKey } from '../../nodes/lib/sync/create-order';
import type { DeadLetter, LinkGroup } from '../../nodes/lib/store/ports';
import { BC_SEED, type FaultRule } from '../../sandbox';
import { FaultInjector } from '../../sandbox/kit/faults';
import { seededRandom } from '../support/separate-processes';
import { buildDataset, type Dataset, type Row } from './data';
import { DEFAULT_FAULT_SHARES, faultRules } from './fault-rules';
import { verify, type StoreSnapshot } from './verify';

const REASONS: Record<string, (id: string) => [string, string]> = {
  prospect: (id) => ['REJECTED', `customer crm=${id}: it is a prospect; only customers go to erp`],
  cityTooLong: (id) => [
    'VALIDATION',
    `customer crm=${id} has 1 invalid field: address.city is 36 characters long; the limit is 30`,
  ],
  draft: (id) => ['REJECTED', `order ${id} has status draft; only signed, won go to the ERP`],
  customerNotLinked: (id) => [
    'REJECTED',
    `customer crm=x of order ${id} is not linked to erp; sync the customer first`,
  ],
};

interface EndState {
  bc: { companies: Array<{ id: string; entities: Record<string, Row[]> }> };
  dataverse: { entities: Record<string, Row[]> };
  store: StoreSnapshot;
}

function link(entity: string, ids: Record<string, string>): LinkGroup {
  return { entity, linkId: `${entity}-${ids.crm}`, ids, createdAt: '', updatedAt: '' };
}

function deadLetter(operation: string, key: string, kind: string, id: string): DeadLetter {
  const [code, reason] = REASONS[kind]!(id);
  return {
    id: `dl-${key}`,
    entity: '',
    operation,
    source: 'crm',
    key,
    payload: {},
    message: {},
    code,
    reason,
  } as DeadLetter;
}

const latest = (rows: Row[]): string =>
  rows
    .map((row) => String(row.modifiedon))
    .sort()
    .at(-1)!;

/** The end state a flawless run leaves behind. */
function flawless(dataset: Dataset): EndState {
  const customers: Row[] = [];
  const salesOrders: Row[] = [];
  const salesOrderLines: Row[] = [];
  const store: StoreSnapshot = {
    customerLinks: [],
    orderLinks: [],
    deadLetters: [],
    watermarks: { customers: '', orders: '' },
  };
  const numbers = new Map<string, string>();
  for (const [index, account] of dataset.accounts.entries()) {
    if (account.kind !== 'customer') {
      store.deadLetters.push(deadLetter('upsert-customer', `crm:${account.id}`, account.kind, account.id));
      continue;
    }
    const number = `C${String(index).padStart(5, '0')}`;
    numbers.set(account.id, number);
    customers.push({ number, email: account.email });
    store.customerLinks.push(link('customer', { crm: account.id, erp: number }));
  }
  const products = new Map(dataset.products.map((product) => [product.productid, product.productnumber]));
  const crmOrders = dataset.orders.map((order, index) => {
    if (order.kind !== 'won') {
      store.deadLetters.push(deadLetter('create-order', order.id, order.kind, order.id));
      return order.row;
    }
    const number = `S-ORD${index}`;
    const id = `bc-order-${index}`;
    salesOrders.push({
      id,
      number,
      externalDocumentNumber: externalDocumentKey(order.id),
      customerNumber: numbers.get(order.accountId),
    });
    for (const line of order.lines) {
      salesOrderLines.push({
        documentId: id,
        lineObjectNumber: products.get(line._productid_value),
        quantity: line.quantity,
      });
    }
    store.orderLinks.push(link('order', { crm: order.id, erp: number }));
    return { ...order.row, new_erpordernumber: number };
  });
  const accounts = dataset.accounts.map((account) => account.row);
  store.watermarks = { customers: `${latest(accounts)}#digest`, orders: latest(crmOrders) };
  return {
    bc: { companies: [{ id: BC_SEED.companyId, entities: { customers, salesOrders, salesOrderLines } }] },
    dataverse: { entities: { accounts, salesorders: crmOrders } },
    store,
  };
}

describe('fault suite checks', () => {
  const dataset = buildDataset(60, 20, 7);
  const check = (state: EndState) => verify(dataset, BC_SEED.companyId, state.bc, state.dataverse, state.store);
  const entities = (state: EndState) => state.bc.companies[0]!.entities;
  const [firstCustomer, secondCustomer] = dataset.accounts.filter((account) => account.kind === 'customer');

  it('draws every kind of record and passes a flawless end state', () => {
    const kinds = new Set([...dataset.accounts, ...dataset.orders].map((record) => record.kind));
    assert.deepEqual([...kinds].sort(), ['cityTooLong', 'customer', 'customerNotLinked', 'draft', 'prospect', 'won']);
    assert.deepEqual(check(flawless(dataset)).violations, []);
  });

  it('names duplicates, lost records and missing links', () => {
    const state = flawless(dataset);
    const customers = entities(state).customers!;
    customers.push({ ...customers[0]!, number: 'C99999' });
    entities(state).salesOrders!.shift();
    state.store.customerLinks = state.store.customerLinks.filter(
      (candidate) => candidate.ids.crm !== secondCustomer!.id,
    );
    const verdict = check(state);
    assert.deepEqual(verdict.duplicates, { customers: 1, orders: 0 });
    const text = verdict.violations.join('\n');
    assert.match(text, /customer duplicated in Business Central \(1\)/);
    assert.match(text, /duplicate customers in Business Central \(1\): customer\d+@faults\.example: C\d+, C99999/);
    assert.match(text, /won order lost: not in Business Central \(1\)/);
    assert.match(
      text,
      new RegExp(`customer not linked to its Business Central record \\(1\\): ${secondCustomer!.id} → no link`),
    );
    assert.match(text, /order link to a erp record that does not exist \(1\): S-ORD0/);
  });

  it('names dead letters left for written records, and dead letters without a reason naming the record', () => {
    const state = flawless(dataset);
    state.store.deadLetters.push(
      deadLetter('upsert-customer', `crm:${firstCustomer!.id}`, 'prospect', firstCustomer!.id),
    );
    const prospect = state.store.deadLetters.find(
      (letter) => letter.key.startsWith('crm:') && letter.code === 'REJECTED',
    )!;
    prospect.reason = 'rejected';
    const text = check(state).violations.join('\n');
    assert.match(
      text,
      new RegExp(
        `dead letter left for a record that is in Business Central \\(1\\): upsert-customer crm:${firstCustomer!.id}`,
      ),
    );
    assert.match(text, /prospect: dead letter without the expected reason .*: fa170000-\S+: REJECTED rejected/);
  });

  it('names watermarks beyond or behind the last change and links to records that do not exist', () => {
    const state = flawless(dataset);
    state.store.watermarks.customers = '2999-01-01T00:00:00Z';
    state.store.watermarks.orders = '2000-01-01T00:00:00Z';
    state.store.orderLinks.push(link('order', { crm: 'fa170001-0000-4000-8000-999999999999', erp: 'S-ORD-NONE' }));
    const text = check(state).violations.join('\n');
    assert.match(text, /watermark beyond the last change \(1\): customers: 2999-01-01T00:00:00Z >/);
    assert.match(text, /watermark behind the last change \(feed not up to date\) \(1\): orders:/);
    assert.match(text, /order link to a crm record that does not exist \(1\)/);
    assert.match(text, /order link to a erp record that does not exist \(1\): S-ORD-NONE/);
  });
});

describe('fault suite fault rules', () => {
  it('fail each share of the requests, at most one failure per request', () => {
    const injector = new FaultInjector(faultRules('/api/*'), seededRandom(11));
    const counts: Record<string, number> = {};
    const requests = 50_000;
    for (let request = 0; request < requests; request += 1) {
      const { failure, latencyMs } = injector.plan('GET', '/api/accounts');
      const kind =
        failure === undefined
          ? 'none'
          : failure.kind === 'status'
            ? String(failure.status)
            : failure.kind === 'reset'
              ? `reset ${failure.phase}`
              : failure.kind;
      counts[kind] = (counts[kind] ?? 0) + 1;
      if (latencyMs > 0) counts.latency = (counts.latency ?? 0) + 1;
    }
    const share = (kind: string) => (counts[kind] ?? 0) / requests;
    const shares = DEFAULT_FAULT_SHARES;
    const expected: Record<string, number> = {
      429: shares.throttled,
      502: shares.gatewayErrors / 3,
      503: shares.gatewayErrors / 3,
      504: shares.gatewayErrors / 3,
      500: shares.serverErrors,
      'reset before': shares.resetBefore,
      'reset after': shares.resetAfter,
    };
    for (const [kind, wanted] of Object.entries(expected)) {
      assert.ok(Math.abs(share(kind) - wanted) < 0.01, `${kind}: ${share(kind)} instead of ${wanted}`);
    }
    assert.ok(Math.abs(share('latency') - 2 * shares.spikes) < 0.005, `latency: ${share('latency')}`);
    assert.ok(faultRules('/x').every((rule: FaultRule) => rule.path === '/x'));
  });
});
