/** The create-order core against the BC and Dataverse emulators over loopback and a real SQLite store. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createBcApiDriver } from '../../nodes/drivers/bc-api';
import type { ConnectionConfig } from '../../nodes/drivers/connection';
import { createDataverseDriver } from '../../nodes/drivers/dataverse';
import { GovernorRegistry } from '../../nodes/drivers/http';
import type { SystemDriver } from '../../nodes/lib/ports';
import { openStore, type SyncStore } from '../../nodes/lib/store';
import {
  createOrder,
  createOrders,
  externalDocumentKey,
  parseItemTable,
  parseStatuses,
  type CreateOrderOptions,
  type OrderOutcome,
} from '../../nodes/lib/sync/create-order';
import {
  DATAVERSE_SEED,
  startBcEmulator,
  startDataverseEmulator,
  type BcEmulator,
  type DataverseEmulator,
} from '../../sandbox';
import { rejection } from '../http/support';
import { authorization, http } from '../sandbox/helpers';
import { bcLinesOf, bcOrdersWith, erpReadyOrder, storeLosingLinks } from '../support/orders';
import { tempDir } from '../support/tmp';

function connection(
  system: string,
  driver: ConnectionConfig['driver'],
  emulator: BcEmulator | DataverseEmulator,
): ConnectionConfig {
  return {
    system,
    driver,
    baseUrl: emulator.url,
    tenant: emulator.tenant,
    environment: 'production',
    company: 'CRONUS International Ltd.',
    auth: {
      type: 'oauth2',
      tokenUrl: emulator.tokenUrl,
      clientId: emulator.clientId,
      clientSecret: emulator.clientSecret,
      scope: '',
    },
    tlsVerify: true,
    timeoutMs: 5000,
    customFields: {},
    options: {},
  };
}

const DEPS = { governors: new GovernorRegistry(), retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 } };

describe('create order (core)', () => {
  const dir = tempDir('create-order');
  let bc: BcEmulator;
  let dataverse: DataverseEmulator;
  let erp: SystemDriver;
  let crm: SystemDriver;
  let store: SyncStore;
  let storeCount = 0;

  before(async () => {
    [bc, dataverse] = await Promise.all([startBcEmulator(), startDataverseEmulator()]);
    erp = createBcApiDriver(connection('erp', 'bc-api', bc), DEPS);
    crm = createDataverseDriver(connection('crm', 'dataverse', dataverse), DEPS);
  });
  after(async () => {
    await Promise.all([erp.close(), crm.close()]);
    await Promise.all([bc.close(), dataverse.close()]);
    dir.remove();
  });
  beforeEach(async () => {
    bc.reset();
    dataverse.reset();
    store = await openStore({
      backend: 'sqlite',
      file: join(dir.path, `store-${storeCount++}.db`),
      synchronous: 'normal',
    });
  });
  afterEach(() => store.close());

  function options(overrides: Partial<CreateOrderOptions> = {}): CreateOrderOptions {
    return {
      source: 'crm',
      statuses: ['signed', 'won'],
      items: { table: {}, useLinks: false, unknown: 'keep' },
      useSourcePrices: false,
      lang: 'en',
      ...overrides,
    };
  }

  async function failure(input: unknown, settings: Partial<CreateOrderOptions> = {}, index?: number) {
    return rejection(createOrder(erp, store, options(settings), input, index));
  }

  describe('the external document number', () => {
    it('is the source id when a Code[35] field keeps it unchanged', () => {
      assert.equal(externalDocumentKey('SO-2026-0042'), 'SO-2026-0042');
      assert.equal(externalDocumentKey('A'.repeat(35)), 'A'.repeat(35));
    });

    it('is a GUID without hyphens, in capitals', () => {
      assert.equal(
        externalDocumentKey(DATAVERSE_SEED.salesOrderId(2)),
        DATAVERSE_SEED.salesOrderId(2).replace(/-/g, '').toUpperCase(),
      );
    });

    it('is a stable CRM- hash of 35 characters for longer ids and ids BC would change', () => {
      for (const sourceId of ['A'.repeat(36), 'so-2026-0042', ' SO-1', 'Auftrag-Straße']) {
        const key = externalDocumentKey(sourceId);
        assert.match(key, /^CRM-[0-9A-F]{31}$/);
        assert.equal(externalDocumentKey(sourceId), key);
      }
      assert.notEqual(externalDocumentKey('so-1'), externalDocumentKey('SO-1'));
    });
  });

  describe('settings', () => {
    it('reads the item table and reports a broken one as CONFIG', () => {
      assert.deepEqual(parseItemTable('{"BIKE-RED":"1896-S"}', 'input'), { 'BIKE-RED': '1896-S' });
      assert.deepEqual(parseItemTable('', 'input'), {});
      assert.throws(() => parseItemTable('{"BIKE-RED":', 'input'), { code: 'CONFIG', message: /not valid JSON/ });
      assert.throws(() => parseItemTable('{"BIKE-RED":""}', 'input'), {
        code: 'CONFIG',
        message: /"BIKE-RED" has no ERP item number/,
      });
      assert.throws(() => parseItemTable('["1896-S"]', 'input'), {
        code: 'CONFIG',
        message: /must map CRM item codes/,
      });
    });

    it('needs at least one known status', () => {
      assert.deepEqual(parseStatuses(['won'], 'input'), ['won']);
      assert.throws(() => parseStatuses([], 'input'), { code: 'CONFIG', message: /no order status is selected/ });
      assert.throws(() => parseStatuses(['won', 'paid'], 'input'), {
        code: 'CONFIG',
        message: /unknown order status "paid"/,
      });
    });

    it('refuses an ERP that cannot create orders and a write-back the CRM cannot take', async () => {
      const noOrders = await rejection(createOrder(crm, store, options({ source: 'web' }), erpReadyOrder()));
      assert.equal(noOrders.code, 'CONFIG');
      assert.match(noOrders.message, /crm \(dataverse\) cannot create orders/);
      const bcAsCrm = createBcApiDriver(connection('crm', 'bc-api', bc), DEPS);
      const noWriteBack = await failure(erpReadyOrder(), { writeBack: { crm: bcAsCrm } });
      assert.match(noWriteBack.message, /crm \(bc-api\) cannot keep the ERP order number on its orders/);
      const otherSystem = await failure(erpReadyOrder(), { source: 'web', writeBack: { crm } });
      assert.match(otherSystem.message, /written back to the order's own system web, but the CRM connection is crm/);
      const badField = await failure(erpReadyOrder(), { writeBack: { crm, field: 'erp number' } });
      assert.match(badField.message, /"erp number" is not a field name/);
      assert.equal(bcOrdersWith(bc, 'SO-2026-0042').length, 0, 'nothing was written');
      await bcAsCrm.close();
    });
  });

  describe('idempotency', () => {
    it('creates the order with the source id as external document number and links it', async () => {
      const result = await createOrder(erp, store, options(), erpReadyOrder());
      assert.equal(result.result, 'created');
      assert.equal(result.number, 'S-ORD101004');
      assert.equal(result.status, 'draft');
      assert.equal(result.externalDocumentNumber, 'SO-2026-0042');
      assert.deepEqual(result.ids, { crm: 'SO-2026-0042', erp: 'S-ORD101004' });
      const link = await store.lookup('order', 'crm', 'SO-2026-0042');
      assert.equal(link?.linkId, result.linkId);
      assert.deepEqual(
        bcOrdersWith(bc, 'SO-2026-0042').map((order) => order.customerNumber),
        ['20000'],
      );
    });

    it('returns the existing ERP order for the same order sent again', async () => {
      const first = await createOrder(erp, store, options(), erpReadyOrder());
      const second = await createOrder(erp, store, options(), erpReadyOrder());
      assert.deepEqual({ ...second, result: 'created' }, first);
      assert.equal(second.result, 'existing');
      assert.equal(bcOrdersWith(bc, 'SO-2026-0042').length, 1);
    });

    it('finds and links the ERP order after a crash between the ERP write and the link write', async () => {
      const crashed = await rejection(createOrder(erp, storeLosingLinks(store), options(), erpReadyOrder()));
      assert.equal(
        crashed.message,
        'order SO-2026-0042 is erp order S-ORD101004, but linking the two failed; send the order again to link it: ' +
          'simulated crash between the ERP write and the link write',
      );
      assert.equal(bcOrdersWith(bc, 'SO-2026-0042').length, 1, 'the ERP has the order');
      assert.equal(await store.lookup('order', 'crm', 'SO-2026-0042'), undefined, 'but no link');

      const recovered = await createOrder(erp, store, options(), erpReadyOrder());
      assert.equal(recovered.result, 'existing');
      assert.equal(recovered.number, 'S-ORD101004');
      assert.equal(bcOrdersWith(bc, 'SO-2026-0042').length, 1, 'still one ERP order');
      assert.deepEqual((await store.lookup('order', 'crm', 'SO-2026-0042'))?.ids, {
        crm: 'SO-2026-0042',
        erp: 'S-ORD101004',
      });
    });

    it('creates one ERP order when the same order arrives twice at once', async () => {
      const results = await Promise.all([1, 2].map(() => createOrder(erp, store, options(), erpReadyOrder())));
      assert.deepEqual(results.map((r) => r.result).sort(), ['created', 'existing']);
      assert.equal(bcOrdersWith(bc, 'SO-2026-0042').length, 1);
    });

    it('keeps a long source id as a derived key and still finds the order again', async () => {
      const sourceId = `opportunity/2026/${'x'.repeat(40)}`;
      const first = await createOrder(erp, store, options(), erpReadyOrder({ sourceId }));
      assert.equal(first.externalDocumentNumber, externalDocumentKey(sourceId));
      assert.equal(bcOrdersWith(bc, first.externalDocumentNumber).length, 1);
      const again = await createOrder(erp, store, options(), erpReadyOrder({ sourceId }));
      assert.equal(again.result, 'existing');
    });

    it('does not adopt an unlinked ERP order of another customer that has the same external document number', async () => {
      await createOrder(erp, storeLosingLinks(store), options(), erpReadyOrder()).catch(() => undefined);
      const other = erpReadyOrder({ customer: { ids: { crm: 'A-3000', erp: '30000' } } });
      const conflict = await failure(other);
      assert.equal(conflict.code, 'CONFLICT');
      assert.match(
        conflict.message,
        /order SO-2026-0042: erp order S-ORD101004 already has the external document number SO-2026-0042 but is for customer 20000, not 30000/,
      );
      assert.equal(await store.lookup('order', 'crm', 'SO-2026-0042'), undefined);
    });

    it('answers from the link with status null once the ERP order is posted and gone', async () => {
      const created = await createOrder(erp, store, options(), erpReadyOrder());
      const company = `${bc.apiUrl}/companies(${bc.companyId})`;
      const [order] = bcOrdersWith(bc, 'SO-2026-0042') as Array<{ id?: string }>;
      const posted = await http(`${company}/salesOrders(${order?.id})/Microsoft.NAV.shipAndInvoice`, {
        method: 'POST',
        headers: await authorization(bc),
      });
      assert.equal(posted.status, 204);
      const again = await createOrder(erp, store, options(), erpReadyOrder());
      assert.deepEqual(
        [again.result, again.number, again.status, again.linkId],
        ['existing', 'S-ORD101004', null, created.linkId],
      );
      assert.equal(bcOrdersWith(bc, 'SO-2026-0042').length, 0, 'no second order');
    });
  });

  describe('lists', () => {
    afterEach(() => bc.faults.clear());

    afterEach(() => dataverse.faults.clear());

    /** Counts the requests an emulator receives (batch operations run inside their $batch request). */
    function countRequests(path: string, method: string, emulator: BcEmulator | DataverseEmulator = bc): () => number {
      const budget = 10_000;
      emulator.faults.add({ kind: 'latency', latencyMs: 0, path, method, count: budget });
      return () =>
        budget - (emulator.faults.list().find((rule) => rule.kind === 'latency' && rule.path === path)?.count ?? 0);
    }

    const results = (outcomes: readonly OrderOutcome[]) =>
      outcomes.map((outcome) => (outcome.ok ? outcome.result.result : outcome.error.message));

    const order = (sourceId: string, overrides: Record<string, unknown> = {}) =>
      erpReadyOrder({ sourceId, ...overrides });

    it('creates the new orders of a list in one $batch request, each with its lines, and nothing on a repeat', async () => {
      const batches = countRequests('*/$batch', 'POST');
      const singlePosts = countRequests('*/salesOrders', 'POST');
      const list = ['SO-L1', 'SO-L2', 'SO-L3', 'SO-L4', 'SO-L5'].map((sourceId) => order(sourceId));
      const outcomes = await createOrders(erp, store, options(), list);
      assert.deepEqual(
        outcomes.map((outcome) =>
          outcome.ok ? [outcome.result.result, outcome.result.sourceId] : outcome.error.message,
        ),
        list.map((input) => ['created', input.sourceId]),
      );
      assert.deepEqual([batches(), singlePosts()], [1, 0], 'one $batch carries all five orders');
      for (const outcome of outcomes) {
        assert.ok(outcome.ok);
        const { sourceId, number } = outcome.result;
        assert.equal(bcOrdersWith(bc, sourceId).length, 1);
        assert.deepEqual(
          bcLinesOf(bc, number).map(([item]) => item),
          ['1896-S', '1900-S'],
        );
        assert.equal((await store.lookup('order', 'crm', sourceId))?.ids.erp, number);
      }

      const again = await createOrders(erp, store, options(), list);
      assert.deepEqual(
        again.map((outcome) => (outcome.ok ? [outcome.result.result, outcome.result.number] : outcome.error.message)),
        outcomes.map((outcome) => (outcome.ok ? ['existing', outcome.result.number] : '')),
      );
      assert.deepEqual([batches(), singlePosts()], [1, 0], 'nothing is sent to be created again');
      assert.ok(list.every((input) => bcOrdersWith(bc, String(input.sourceId)).length === 1));
    });

    it('fails only the orders that fail, before or inside the batch, and creates the others', async () => {
      const batches = countRequests('*/$batch', 'POST');
      const list = [
        order('SO-OK-1'),
        order('SO-DRAFT', { status: 'draft' }),
        order('SO-BLOCKED', { customer: { ids: { erp: '60000' } } }),
        order('SO-NO-ITEM', { lines: [{ itemNumber: 'NO-SUCH', quantity: 1 }] }),
        order('SO-UNLINKED', { customer: { ids: { crm: 'A-404' } } }),
        order('SO-OK-2', { customer: { ids: { erp: '30000' } } }),
      ];
      const outcomes = await createOrders(erp, store, options(), list);
      const summary = outcomes.map((outcome) =>
        outcome.ok ? outcome.result.result : `${outcome.error.code}: ${outcome.error.message}`,
      );
      assert.equal(summary[0], 'created');
      assert.equal(summary[1], 'REJECTED: record 1 (order SO-DRAFT) has status draft; only signed, won go to the ERP');
      assert.match(summary[2]!, /^REJECTED: erp: order SO-BLOCKED: .*blocked/);
      assert.match(summary[3]!, /^VALIDATION: erp: order SO-NO-ITEM: .*NO-SUCH/);
      assert.equal(
        summary[4],
        'REJECTED: customer crm=A-404 of record 4 (order SO-UNLINKED) is not linked to erp; sync the customer first',
      );
      assert.equal(summary[5], 'created');
      assert.equal(batches(), 1, 'the two refused by BC travelled in the same $batch as the two created');
      assert.deepEqual(
        ['SO-OK-1', 'SO-DRAFT', 'SO-BLOCKED', 'SO-NO-ITEM', 'SO-UNLINKED', 'SO-OK-2'].map(
          (key) => bcOrdersWith(bc, key).length,
        ),
        [1, 0, 0, 0, 0, 1],
        'nothing half-written',
      );
      assert.equal(bcOrdersWith(bc, 'SO-OK-2')[0]?.customerNumber, '30000');
    });

    it('creates an order that appears twice in a list once; the repeat answers existing', async () => {
      const outcomes = await createOrders(erp, store, options(), [
        order('SO-TWICE'),
        order('SO-OTHER'),
        order('SO-TWICE'),
      ]);
      assert.deepEqual(
        outcomes.map((outcome) => (outcome.ok ? outcome.result.result : outcome.error.message)),
        ['created', 'created', 'existing'],
      );
      assert.equal(bcOrdersWith(bc, 'SO-TWICE').length, 1);
      const [first, , repeat] = outcomes;
      assert.ok(first?.ok && repeat?.ok);
      assert.equal(repeat.result.number, first.result.number);
    });

    it('links an order the ERP has but the store does not, instead of creating it again', async () => {
      await createOrder(erp, storeLosingLinks(store), options(), order('SO-LOST-LINK')).catch(() => undefined);
      const outcomes = await createOrders(erp, store, options(), [order('SO-LOST-LINK'), order('SO-NEW')]);
      assert.deepEqual(
        outcomes.map((outcome) => (outcome.ok ? outcome.result.result : outcome.error.message)),
        ['existing', 'created'],
      );
      assert.equal(bcOrdersWith(bc, 'SO-LOST-LINK').length, 1);
      assert.ok(await store.lookup('order', 'crm', 'SO-LOST-LINK'));
    });

    it('reports every order of a batch whose answer was lost as retryable, and creates each once when sent again', async () => {
      bc.faults.add({ kind: 'reset', path: '*/$batch', method: 'POST', count: 1 });
      const list = [order('SO-R1'), order('SO-R2')];
      const lost = await createOrders(erp, store, options(), list);
      for (const outcome of lost) {
        assert.ok(!outcome.ok);
        assert.equal(outcome.error.retryable, true, outcome.error.message);
        assert.match(
          outcome.error.message,
          /has no order with the external document number SO-R\d, so it can be sent again/,
        );
      }
      const resent = await createOrders(erp, store, options(), list);
      assert.deepEqual(
        resent.map((outcome) => (outcome.ok ? outcome.result.result : outcome.error.message)),
        ['created', 'created'],
      );
      assert.deepEqual(
        ['SO-R1', 'SO-R2'].map((key) => bcOrdersWith(bc, key).length),
        [1, 1],
      );
    });

    it('looks the orders of a list up by external document number in one query, new ones and repeats', async () => {
      const lookups = countRequests('*/salesOrders', 'GET');
      const list = ['SO-K1', 'SO-K2', 'SO-K3', 'SO-K4'].map((sourceId) => order(sourceId));
      const created = await createOrders(erp, store, options(), list);
      assert.deepEqual(results(created), ['created', 'created', 'created', 'created']);
      assert.equal(lookups(), 1, 'one query for the four keys before the $batch');
      const again = await createOrders(erp, store, options(), list);
      assert.deepEqual(
        again.map((outcome) => (outcome.ok ? [outcome.result.result, outcome.result.number] : outcome.error.message)),
        created.map((outcome) => ['existing', outcome.ok ? outcome.result.number : '']),
      );
      assert.equal(lookups(), 2, 'the four linked orders are read back in one query too');
    });

    it('looks each order up alone when the joint query fails', async () => {
      // The first query of salesOrders is answered 400, which is not retried.
      bc.faults.add({ kind: 'status', status: 400, path: '*/salesOrders', method: 'GET', count: 1 });
      const lookups = countRequests('*/salesOrders', 'GET');
      const outcomes = await createOrders(erp, store, options(), [order('SO-F1'), order('SO-F2'), order('SO-F3')]);
      assert.deepEqual(results(outcomes), ['created', 'created', 'created']);
      assert.equal(lookups(), 1 + 3, 'the failed joint query, then one per order');
      assert.deepEqual(
        ['SO-F1', 'SO-F2', 'SO-F3'].map((key) => bcOrdersWith(bc, key).length),
        [1, 1, 1],
      );
    });

    it('finds the orders BC created before the answer of their batch was lost, with one query', async () => {
      bc.faults.add({ kind: 'reset', phase: 'after', path: '*/$batch', method: 'POST', count: 1 });
      const lookups = countRequests('*/salesOrders', 'GET');
      const list = [order('SO-A1'), order('SO-A2'), order('SO-A3')];
      const outcomes = await createOrders(erp, store, options(), list);
      assert.deepEqual(results(outcomes), ['created', 'created', 'created']);
      assert.equal(lookups(), 2, 'one query before the $batch, one after its answer was lost');
      for (const outcome of outcomes) {
        assert.ok(outcome.ok);
        assert.equal(bcOrdersWith(bc, outcome.result.sourceId).length, 1);
        assert.equal((await store.lookup('order', 'crm', outcome.result.sourceId))?.ids.erp, outcome.result.number);
      }
    });

    it('splits more than 100 new orders into $batch requests of 100', async function () {
      this.timeout(30_000);
      const batches = countRequests('*/$batch', 'POST');
      const list = Array.from({ length: 101 }, (_, index) => order(`SO-BULK-${index}`));
      const outcomes = await createOrders(erp, store, options(), list);
      assert.equal(outcomes.filter((outcome) => outcome.ok && outcome.result.result === 'created').length, 101);
      assert.equal(batches(), 2);
      assert.equal(new Set(outcomes.map((outcome) => (outcome.ok ? outcome.result.number : ''))).size, 101);
    });

    it('creates one order after the other where the driver has no batch form', async () => {
      const batches = countRequests('*/$batch', 'POST');
      const singlePosts = countRequests('*/salesOrders', 'POST');
      const ports = erp.orders!;
      const withoutBatch: SystemDriver = {
        ...erp,
        orders: {
          create: (draft) => ports.create(draft),
          getById: (id) => ports.getById(id),
          findByExternalDocumentNumber: (key) => ports.findByExternalDocumentNumber(key),
        },
      };
      const outcomes = await createOrders(withoutBatch, store, options(), [order('SO-S1'), order('SO-S2')]);
      assert.deepEqual(
        outcomes.map((outcome) => (outcome.ok ? outcome.result.result : outcome.error.message)),
        ['created', 'created'],
      );
      assert.deepEqual([batches(), singlePosts()], [0, 2]);
    });

    it('writes each ERP number back to its CRM order', async () => {
      const contoso = erpReadyOrder({
        sourceId: DATAVERSE_SEED.salesOrderId(2),
        customer: { ids: { crm: DATAVERSE_SEED.accountId(2), erp: '30000' }, number: '30000' },
      });
      const alpine = erpReadyOrder({
        sourceId: DATAVERSE_SEED.salesOrderId(3),
        customer: { ids: { crm: DATAVERSE_SEED.accountId(3), erp: '40000' }, number: '40000' },
      });
      const outcomes = await createOrders(erp, store, options({ writeBack: { crm } }), [contoso, alpine]);
      const state = dataverse.state() as {
        entities: { salesorders: Array<{ salesorderid: string; new_erpordernumber?: string | null }> };
      };
      assert.deepEqual(
        outcomes.map((outcome) => (outcome.ok ? [outcome.result.writtenBack, outcome.result.number] : [])),
        [2, 3].map((index) => [
          true,
          state.entities.salesorders.find((row) => row.salesorderid === DATAVERSE_SEED.salesOrderId(index))
            ?.new_erpordernumber,
        ]),
      );
    });

    it('writes the ERP numbers of a list back with one query and one $batch; a failed write-back fails its order only', async () => {
      const reads = countRequests('*/salesorders', 'GET', dataverse);
      const batches = countRequests('*/$batch', 'POST', dataverse);
      const patches = countRequests('*/salesorders(*)', 'PATCH', dataverse);
      const list = [2, 3].map((index) =>
        erpReadyOrder({
          sourceId: DATAVERSE_SEED.salesOrderId(index),
          customer: { ids: { erp: '30000' }, number: '30000' },
        }),
      );
      // A sales order Dataverse does not have: its ERP order is created, writing its number back fails.
      const gone = erpReadyOrder({ sourceId: '0b0c0d0e-0000-4000-8000-00000000dead' });
      const outcomes = await createOrders(erp, store, options({ writeBack: { crm } }), [list[0], gone, list[1]]);
      assert.deepEqual(
        outcomes.map((outcome) => (outcome.ok ? outcome.result.writtenBack : outcome.error.system)),
        [true, 'crm', true],
      );
      const failed = outcomes[1]!;
      assert.ok(!failed.ok);
      assert.match(
        failed.error.message,
        /^record 1 \(order 0b0c0d0e-0000-4000-8000-00000000dead\) is erp order S-ORD\d+, but writing that number back to crm failed: /,
      );
      assert.equal((failed.error.details as { result: { result: string } }).result.result, 'created');
      assert.deepEqual([reads(), batches(), patches()], [1, 1, 0], 'one query, one $batch, no PATCH alone');

      const again = await createOrders(erp, store, options({ writeBack: { crm } }), list);
      assert.deepEqual(
        again.map((outcome) => (outcome.ok ? [outcome.result.result, outcome.result.writtenBack] : [])),
        [
          ['existing', true],
          ['existing', true],
        ],
      );
      assert.deepEqual([reads(), batches()], [2, 1], 'numbers already there are not written again');
    });
  });

  describe('rules', () => {
    it('rejects an order whose status does not go over, and writes nothing', async () => {
      const draft = await failure(erpReadyOrder({ status: 'draft' }));
      assert.equal(draft.code, 'REJECTED');
      assert.equal(draft.message, 'order SO-2026-0042 has status draft; only signed, won go to the ERP');
      assert.equal(bcOrdersWith(bc, 'SO-2026-0042').length, 0);
      assert.equal(await store.lookup('order', 'crm', 'SO-2026-0042'), undefined);
      const submitted = await createOrder(
        erp,
        store,
        options({ statuses: ['submitted'] }),
        erpReadyOrder({ status: 'submitted' }),
      );
      assert.equal(submitted.result, 'created');
    });

    it('finds the ERP customer by the customer link, or by the number on the order', async () => {
      await store.link({ entity: 'customer', ids: { crm: 'A-3000', erp: '30000' } }, { replace: false });
      await createOrder(
        erp,
        store,
        options(),
        erpReadyOrder({ sourceId: 'SO-1', customer: { ids: { crm: 'A-3000' } } }),
      );
      await createOrder(erp, store, options(), erpReadyOrder({ sourceId: 'SO-2', customer: { number: '50000' } }));
      assert.equal(bcOrdersWith(bc, 'SO-1')[0]?.customerNumber, '30000');
      assert.equal(bcOrdersWith(bc, 'SO-2')[0]?.customerNumber, '50000');
    });

    it('rejects an order whose customer is not linked', async () => {
      const unlinked = await failure(erpReadyOrder({ customer: { ids: { crm: 'A-404' } } }));
      assert.equal(unlinked.code, 'REJECTED');
      assert.equal(
        unlinked.message,
        'customer crm=A-404 of order SO-2026-0042 is not linked to erp; sync the customer first',
      );
      const nameless = await failure(erpReadyOrder({ customer: { ids: { web: 'W-1' } } }));
      assert.match(nameless.message, /order SO-2026-0042 names its customer by neither a crm id nor an erp number/);
      assert.equal(bcOrdersWith(bc, 'SO-2026-0042').length, 0);
    });

    it('translates item numbers by the table first, then by item links', async () => {
      await store.link({ entity: 'item', ids: { crm: 'CHAIR-BLK', erp: '1900-S' } }, { replace: false });
      await store.link({ entity: 'item', ids: { crm: 'DESK', erp: '1920-S' } }, { replace: false });
      const result = await createOrder(
        erp,
        store,
        options({ items: { table: { DESK: '1896-S' }, useLinks: true, unknown: 'reject' } }),
        erpReadyOrder({
          lines: [
            { itemNumber: 'DESK', quantity: 1 },
            { itemNumber: 'CHAIR-BLK', quantity: 4 },
            { itemNumber: 'CHAIR-BLK', quantity: 2 },
          ],
        }),
      );
      assert.deepEqual(
        bcLinesOf(bc, result.number).map(([item]) => item),
        ['1896-S', '1900-S', '1900-S'],
      );
    });

    it('rejects an order with items nobody translates when set to, listing every one', async () => {
      const untranslated = await failure(
        erpReadyOrder({
          lines: [
            { itemNumber: 'DESK', quantity: 1 },
            { itemNumber: '1900-S', quantity: 1 },
            { itemNumber: 'LAMP', quantity: 1 },
          ],
        }),
        { items: { table: { DESK: '1896-S' }, useLinks: true, unknown: 'reject' } },
      );
      assert.equal(untranslated.code, 'REJECTED');
      assert.equal(
        untranslated.message,
        'order SO-2026-0042: no erp item number for lines[1] "1900-S", lines[2] "LAMP" ' +
          '(neither in the item table nor linked); nothing was written',
      );
      assert.equal(bcOrdersWith(bc, 'SO-2026-0042').length, 0);
    });

    it('keeps untranslated item numbers when set to', async () => {
      const result = await createOrder(
        erp,
        store,
        options({ items: { table: { DESK: '1896-S' }, useLinks: false, unknown: 'keep' } }),
        erpReadyOrder({ lines: [{ itemNumber: '1906-S', quantity: 1 }] }),
      );
      assert.deepEqual(bcLinesOf(bc, result.number), [['1906-S', 281.4]]);
    });

    it('lets the ERP price the lines unless CRM prices are asked for', async () => {
      const erpPriced = await createOrder(erp, store, options(), erpReadyOrder({ sourceId: 'SO-1' }));
      assert.deepEqual(bcLinesOf(bc, erpPriced.number), [
        ['1896-S', 1000.8],
        ['1900-S', 192.8],
      ]);
      const crmPriced = await createOrder(
        erp,
        store,
        options({ useSourcePrices: true }),
        erpReadyOrder({ sourceId: 'SO-2', customer: { ids: { erp: '10000' } }, currency: 'USD' }),
      );
      assert.deepEqual(bcLinesOf(bc, crmPriced.number), [
        ['1896-S', 900],
        ['1900-S', 192.8],
      ]);
      assert.equal(bcOrdersWith(bc, 'SO-2')[0]?.currencyCode, 'USD');
    });
  });

  describe('validation', () => {
    it('names every failing field of an invalid order', async () => {
      const invalid = await failure(
        { ...erpReadyOrder(), lines: undefined, orderDate: '20.11.2026', status: 'signed-ish' },
        {},
        3,
      );
      assert.equal(invalid.code, 'VALIDATION');
      assert.match(invalid.message, /^record 3 \(order sourceId=SO-2026-0042\)/);
      assert.match(invalid.message, /lines/);
      assert.match(invalid.message, /orderDate/);
      assert.match(invalid.message, /status/);
      const fields = (invalid.details as { problems: Array<{ field: string }> }).problems.map((p) => p.field).sort();
      assert.deepEqual(fields, ['lines', 'orderDate', 'status']);
    });

    it('holds the order as sent to the NAV / BC field lengths', async () => {
      const longReference = await failure(erpReadyOrder({ externalDocumentNumber: 'PO-'.padEnd(40, '9') }));
      assert.equal(longReference.code, 'VALIDATION');
      assert.match(longReference.message, /externalDocumentNumber/);
      assert.deepEqual(
        (longReference.details as { problems: Array<{ limit: number }> }).problems.map((p) => p.limit),
        [35],
      );
      const longItem = await failure(erpReadyOrder({ lines: [{ itemNumber: 'SHORT', quantity: 1 }] }), {
        items: { table: { SHORT: 'A-VERY-LONG-ITEM-NUMBER-X' }, useLinks: false, unknown: 'keep' },
      });
      assert.match(longItem.message, /lines\[0\]\.itemNumber/);
      assert.equal(bcOrdersWith(bc, 'SO-2026-0042').length, 0);
    });
  });

  describe('write-back to Dataverse', () => {
    const salesOrderId = DATAVERSE_SEED.salesOrderId(2);
    const contosoOrder = () =>
      erpReadyOrder({
        sourceId: salesOrderId,
        customer: { ids: { crm: DATAVERSE_SEED.accountId(2), erp: '30000' }, number: '30000' },
      });
    const erpNumberOnSalesOrder = () => {
      const state = dataverse.state() as {
        entities: { salesorders: Array<{ salesorderid: string; new_erpordernumber?: string | null }> };
      };
      return state.entities.salesorders.find((row) => row.salesorderid === salesOrderId)?.new_erpordernumber;
    };

    it('keeps the ERP order number on the CRM sales order, again on every repeat', async () => {
      const result = await createOrder(erp, store, options({ writeBack: { crm } }), contosoOrder());
      assert.equal(result.writtenBack, true);
      assert.equal(result.externalDocumentNumber, salesOrderId.replace(/-/g, '').toUpperCase());
      assert.equal(erpNumberOnSalesOrder(), 'S-ORD101004');
      const again = await createOrder(erp, store, options({ writeBack: { crm } }), contosoOrder());
      assert.deepEqual([again.result, again.writtenBack], ['existing', true]);
    });

    it('reports a failed write-back with the ERP result, and repeats only the write-back', async () => {
      dataverse.faults.add({ kind: 'status', status: 500, path: '*salesorders*', method: 'PATCH', count: 10 });
      const failed = await rejection(createOrder(erp, store, options({ writeBack: { crm } }), contosoOrder()));
      assert.equal(failed.system, 'crm');
      assert.match(
        failed.message,
        new RegExp(`order ${salesOrderId} is erp order S-ORD101004, but writing that number back to crm failed`),
      );
      assert.equal((failed.details as { result: { result: string } }).result.result, 'created');
      dataverse.faults.clear();
      const repeated = await createOrder(erp, store, options({ writeBack: { crm } }), contosoOrder());
      assert.deepEqual([repeated.result, repeated.writtenBack], ['existing', true]);
      assert.equal(erpNumberOnSalesOrder(), 'S-ORD101004');
      assert.equal(bcOrdersWith(bc, repeated.externalDocumentNumber).length, 1);
    });
  });
});
