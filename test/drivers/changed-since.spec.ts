/** The change feeds of both OData drivers (customers, orders, invoices), against the emulators over loopback. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { SyncError } from '../../nodes/lib/errors';
import type { Customer } from '../../nodes/lib/model/types.generated';
import type { ChangedSince, CustomerPort, SystemDriver, SystemRecord } from '../../nodes/lib/ports';
import { BC_SEED, DATAVERSE_SEED } from '../../sandbox';
import { authorization, http } from '../sandbox/helpers';
import { startSystems, type Systems } from '../support/systems';

async function pagesOf(port: CustomerPort, since: string | undefined, pageSize: number) {
  const pages: Array<Array<SystemRecord<Customer>>> = [];
  for await (const page of port.changedSince!(since, pageSize)) pages.push(page);
  return pages;
}

function isInTimeOrder(records: Array<SystemRecord<Customer>>): boolean {
  return records.every(
    (record, index) => index === 0 || Date.parse(record.modifiedAt!) >= Date.parse(records[index - 1]!.modifiedAt!),
  );
}

/** Waits into the next second: Dataverse keeps modifiedon to the second. */
function nextSecond(): Promise<void> {
  return sleep(1005 - (Date.now() % 1000));
}

describe('customers changed since a watermark', function () {
  this.timeout(20_000);
  let systems: Systems;

  before(async () => {
    systems = await startSystems();
  });
  after(() => systems.close());

  const cases: Array<{
    driver: 'bc-api' | 'dataverse';
    port: () => CustomerPort;
    system: () => SystemDriver;
    reset: () => void;
    seeded: Array<string | undefined>;
    /** Moves the clock past the watermark's precision before a change. */
    tick: () => Promise<void>;
  }> = [
    {
      driver: 'bc-api',
      port: () => systems.erp.customers!,
      system: () => systems.erp,
      reset: () => systems.bc.reset(),
      seeded: ['10000', '20000', '30000', '40000', '50000', '60000', '70000', '80000'],
      tick: () => sleep(5),
    },
    {
      driver: 'dataverse',
      port: () => systems.crm.customers!,
      system: () => systems.crm,
      reset: () => systems.dataverse.reset(),
      // Accounts 1 to 6 carry the ERP numbers 20000, 30000, none, none, 70000, none.
      seeded: ['20000', '30000', undefined, undefined, '70000', undefined],
      tick: nextSecond,
    },
  ];

  for (const { driver, port, system, reset, seeded, tick } of cases) {
    describe(driver, () => {
      beforeEach(() => reset());

      it('reads every seeded customer on an initial load, oldest change first, in pages of the size asked for', async () => {
        const pages = await pagesOf(port(), undefined, 3);
        const fullPages = Math.floor(seeded.length / 3);
        assert.deepEqual(
          pages.map((page) => page.length),
          [...Array<number>(fullPages).fill(3), ...(seeded.length % 3 === 0 ? [] : [seeded.length % 3])],
        );
        const records = pages.flat();
        assert.deepEqual(
          records.map((record) => record.data.ids[systems.erp.system]),
          seeded,
        );
        assert.ok(records.every((record) => typeof record.modifiedAt === 'string'));
        assert.ok(isInTimeOrder(records));
      });

      it('after one customer changes, reads just that one, with a newer modification time', async () => {
        const initial = (await pagesOf(port(), undefined, 100)).flat();
        const watermark = initial.at(-1)!.modifiedAt!;
        const atWatermark = (await pagesOf(port(), watermark, 100)).flat();
        assert.ok(
          atWatermark.every((record) => record.modifiedAt === watermark),
          'nothing changed yet: only the records stamped with the watermark itself',
        );
        await tick();
        const changed = initial[1]!;
        await port().update(changed.id, { phone: '+49 30 5550199' });
        const records = (await pagesOf(port(), watermark, 100)).flat().filter((r) => r.modifiedAt !== watermark);
        assert.deepEqual(
          records.map((record) => [record.id, record.data.phone]),
          [[changed.id, '+49 30 5550199']],
        );
        assert.ok(Date.parse(records[0]!.modifiedAt!) > Date.parse(watermark));
        assert.deepEqual(
          (await pagesOf(port(), records[0]!.modifiedAt, 100)).flat().map((record) => record.id),
          [changed.id],
          'inclusive: the record at the watermark is read again, and nothing older',
        );
      });

      it('refuses a watermark that is not an ISO 8601 date-time, before sending anything', async () => {
        const error = await pagesOf(port(), "2026-01-01' or 1 eq 1", 10).then(
          () => assert.fail('expected VALIDATION'),
          (failure: unknown) => failure,
        );
        assert.ok(error instanceof SyncError);
        assert.equal(error.code, 'VALIDATION');
        assert.equal(error.system, system().system);
        assert.match(error.message, /is not an ISO 8601 date-time/);
      });
    });
  }
});

