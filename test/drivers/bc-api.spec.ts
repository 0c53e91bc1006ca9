/** The Business Central API driver against the in-process BC emulator over loopback. */
import assert from 'node:assert/strict';
import { createBcApiDriver } from '../../nodes/drivers/bc-api';
import type { ConnectionConfig } from '../../nodes/drivers/connection';
import type { HttpDriverDeps } from '../../nodes/drivers/http-connection';
import { GovernorRegistry } from '../../nodes/drivers/http';
import { SyncError } from '../../nodes/lib/errors';
import type { Customer } from '../../nodes/lib/model/types.generated';
import type {
  CustomerPort,
  CustomerWrite,
  InvoicePort,
  OrderDraft,
  OrderPort,
  SystemDriver,
} from '../../nodes/lib/ports';
import { BC_SEED, startBcEmulator, type BcEmulator } from '../../sandbox/bc';

const CANARY = 'CANARY-bc-s3cr3t-4711';
const SYSTEM = 'erp';

/** Every log line and error of the suite, checked for the secret at the end. */
const logLines: string[] = [];
const seenErrors: unknown[] = [];

const FAST_RETRY: NonNullable<HttpDriverDeps['retry']> = {
  baseDelayMs: 5,
  maxDelayMs: 20,
  maxAttempts: 6,
  deadlineMs: 10_000,
};

function oauth(emulator: BcEmulator, clientSecret = emulator.clientSecret): ConnectionConfig['auth'] {
  return {
    type: 'oauth2',
    tokenUrl: emulator.tokenUrl,
    clientId: emulator.clientId,
    clientSecret,
    scope: emulator.scope,
  };
}

function configFor(emulator: BcEmulator, overrides: Partial<ConnectionConfig> = {}): ConnectionConfig {
  return {
    system: SYSTEM,
    driver: 'bc-api',
    baseUrl: emulator.url,
    tenant: emulator.tenant,
    environment: 'production',
    company: BC_SEED.companyName,
    auth: oauth(emulator),
    tlsVerify: true,
    timeoutMs: 5000,
    customFields: {},
    options: {},
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<SyncError> {
  try {
    await promise;
  } catch (error) {
    seenErrors.push(error);
    assert.ok(error instanceof SyncError, `expected a SyncError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

function customer(name: string, extra: Partial<Customer> = {}): Customer {
  return { ids: {}, name, ...extra };
}

function draft(externalDocumentNumber: string, extra: Partial<OrderDraft> = {}): OrderDraft {
  return {
    customerNumber: '20000',
    externalDocumentNumber,
    orderDate: '2025-03-01',
    lines: [{ itemNumber: '1896-S', quantity: 2 }],
    useSourcePrices: false,
    ...extra,
  };
}

describe('bc-api driver', function () {
  this.timeout(20_000);
  let emulator: BcEmulator;
  const drivers: SystemDriver[] = [];

  function driverFor(overrides: Partial<ConnectionConfig> = {}, deps: HttpDriverDeps = {}): SystemDriver {
    const driver = createBcApiDriver(configFor(emulator, overrides), {
      governors: new GovernorRegistry(),
      log: (level, message) => logLines.push(`${level}: ${message}`),
      retry: FAST_RETRY,
      ...deps,
    });
    drivers.push(driver);
    return driver;
  }

  /** Counts the requests the emulator receives on a path (a latency rule of 0 ms used up per request). */
  function countRequests(path: string, method = 'GET'): () => number {
    const budget = 10_000;
    emulator.faults.add({ kind: 'latency', latencyMs: 0, path, method, count: budget });
    return () => {
      const rule = emulator.faults.list().find((candidate) => candidate.kind === 'latency' && candidate.path === path);
      return budget - (rule?.count ?? 0);
    };
  }

  let customers: CustomerPort;
  let orders: OrderPort;
  let invoices: InvoicePort;

  before(async () => {
    emulator = await startBcEmulator({ clientSecret: CANARY });
  });

  after(async () => {
    await emulator.close();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.faults.clear();
    const driver = driverFor();
    customers = driver.customers!;
    orders = driver.orders!;
    invoices = driver.invoices!;
  });

  afterEach(async () => {
    await Promise.all(drivers.splice(0).map((driver) => driver.close()));
  });

  it('declares what Business Central can do', () => {
    const driver = driverFor();
    assert.equal(driver.driver, 'bc-api');
    assert.equal(driver.system, SYSTEM);
    assert.deepEqual(driver.capabilities, {
      customers: {
        read: true,
        write: true,
        upsertByNumber: false,
        naturalKeys: ['taxId', 'email', 'namePostCode'],
        // No lifecycle in BC, and custom fields only where the connection maps some.
        fields: [
          'name',
          'taxId',
          'email',
          'phone',
          'website',
          'address',
          'currency',
          'paymentTerms',
          'creditLimit',
          'blocked',
        ],
      },
      orders: { read: true, create: true },
      invoices: { read: true },
      batchSize: 100,
    });
    assert.equal(driver.customers?.upsertByNumber, undefined);
  });

  describe('customers', () => {
    it('reads a customer by id and by number into the canonical model', async () => {
      const byId = await customers.getById(BC_SEED.customerId('10000'));
      const byNumber = await customers.getByNumber('10000');
      assert.ok(byId && byNumber);
      assert.deepEqual(byNumber, byId);
      assert.equal(byId.id, BC_SEED.customerId('10000'));
      assert.equal(byId.number, '10000');
      assert.match(byId.etag ?? '', /^W\/"/);
      assert.ok(byId.modifiedAt);
      const { modifiedAt, ...data } = byId.data;
      assert.equal(modifiedAt, byId.modifiedAt);
      assert.deepEqual(data, {
        ids: { [SYSTEM]: '10000' },
        name: 'Adatum Corporation',
        email: 'ar@adatum.com',
        phone: '+1 404 555 0199',
        address: { line1: '192 Market Square', city: 'Atlanta', county: 'GA', postCode: '31772', country: 'US' },
        currency: 'USD',
        paymentTerms: '30 DAYS',
        creditLimit: 25000,
        blocked: 'none',
      });
    });

    it('leaves the local currency out and maps blocked and the tax id', async () => {
      const fabrikam = await customers.getByNumber('20000');
      assert.equal(fabrikam?.data.currency, undefined);
      assert.equal(fabrikam?.data.taxId, 'DE123456789');
      assert.equal((await customers.getByNumber('60000'))?.data.blocked, 'all');
      assert.equal((await customers.getByNumber('70000'))?.data.blocked, 'ship');
    });

    it('answers undefined for unknown customers and refuses ids that are not GUIDs', async () => {
      assert.equal(await customers.getByNumber('99999'), undefined);
      assert.equal(await customers.getById('bc00c000-0000-4000-8000-000000099999'), undefined);
      const error = await rejection(customers.getById('10000'));
      assert.equal(error.code, 'VALIDATION');
      assert.match(error.message, /not a Business Central id/);
    });

    it('finds candidates by tax id, email, and name with post code', async () => {
      const byTaxId = await customers.findByNaturalKey('taxId', customer('x', { taxId: 'DE123456789' }));
      assert.deepEqual(
        byTaxId.map((record) => record.number),
        ['20000'],
      );
      const byEmail = await customers.findByNaturalKey('email', customer('x', { email: 'office@contoso.at' }));
      assert.deepEqual(
        byEmail.map((record) => record.number),
        ['30000'],
      );
      const byName = await customers.findByNaturalKey(
        'namePostCode',
        customer('Northwind Traders Ltd.', { address: { postCode: 'ec2r 8ej' } }),
      );
      assert.deepEqual(
        byName.map((record) => record.number),
        ['50000'],
      );
      assert.deepEqual(await customers.findByNaturalKey('taxId', customer('no tax id')), []);
    });

    it('looks the e-mails of many customers up in a few requests, each filter on one field', async () => {
      const quirky = "o'brien@pub.example";
      await customers.create(customer("O'Brien's Pub", { email: quirky }));
      const wanted = [
        customer('x', { email: 'office@contoso.at' }),
        customer('y', { email: quirky }),
        customer('no e-mail'),
        ...Array.from({ length: 120 }, (_, index) =>
          customer(`n${index}`, { email: `nobody${index}@nowhere.example` }),
        ),
      ];
      const lookups = countRequests('*/customers');
      const found = await customers.findAnyByNaturalKey!('email', wanted);
      assert.deepEqual(found?.map((record) => record.data.email).sort(), [quirky, 'office@contoso.at']);
      // 122 e-mails of about 50 characters each: more than one filter of at most 1,500 characters, far fewer than 122.
      assert.ok(lookups() >= 3 && lookups() <= 6, `${lookups()} requests`);
      assert.equal(await customers.findAnyByNaturalKey!('namePostCode', wanted), undefined);
    });

    it("quotes values in filters, so a name with ' matches itself and nothing else", async () => {
      const name = "O'Brien's Pub' or displayName ne '";
      await customers.create(customer(name, { address: { postCode: 'D02 X285', country: 'IE' } }));
      const found = await customers.findByNaturalKey(
        'namePostCode',
        customer(name, { address: { postCode: 'D02 X285' } }),
      );
      assert.equal(found.length, 1);
      assert.equal(found[0]?.data.name, name);
    });

    it('creates a customer with every mapped field, and with the number the caller gives', async () => {
      const created = await customers.create({
        ids: { [SYSTEM]: 'crm-4711' },
        name: 'Wingtip Toys Ltd.',
        taxId: 'GB987654321',
        email: 'ap@wingtiptoys.co.uk',
        phone: '+44 20 7946 0123',
        website: 'https://wingtiptoys.example',
        address: {
          line1: '2 Baker Street',
          line2: 'Floor 3',
          city: 'London',
          county: 'Greater London',
          postCode: 'NW1 6XE',
          country: 'GB',
        },
        currency: 'GBP',
        paymentTerms: '14 days',
        creditLimit: 12000,
        blocked: 'invoice',
      });
      assert.equal(created.number, 'CRM-4711');
      const { modifiedAt: _modifiedAt, ...data } = created.data;
      assert.deepEqual(data, {
        ids: { [SYSTEM]: 'CRM-4711' },
        name: 'Wingtip Toys Ltd.',
        taxId: 'GB987654321',
        email: 'ap@wingtiptoys.co.uk',
        phone: '+44 20 7946 0123',
        website: 'https://wingtiptoys.example',
        address: {
          line1: '2 Baker Street',
          line2: 'Floor 3',
          city: 'London',
          county: 'Greater London',
          postCode: 'NW1 6XE',
          country: 'GB',
        },
        currency: 'GBP',
        paymentTerms: '14 DAYS',
        creditLimit: 12000,
        blocked: 'invoice',
      });
      assert.deepEqual(await customers.getById(created.id), created);
    });

    it('lets BC number a new customer and writes the local currency as blank', async () => {
      const created = await customers.create(customer('Local Kunde GmbH', { currency: 'EUR' }));
      assert.match(created.number ?? '', /^C\d+$/);
      assert.deepEqual(created.data.ids, { [SYSTEM]: created.number });
      assert.equal(created.data.currency, undefined);
    });

    it('refuses an unknown payment terms code by name, without writing', async () => {
      const error = await rejection(customers.create(customer('Terms Test', { paymentTerms: '90 DAYS' })));
      assert.equal(error.code, 'VALIDATION');
      assert.match(error.message, /customer "Terms Test": paymentTerms "90 DAYS" does not exist.*30 DAYS/);
      assert.deepEqual(
        await customers.findByNaturalKey('namePostCode', customer('Terms Test', { address: { postCode: '1' } })),
        [],
      );
    });

    it('maps custom fields of the connection both ways', async () => {
      const withCustom = driverFor({ customFields: { salesperson: 'salespersonCode' } }).customers!;
      const created = await withCustom.create(
        customer('Custom Fields AG', { custom: { salesperson: 'jo', other: 'x' } }),
      );
      assert.deepEqual(created.data.custom, { salesperson: 'JO' });
    });

    it('updates only the given fields with the ETag, and a stale ETag gives CONFLICT', async () => {
      const before = await customers.getByNumber('20000');
      assert.ok(before?.etag);
      const updated = await customers.update(
        before.id,
        { phone: '+49 89 4711 99', address: { city: 'Garching' } },
        before.etag,
      );
      assert.equal(updated.data.phone, '+49 89 4711 99');
      assert.equal(updated.data.address?.city, 'Garching');
      assert.equal(updated.data.address?.line1, 'Leopoldstraße 12');
      assert.notEqual(updated.etag, before.etag);

      const stale = await rejection(customers.update(before.id, { phone: '+49 1' }, before.etag));
      assert.equal(stale.code, 'CONFLICT');
      assert.equal(stale.status, 409);
      assert.match(stale.message, new RegExp(`customer ${before.id}: .*Request_EntityChanged`));

      const forced = await customers.update(before.id, { phone: '+49 2' });
      assert.equal(forced.data.phone, '+49 2');
    });

    it('names the field of a value longer than BC allows instead of truncating it', async () => {
      const city = 'Llanfairpwllgwyngyllgogerychwyrndrobwll';
      const error = await rejection(
        customers.create(customer('Long City Ltd', { ids: { [SYSTEM]: 'LC-1' }, address: { city } })),
      );
      assert.equal(error.code, 'VALIDATION');
      assert.match(
        error.message,
        /^erp: customer LC-1: address\.city \(BC field city\) is longer than Business Central allows; /,
      );
      assert.deepEqual((error.details as { fields?: string[] }).fields, ['address.city']);
      assert.equal(await customers.getByNumber('LC-1'), undefined);
    });

    it('writes a batch with valid and invalid operations: valid ones written, invalid ones reported, none lost', async () => {
      const fabrikam = await customers.getByNumber('20000');
      assert.ok(fabrikam?.etag);
      await customers.update(fabrikam.id, { phone: '+49 0' }); // makes fabrikam.etag stale
      const writes: CustomerWrite[] = [
        { op: 'create', customer: customer('Batch One', { ids: { [SYSTEM]: 'B-1' } }) },
        { op: 'create', customer: customer('x'.repeat(120), { ids: { [SYSTEM]: 'B-2' } }) },
        { op: 'update', id: BC_SEED.customerId('10000'), changes: { phone: '+1 404 555 0000' } },
        { op: 'update', id: fabrikam.id, changes: { phone: '+49 3' }, etag: fabrikam.etag },
        { op: 'update', id: 'bc00c000-0000-4000-8000-000000099999', changes: { phone: '1' } },
        { op: 'upsertByNumber', number: '30000', customer: { phone: '1' } },
        { op: 'create', customer: customer('Batch Terms', { paymentTerms: 'NEVER' }) },
        { op: 'create', customer: customer('Batch Two', { ids: { [SYSTEM]: 'B-3' }, blocked: 'ship' }) },
      ];
      const results = await customers.writeBatch!(writes);
      assert.equal(results.length, writes.length);
      const summary = results.map((result) =>
        result.ok ? (result.created ? 'created' : 'updated') : result.error.code,
      );
      assert.deepEqual(summary, [
        'created',
        'VALIDATION',
        'updated',
        'CONFLICT',
        'NOT_FOUND',
        'CONFIG',
        'VALIDATION',
        'created',
      ]);
      for (const result of results) if (!result.ok) seenErrors.push(result.error);

      const failure = (index: number): SyncError => {
        const result = results[index];
        assert.ok(result && !result.ok);
        return result.error;
      };
      assert.match(
        failure(1).message,
        /customer B-2: name \(BC field displayName\) is longer than Business Central allows/,
      );
      assert.match(failure(3).message, /Another user has already changed the record/);
      assert.match(failure(5).message, /no upsert by number/);
      assert.match(failure(6).message, /paymentTerms "NEVER"/);

      assert.equal((await customers.getByNumber('B-1'))?.data.name, 'Batch One');
      assert.equal((await customers.getByNumber('B-3'))?.data.blocked, 'ship');
      assert.equal(await customers.getByNumber('B-2'), undefined);
      assert.equal((await customers.getByNumber('10000'))?.data.phone, '+1 404 555 0000');
      assert.equal((await customers.getByNumber('20000'))?.data.phone, '+49 0');
    });

    it('splits a batch into requests of at most 100 operations', async () => {
      const batches = countRequests('*/$batch', 'POST');
      const writes: CustomerWrite[] = Array.from({ length: 105 }, (_, index) => ({
        op: 'create',
        customer: customer(`Bulk ${index}`, { ids: { [SYSTEM]: `BULK-${index}` } }),
      }));
      const results = await customers.writeBatch!(writes);
      assert.equal(batches(), 2);
      assert.ok(results.every((result) => result.ok && result.created));
      assert.equal(new Set(results.map((result) => (result.ok ? result.record.id : ''))).size, 105);
      assert.equal((await customers.getByNumber('BULK-104'))?.data.name, 'Bulk 104');
    });

    it('reports every write of a batch whose answer was lost, without sending creates twice', async () => {
      emulator.faults.add({ kind: 'reset', path: '*/$batch', method: 'POST', count: 1 });
      const results = await customers.writeBatch!([
        { op: 'create', customer: customer('Lost One', { ids: { [SYSTEM]: 'L-1' } }) },
        { op: 'update', id: BC_SEED.customerId('10000'), changes: { phone: '0' } },
      ]);
      assert.equal(results.length, 2);
      for (const result of results) {
        assert.ok(!result.ok);
        seenErrors.push(result.error);
        assert.equal(result.error.code, 'TRANSIENT');
        assert.equal((result.error.details as { outcomeUnknown?: boolean }).outcomeUnknown, true);
      }
      assert.equal(await customers.getByNumber('L-1'), undefined, 'the reset came before BC processed the batch');

      emulator.faults.add({ kind: 'reset', path: '*/$batch', method: 'POST', count: 1 });
      const updates = await customers.writeBatch!([
        { op: 'update', id: BC_SEED.customerId('10000'), changes: { phone: '0' } },
      ]);
      assert.ok(updates[0]?.ok, 'a batch of If-Match updates is sent again');
    });

    it('follows @odata.nextLink across pages of the size it asks for', async () => {
      const paged = driverFor({ options: { maxPageSize: '2' } }).customers!;
      const twins = Array.from({ length: 5 }, (_, index): CustomerWrite => ({
        op: 'create',
        customer: customer('Twin Corp', { ids: { [SYSTEM]: `TWIN-${index}` }, address: { postCode: '12345' } }),
      }));
      await paged.writeBatch!(twins);
      const requests = countRequests('*/customers');
      const found = await paged.findByNaturalKey(
        'namePostCode',
        customer('Twin Corp', { address: { postCode: '12345' } }),
      );
      assert.deepEqual(found.map((record) => record.number).sort(), ['TWIN-0', 'TWIN-1', 'TWIN-2', 'TWIN-3', 'TWIN-4']);
      assert.equal(requests(), 3);
    });

    it('looks a numbered create up before sending it again after a lost answer', async () => {
      const lostAnswer = {
        kind: 'status',
        status: 502,
        path: '*/customers',
        method: 'POST',
        count: 1,
        retryAfterSeconds: 0,
      } as const;
      emulator.faults.add(lostAnswer);
      const created = await customers.create(customer('Retry Ltd', { ids: { [SYSTEM]: 'R-1' } }));
      assert.equal(created.number, 'R-1', 'nothing found under the number, so the create was sent again');

      emulator.faults.add(lostAnswer);
      const again = await customers.create(customer('Retry Ltd', { ids: { [SYSTEM]: 'R-1' } }));
      assert.equal(again.id, created.id, 'the existing customer is the answer, no duplicate');
    });

    it('does not send an unnumbered create again when its outcome is unknown', async () => {
      emulator.faults.add({ kind: 'status', status: 504, path: '*/customers', method: 'POST', count: 1 });
      const error = await rejection(customers.create(customer('Unknown Outcome Ltd')));
      assert.equal(error.code, 'TRANSIENT');
      assert.equal(error.retryable, false);
      assert.equal((error.details as { outcomeUnknown?: boolean }).outcomeUnknown, true);
    });
  });

  describe('orders', () => {
    it('creates an order with its lines in one deep insert, priced by BC', async () => {
      const created = await orders.create(
        draft('CRM-ORD-1', {
          requestedDeliveryDate: '2025-03-15',
          lines: [
            { itemNumber: '1896-S', quantity: 2, unitPrice: 1 },
            { itemNumber: '1900-s', quantity: 4, discountPercent: 10 },
          ],
        }),
      );
      assert.equal(created.data.status, 'draft');
      assert.equal(created.data.externalDocumentNumber, 'CRM-ORD-1');
      assert.equal(created.data.sourceId, created.id);
      assert.deepEqual(created.data.ids, { [SYSTEM]: created.number });
      assert.deepEqual(created.data.customer, { ids: { [SYSTEM]: '20000' }, number: '20000' });
      assert.equal(created.data.orderDate, '2025-03-01');
      assert.equal(created.data.requestedDeliveryDate, '2025-03-15');
      assert.deepEqual(
        created.data.lines.map((line) => [line.itemNumber, line.quantity, line.unitPrice, line.discountPercent]),
        [
          ['1896-S', 2, 1000.8, undefined],
          ['1900-S', 4, 192.8, 10],
        ],
      );
      assert.deepEqual(await orders.getById(created.id), created);
      assert.deepEqual(await orders.findByExternalDocumentNumber('CRM-ORD-1'), created);
    });

    it("sends the source's unit prices when asked to, and a currency other than the local one", async () => {
      const created = await orders.create(
        draft('CRM-ORD-2', {
          customerNumber: BC_SEED.customerId('10000'),
          currency: 'USD',
          useSourcePrices: true,
          lines: [{ itemNumber: '1906-S', quantity: 1, unitPrice: 250 }],
        }),
      );
      assert.equal(created.data.customer.number, '10000');
      assert.equal(created.data.currency, 'USD');
      assert.equal(created.data.lines[0].unitPrice, 250);
    });

    it('reads seeded orders with the status mapped', async () => {
      const open = await orders.findByExternalDocumentNumber('PO-FAB-4711');
      assert.equal(open?.number, 'S-ORD101001');
      assert.equal(open?.data.status, 'open');
      assert.equal(open?.data.lines.length, 2);
      assert.equal((await orders.findByExternalDocumentNumber('ADT-2024-118'))?.data.status, 'draft');
      assert.equal(await orders.findByExternalDocumentNumber('nope'), undefined);
      assert.equal(await orders.getById('bc00a000-0000-4000-8000-000000999999'), undefined);
    });

    it('reports a business rule refusal as REJECTED and an unknown item by its line', async () => {
      const blocked = await rejection(orders.create(draft('CRM-ORD-3', { customerNumber: '60000' })));
      assert.equal(blocked.code, 'REJECTED');
      assert.match(blocked.message, /order CRM-ORD-3: .*blocked/);
      const unknownItem = await rejection(
        orders.create(
          draft('CRM-ORD-4', {
            lines: [
              { itemNumber: '1896-S', quantity: 1 },
              { itemNumber: 'NO-SUCH', quantity: 1 },
            ],
          }),
        ),
      );
      assert.equal(unknownItem.code, 'VALIDATION');
      assert.match(unknownItem.message, /NO-SUCH/);
      assert.equal(await orders.findByExternalDocumentNumber('CRM-ORD-4'), undefined, 'nothing half-written');
    });

    it('creates an order once however often a lost answer makes it retry', async () => {
      emulator.faults.add({
        kind: 'status',
        status: 502,
        path: '*/salesOrders',
        method: 'POST',
        count: 1,
        retryAfterSeconds: 0,
      });
      const created = await orders.create(draft('CRM-ORD-5'));
      emulator.faults.add({ kind: 'reset', path: '*/salesOrders', method: 'POST', count: 1 });
      const again = await orders.create(draft('CRM-ORD-5'));
      assert.equal(again.id, created.id);
      const state = emulator.state() as {
        companies: Array<{ entities: { salesOrders: Array<{ externalDocumentNumber: string }> } }>;
      };
      const keyed = state.companies[0]?.entities.salesOrders.filter(
        (order) => order.externalDocumentNumber === 'CRM-ORD-5',
      );
      assert.equal(keyed?.length, 1);
    });

    it("finds the orders of many external document numbers in a few queries, with their lines, a ' included", async () => {
      await orders.create(draft("CRM-O'1"));
      await orders.create(draft('CRM-ORD-7', { lines: [{ itemNumber: '1900-S', quantity: 1 }] }));
      const absent = Array.from({ length: 80 }, (_, index) => `CRM-NONE-${String(index).padStart(26, '0')}`);
      const lookups = countRequests('*/salesOrders');
      const found = await orders.findAnyByExternalDocumentNumber!(["CRM-O'1", '', 'CRM-ORD-7', ...absent]);
      assert.deepEqual(
        found
          .map((record) => [record.data.externalDocumentNumber, record.data.lines.map((line) => line.itemNumber)])
          .sort(),
        [
          ["CRM-O'1", ['1896-S']],
          ['CRM-ORD-7', ['1900-S']],
        ],
      );
      // 82 conditions of about 60 characters: more than one filter of at most 1,500 characters, far fewer than 82.
      assert.ok(lookups() >= 3 && lookups() <= 6, `${lookups()} requests`);
    });
  });

  describe('invoices', () => {
    it('gives open, partially paid, paid, overdue and cancelled invoices from the seed', async () => {
      const expected: Record<string, [string, number]> = {
        'PS-INV103001': ['open', 0],
        'PS-INV103002': ['partiallyPaid', 0],
        'PS-INV103003': ['paid', 0],
        'PS-INV103004': ['overdue', 20],
        'PS-INV103005': ['cancelled', 0],
        'PS-INV103006': ['overdue', 45],
      };
      for (const [number, [status, daysOverdue]] of Object.entries(expected)) {
        const invoice = await invoices.byNumber(number);
        assert.equal(invoice?.status, status, number);
        assert.equal(invoice?.daysOverdue, daysOverdue, number);
      }
    });

    it('maps amounts, dates, references and the currency', async () => {
      const partial = await invoices.byNumber('PS-INV103002');
      assert.ok(partial);
      assert.deepEqual(
        { ...partial, dueDate: undefined, postingDate: undefined },
        {
          invoiceNumber: 'PS-INV103002',
          ids: { [SYSTEM]: 'PS-INV103002' },
          customer: { ids: { [SYSTEM]: '20000' }, number: '20000' },
          externalDocumentNumber: 'PO-FAB-4690',
          currency: 'EUR',
          amount: 3000,
          remainingAmount: 1000,
          status: 'partiallyPaid',
          daysOverdue: 0,
          dueDate: undefined,
          postingDate: undefined,
        },
      );
      assert.match(partial.dueDate, /^\d{4}-\d{2}-\d{2}$/);
      assert.equal((await invoices.byNumber('PS-INV103001'))?.currency, 'USD');
      const swiss = driverFor({ options: { localCurrency: 'chf' } }).invoices!;
      assert.equal((await swiss.byNumber('PS-INV103002'))?.currency, 'CHF');
    });

    it('finds invoices by customer and by order, and leaves unposted ones out', async () => {
      assert.deepEqual(
        (await invoices.byCustomer('20000')).map((invoice) => invoice.invoiceNumber),
        ['PS-INV103002'],
      );
      const byOrder = await invoices.byOrder('S-ORD101000');
      assert.deepEqual(
        byOrder.map((invoice) => [invoice.invoiceNumber, invoice.order?.number]),
        [['PS-INV103003', 'S-ORD101000']],
      );
      assert.deepEqual(await invoices.byCustomer('80000'), []);
      assert.equal(await invoices.byNumber('S-INV102001'), undefined);
    });
  });

  describe('resilience', () => {
    it('rides out a 429 storm within the retry budget', async () => {
      emulator.faults.add({ kind: 'status', status: 429, path: '*/customers', count: 4 });
      assert.equal((await customers.getByNumber('10000'))?.number, '10000');
      assert.deepEqual(emulator.faults.list(), []);
    });

    it('rides out 502, 503 and 504 faults within the retry budget', async () => {
      emulator.faults.add([
        { kind: 'status', status: 503, path: '*/salesInvoices', count: 1, retryAfterSeconds: 0 },
        { kind: 'status', status: 502, path: '*/salesInvoices', count: 1, retryAfterSeconds: 0 },
        { kind: 'status', status: 504, path: '*/salesInvoices', count: 1 },
      ]);
      assert.equal((await invoices.byNumber('PS-INV103004'))?.status, 'overdue');
      assert.deepEqual(emulator.faults.list(), []);
    });

    it('gives RATE_LIMIT when the throttling outlasts the retry budget', async () => {
      const impatient = driverFor({}, { retry: { ...FAST_RETRY, maxAttempts: 2 } }).customers!;
      emulator.faults.add({ kind: 'status', status: 429, path: '*/customers', count: 5 });
      const error = await rejection(impatient.getByNumber('10000'));
      assert.equal(error.code, 'RATE_LIMIT');
      assert.equal(error.retryable, true);
    });

    it('renews an expiring token without the caller noticing', async () => {
      const shortLived = await startBcEmulator({ clientSecret: CANARY, tokenLifetimeSeconds: 0.3 });
      try {
        const lines: string[] = [];
        const driver = createBcApiDriver(configFor(shortLived), {
          governors: new GovernorRegistry(),
          retry: FAST_RETRY,
          log: (level, message) => {
            lines.push(message);
            logLines.push(`${level}: ${message}`);
          },
        });
        drivers.push(driver);
        for (let round = 0; round < 8; round += 1) {
          assert.equal((await driver.customers!.getByNumber('10000'))?.number, '10000');
          await new Promise((resolve) => setTimeout(resolve, 120));
        }
        assert.ok(lines.filter((line) => /fetched an access token/.test(line)).length >= 2, lines.join('\n'));
        assert.ok(
          lines.some((line) => /got 401; retrying once with a new token/.test(line)),
          lines.join('\n'),
        );
      } finally {
        await shortLived.close();
      }
    });
  });

  describe('configuration and secrets', () => {
    it('resolves the company by id too, and works without the tenant in the path', async () => {
      const byId = driverFor({ company: BC_SEED.companyId, tenant: '' }).customers!;
      assert.equal((await byId.getByNumber('30000'))?.data.name, 'Contoso Handels GmbH');
    });

    it('gives CONFIG naming an unknown company and listing the known ones', async () => {
      const lost = driverFor({ company: "Nobody's Company" }).customers!;
      const error = await rejection(lost.getByNumber('10000'));
      assert.equal(error.code, 'CONFIG');
      assert.match(error.message, /company "Nobody's Company" does not exist .*"CRONUS International Ltd\."/);
    });

    it('gives AUTH with a clear message for a wrong client secret, and never the secret', async () => {
      const wrong = driverFor({ auth: oauth(emulator, `${CANARY}-old`) });
      const error = await rejection(wrong.customers!.getByNumber('10000'));
      assert.equal(error.code, 'AUTH');
      assert.match(error.message, /invalid_client/);
      assert.match(error.message, /Invalid client secret/);
      const checks = await wrong.testConnection();
      assert.deepEqual(
        checks.map((check) => [check.name, check.ok]),
        [
          ['authentication', false],
          ['company', false],
          ['customers', false],
          ['salesOrders', false],
          ['salesInvoices', false],
          ['customerFinancialDetails', false],
        ],
      );
      assert.match(checks[0]!.message, /^Sign-in failed: the token endpoint rejected the client secret/);
      assert.match(checks[1]!.message, /Not checked: sign-in failed/);
      seenErrors.push(...checks.map((check) => check.message));
    });

    it('tests a good connection check by check', async () => {
      const checks = await driverFor().testConnection();
      assert.deepEqual(
        checks.map((check) => [check.name, check.ok]),
        [
          ['authentication', true],
          ['company', true],
          ['customers', true],
          ['salesOrders', true],
          ['salesInvoices', true],
          ['customerFinancialDetails', true],
        ],
      );
      assert.match(checks[1]!.message, /Company "CRONUS International Ltd\." found/);
      assert.equal(checks[4]!.message, 'Can read salesInvoices');
      seenErrors.push(...checks.map((check) => check.message));
    });

    it('says which entity set the app may not read, and what a wrong company is', async () => {
      emulator.faults.add({ kind: 'status', status: 403, path: '*/salesInvoices' });
      const checks = await driverFor().testConnection();
      const invoiceCheck = checks.find((check) => check.name === 'salesInvoices');
      assert.equal(invoiceCheck?.ok, false);
      assert.match(invoiceCheck?.message ?? '', /^403: the app has no permission on salesInvoices — assign the D365/);
      assert.ok(checks.filter((check) => check.name !== 'salesInvoices').every((check) => check.ok));

      const wrongCompany = await driverFor({ company: 'CRONUS Deutschland' }).testConnection();
      assert.deepEqual(
        wrongCompany.slice(0, 3).map((check) => [check.name, check.ok]),
        [
          ['authentication', true],
          ['company', false],
          ['customers', false],
        ],
      );
      assert.match(wrongCompany[1]!.message, /"CRONUS Deutschland" does not exist/);
      seenErrors.push(...checks.map((check) => check.message), ...wrongCompany.map((check) => check.message));
    });

    it('never shows the client secret in errors, their JSON, logs or connection checks', async () => {
      const wrong = driverFor({ auth: oauth(emulator, `${CANARY}-old`) });
      await rejection(wrong.customers!.create(customer('Secret Test')));
      seenErrors.push(...(await wrong.testConnection()).map((check) => check.message));
      emulator.faults.add({ kind: 'status', status: 429, path: '*/customers', count: 1 });
      await driverFor().customers!.getByNumber('10000');
      assert.ok(logLines.some((line) => /fetched an access token/.test(line)));
      assert.ok(logLines.some((line) => /got|failed/.test(line)));

      for (const seen of seenErrors) {
        const texts = seen instanceof Error ? [seen.message, JSON.stringify(seen), String(seen)] : [String(seen)];
        for (const text of texts) assert.ok(!text.includes(CANARY), `secret leaked: ${text}`);
      }
      for (const line of logLines) assert.ok(!line.includes(CANARY), `secret leaked in log: ${line}`);
    });
  });
});