type FeedPort<T> = { changedSince?: ChangedSince<T> } | undefined;

/** Every page a port's change feed yields. */
async function feedPages<T>(port: FeedPort<T>, since: string | undefined, pageSize: number) {
  assert.ok(port?.changedSince, 'the port has a change feed');
  const pages: Array<Array<SystemRecord<T>>> = [];
  for await (const page of port.changedSince(since, pageSize)) pages.push(page);
  return pages;
}

/** The records changed after `watermark`: the feed is inclusive, so what carries the watermark's time is left out. */
async function changedAfter<T>(port: FeedPort<T>, watermark: string) {
  return (await feedPages(port, watermark, 100)).flat().filter((record) => record.modifiedAt !== watermark);
}

function lastChange(records: Array<SystemRecord<unknown>>): string {
  const last = records.at(-1)?.modifiedAt;
  assert.ok(last, 'records carry their modification time');
  return last;
}

describe('orders and invoices changed since a watermark', function () {
  this.timeout(20_000);
  let systems: Systems;
  let countRequests: (emulator: 'bc' | 'dataverse', path: string) => () => number;

  before(async () => {
    systems = await startSystems();
    countRequests = (emulator, path) => {
      const { faults } = systems[emulator];
      const budget = 10_000;
      faults.add({ kind: 'latency', latencyMs: 0, path, method: 'GET', count: budget });
      return () => budget - (faults.list().find((rule) => rule.kind === 'latency' && rule.path === path)?.count ?? 0);
    };
  });
  after(() => systems.close());
  beforeEach(() => {
    systems.bc.reset();
    systems.dataverse.reset();
    systems.bc.faults.clear();
    systems.dataverse.faults.clear();
  });

  /** Sends one request to an emulator's API with a fresh token. */
  async function callApi(emulator: 'bc' | 'dataverse', method: string, path: string, body?: unknown) {
    const target = systems[emulator];
    const headers = { ...(await authorization(target)), Accept: 'application/json' };
    const response = await http(`${target.apiUrl}/${path}`, { method, headers, ...(body !== undefined && { body }) });
    assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${response.text}`);
    return response;
  }

  describe('Business Central sales orders', () => {
    it('reads every order with its lines on an initial load, oldest change first, in pages of the size asked for', async () => {
      const pages = await feedPages(systems.erp.orders, undefined, 2);
      assert.deepEqual(
        pages.map((page) => page.length),
        [2, 1],
      );
      const orders = pages.flat();
      assert.deepEqual(
        orders.map((order) => [order.number, order.data.externalDocumentNumber ?? null, order.data.status]),
        [
          ['S-ORD101001', 'PO-FAB-4711', 'open'],
          ['S-ORD101002', 'ADT-2024-118', 'draft'],
          ['S-ORD101003', null, 'open'],
        ],
      );
      assert.deepEqual(
        orders[0]!.data.lines.map((line) => [line.itemNumber, line.quantity]),
        [
          ['1896-S', 2],
          ['1900-S', 4],
        ],
      );
      assert.ok(orders.every((order) => order.etag && order.modifiedAt === order.data.modifiedAt));
    });

    it('after an order is created, reads just that one, with its lines', async () => {
      const watermark = lastChange((await feedPages(systems.erp.orders, undefined, 100)).flat());
      assert.deepEqual(await changedAfter(systems.erp.orders, watermark), [], 'nothing changed yet');
      await sleep(5);
      const created = await systems.erp.orders!.create({
        customerNumber: '20000',
        externalDocumentNumber: 'FEED-1',
        orderDate: '2026-11-20',
        lines: [{ itemNumber: '1906-S', quantity: 3 }],
        useSourcePrices: false,
      });
      const changed = await changedAfter(systems.erp.orders, watermark);
      assert.deepEqual(
        changed.map((order) => [order.number, order.data.externalDocumentNumber]),
        [[created.number, 'FEED-1']],
      );
      assert.deepEqual(
        changed[0]!.data.lines.map((line) => [line.itemNumber, line.quantity]),
        [['1906-S', 3]],
      );
    });
  });

  describe('Business Central sales invoices', () => {
    it('reads the posted invoices with their payment status and leaves out drafts', async () => {
      const invoices = (await feedPages(systems.erp.invoices, undefined, 4)).flat();
      assert.deepEqual(
        invoices.map((invoice) => [invoice.number, invoice.data.status]),
        [
          ['PS-INV103001', 'open'],
          ['PS-INV103002', 'partiallyPaid'],
          ['PS-INV103003', 'paid'],
          ['PS-INV103004', 'overdue'],
          ['PS-INV103005', 'cancelled'],
          ['PS-INV103006', 'overdue'],
        ],
      );
      assert.ok(invoices.every((invoice) => invoice.id && invoice.etag && invoice.modifiedAt));
      assert.equal(invoices[3]!.data.currency, 'CHF');
      assert.equal(invoices[2]!.data.currency, 'EUR', 'the blank code is the local currency');
    });

    it('after an order is posted, reads its new invoice', async () => {
      const watermark = lastChange((await feedPages(systems.erp.invoices, undefined, 100)).flat());
      await sleep(5);
      await callApi(
        'bc',
        'POST',
        `companies(${BC_SEED.companyId})/salesOrders(bc00a000-0000-4000-8000-000000101001)/Microsoft.NAV.shipAndInvoice`,
      );
      const changed = await changedAfter(systems.erp.invoices, watermark);
      assert.deepEqual(
        changed.map((invoice) => [invoice.number, invoice.data.order?.number, invoice.data.status]),
        [['PS-INV103007', 'S-ORD101001', 'open']],
      );
    });
  });

  describe('Dataverse sales orders', () => {
    it('reads every order with its products as lines, one query for the lines of a page', async () => {
      const lineQueries = countRequests('dataverse', '*/salesorderdetails');
      const pages = await feedPages(systems.crm.orders, undefined, 2);
      assert.deepEqual(
        pages.map((page) => page.length),
        [2, 1],
      );
      assert.equal(lineQueries(), 2, 'one query per page, not one per order');
      assert.deepEqual(
        pages
          .flat()
          .map((order) => [
            order.number,
            order.data.status,
            order.data.customer.ids?.crm,
            order.data.lines.map((line) => `${line.quantity} × ${line.itemNumber}`),
          ]),
        [
          ['ORD-01001-F4K2P8', 'draft', DATAVERSE_SEED.accountId(1), ['12 × 1908-S']],
          ['ORD-01002-H7M3Q1', 'submitted', DATAVERSE_SEED.accountId(2), ['4 × 1896-S', '6 × 1900-S']],
          ['ORD-01003-R2D2C3', 'won', DATAVERSE_SEED.accountId(3), ['2 × 1920-S']],
        ],
      );
    });

    it('delivers a new order without products with no lines, and an order again once it changed', async () => {
      const watermark = lastChange((await feedPages(systems.crm.orders, undefined, 100)).flat());
      await nextSecond();
      await callApi('dataverse', 'POST', 'salesorders', {
        name: 'Empty order',
        'customerid_account@odata.bind': `/accounts(${DATAVERSE_SEED.accountId(1)})`,
      });
      await systems.crm.orders!.setExternalNumber!(DATAVERSE_SEED.salesOrderId(3), 'S-ORD101099');
      const changed = await changedAfter(systems.crm.orders, watermark);
      assert.equal(changed.length, 2, JSON.stringify(changed));
      const alpine = changed.find((order) => order.id === DATAVERSE_SEED.salesOrderId(3));
      const empty = changed.find((order) => order.id !== DATAVERSE_SEED.salesOrderId(3));
      assert.deepEqual(
        alpine?.data.lines.map((line) => line.itemNumber),
        ['1920-S'],
      );
      assert.match(empty?.number ?? '', /^ORD-01004-/);
      assert.deepEqual(empty?.data.lines, [], 'delivered, for validation to name, rather than left out');
    });
  });

  describe('Dataverse invoices', () => {
    it('reads every invoice with its payment status', async () => {
      const invoices = (await feedPages(systems.crm.invoices, undefined, 1)).flat();
      assert.deepEqual(
        invoices.map((invoice) => [invoice.id, invoice.number, invoice.data.status]),
        [
          [DATAVERSE_SEED.invoiceId(1), 'INV-01001-W8N4T6', 'overdue'],
          [DATAVERSE_SEED.invoiceId(2), 'INV-01002-Z5B7J9', 'paid'],
        ],
      );
      assert.ok(invoices.every((invoice) => invoice.etag && invoice.modifiedAt));
    });

    it('after an invoice is paid, reads just that one as paid', async () => {
      const watermark = lastChange((await feedPages(systems.crm.invoices, undefined, 100)).flat());
      await nextSecond();
      await callApi('dataverse', 'PATCH', `invoices(${DATAVERSE_SEED.invoiceId(1)})`, {
        statecode: 2,
        statuscode: 100001,
      });
      const changed = await changedAfter(systems.crm.invoices, watermark);
      assert.deepEqual(
        changed.map((invoice) => [invoice.number, invoice.data.status, invoice.data.remainingAmount]),
        [['INV-01001-W8N4T6', 'paid', 0]],
      );
    });
  });
});
