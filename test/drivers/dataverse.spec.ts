/** The Dataverse driver against the in-process Dataverse emulator over loopback. */
import assert from 'node:assert/strict';
import { SyncError } from '../../nodes/lib/errors';
import type { Customer } from '../../nodes/lib/model/types.generated';
import type { CustomerWrite, SystemDriver } from '../../nodes/lib/ports';
import type { ConnectionConfig } from '../../nodes/drivers/connection';
import { createDataverseDriver } from '../../nodes/drivers/dataverse';
import { GovernorRegistry } from '../../nodes/drivers/http';
import {
  DATAVERSE_SEED,
  startDataverseEmulator,
  type DataverseEmulator,
  type DataverseEmulatorOptions,
} from '../../sandbox/dataverse';
import { assertNoSecret, rejection } from '../http/support';

const CANARY = 'CANARY-dv-s3cr3t-4711';
const FABRIKAM_ID = DATAVERSE_SEED.accountId(1);
const FABRIKAM_ORDER_ID = DATAVERSE_SEED.salesOrderId(1);

interface Connection {
  driver: SystemDriver;
  logs: string[];
}

interface ConnectOptions {
  clientId?: string;
  clientSecret?: string;
  options?: Record<string, string>;
  customFields?: Record<string, string>;
  maxAttempts?: number;
}

const emulators: DataverseEmulator[] = [];
const drivers: SystemDriver[] = [];
/** The log lines of every driver, checked for the canary at the end. */
const logsOfAllDrivers: string[][] = [];

async function startEmulator(options: DataverseEmulatorOptions = {}): Promise<DataverseEmulator> {
  const emulator = await startDataverseEmulator({ clientSecret: CANARY, ...options });
  emulators.push(emulator);
  return emulator;
}

function connect(emulator: DataverseEmulator, connectOptions: ConnectOptions = {}): Connection {
  const logs: string[] = [];
  const config: ConnectionConfig = {
    system: 'crm',
    driver: 'dataverse',
    baseUrl: emulator.url,
    auth: {
      type: 'oauth2',
      tokenUrl: emulator.tokenUrl,
      clientId: connectOptions.clientId ?? emulator.clientId,
      clientSecret: connectOptions.clientSecret ?? CANARY,
      scope: '',
    },
    tlsVerify: true,
    timeoutMs: 5000,
    customFields: connectOptions.customFields ?? {},
    options: connectOptions.options ?? {},
  };
  const driver = createDataverseDriver(config, {
    governors: new GovernorRegistry(),
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: connectOptions.maxAttempts ?? 5 },
    log: (level, message) => logs.push(`${level}: ${message}`),
  });
  drivers.push(driver);
  logsOfAllDrivers.push(logs);
  return { driver, logs };
}

/** Awaits a rejection with the given code and checks the canary appears nowhere in it. */
async function failsWith(promise: Promise<unknown>, code: SyncError['code']): Promise<SyncError> {
  const error = await rejection(promise);
  assert.equal(error.code, code, error.message);
  assertNoSecret(error, CANARY);
  return error;
}

function customers(driver: SystemDriver) {
  assert.ok(driver.customers);
  return driver.customers;
}

function newCustomer(erpNumber: string, overrides: Partial<Customer> = {}): Customer {
  return {
    ids: { erp: erpNumber },
    name: `Customer ${erpNumber}`,
    email: `ar-${erpNumber}@example.com`,
    address: { city: 'Berlin', postCode: '10115', country: 'DE' },
    ...overrides,
  };
}

describe('Dataverse driver (against the emulator)', function () {
  let emulator: DataverseEmulator;
  let crm: Connection;

  before(async () => {
    emulator = await startEmulator();
  });

  beforeEach(() => {
    emulator.reset();
    emulator.faults.clear();
    crm = connect(emulator);
  });

  after(async () => {
    await Promise.all(drivers.map((driver) => driver.close()));
    await Promise.all(emulators.map((started) => started.close()));
    for (const line of logsOfAllDrivers.flat()) assert.ok(!line.includes(CANARY), `secret leaked in log line: ${line}`);
  });

  describe('customers', () => {
    it('reads an account by id into the canonical customer', async () => {
      const record = await customers(crm.driver).getById(FABRIKAM_ID);
      assert.ok(record);
      assert.equal(record.id, FABRIKAM_ID);
      assert.equal(record.number, '20000');
      assert.match(record.etag ?? '', /^W\/"\d+"$/);
      assert.ok(record.modifiedAt);
      assert.deepEqual(record.data.ids, { crm: FABRIKAM_ID, erp: '20000' });
      assert.equal(record.data.name, 'Fabrikam GmbH');
      assert.equal(record.data.email, 'buchhaltung@fabrikam.de');
      assert.equal(record.data.phone, '+49 89 4711 0');
      assert.equal(record.data.creditLimit, 50000);
      assert.equal(record.data.lifecycle, 'customer');
      // "Germany" is not an ISO code, so the country is left out rather than guessed.
      assert.deepEqual(record.data.address, { line1: 'Leopoldstraße 12', city: 'München', postCode: '80331' });
    });

    it('maps statecode 1 to inactive and the Prospect relationship type to prospect', async () => {
      const inactive = await customers(crm.driver).getByNumber('70000');
      assert.equal(inactive?.data.lifecycle, 'inactive');
      const [prospect] = await customers(crm.driver).findByNaturalKey(
        'email',
        newCustomer('x', { email: 'kontakt@relecloud.de' }),
      );
      assert.equal(prospect?.data.lifecycle, 'prospect');
    });

    it('answers undefined for unknown ids and numbers, and refuses ids that are not GUIDs', async () => {
      assert.equal(await customers(crm.driver).getById('00000000-0000-4000-8000-0000000000ff'), undefined);
      assert.equal(await customers(crm.driver).getByNumber('99999'), undefined);
      const error = await failsWith(customers(crm.driver).getById('20000'), 'VALIDATION');
      assert.match(error.message, /"20000" is not a Dataverse record id/);
    });

    it('finds an account by the ERP number alternate key, quoting the value', async () => {
      const record = await customers(crm.driver).getByNumber('30000');
      assert.equal(record?.data.name, 'Contoso Handels GmbH');
      const { record: created } = await customers(crm.driver).upsertByNumber!("O'Neil 7", newCustomer("O'Neil 7"));
      assert.equal((await customers(crm.driver).getByNumber("O'Neil 7"))?.id, created.id);
    });

    it('refuses key values with characters that break key URLs, naming the field and the record', async () => {
      const error = await failsWith(customers(crm.driver).getByNumber('A/1'), 'VALIDATION');
      assert.match(error.message, /new_erpcustomerno "A\/1" contains "\/"/);
      const upsert = await failsWith(
        customers(crm.driver).upsertByNumber!('10:00', { name: 'Colon AG' }),
        'VALIDATION',
      );
      assert.match(upsert.message, /customer "Colon AG" \(erp 10:00\): new_erpcustomerno "10:00" contains ":"/);
    });

    it('finds candidates by natural key', async () => {
      const byEmail = await customers(crm.driver).findByNaturalKey(
        'email',
        newCustomer('x', { email: 'office@contoso.at' }),
      );
      assert.deepEqual(
        byEmail.map((record) => record.number),
        ['30000'],
      );
      const byName = await customers(crm.driver).findByNaturalKey(
        'namePostCode',
        newCustomer('x', { name: 'Alpine Ski House AG', address: { postCode: '8001' } }),
      );
      assert.equal(byName.length, 1);
      assert.equal(byName[0]?.data.ids['erp'], undefined);
      const missing = await failsWith(
        customers(crm.driver).findByNaturalKey('namePostCode', { ids: { erp: '1' }, name: 'No Address' }),
        'VALIDATION',
      );
      assert.match(missing.message, /matching by namePostCode needs address\.postCode/);
    });

    it('looks the e-mails of many accounts up in a few requests, and tax ids only where a column is mapped', async () => {
      const port = customers(crm.driver);
      const wanted = [
        newCustomer('x', { email: 'office@contoso.at' }),
        newCustomer('y', { email: "o'hara' or emailaddress1 ne 'x" }),
        ...Array.from({ length: 60 }, (_, index) =>
          newCustomer(`n${index}`, { email: `nobody${index}@nowhere.example` }),
        ),
      ];
      const found = await port.findAnyByNaturalKey!('email', wanted);
      assert.deepEqual(
        found?.map((record) => record.number),
        ['30000'],
      );
      assert.equal(await port.findAnyByNaturalKey!('taxId', wanted), undefined);
      assert.equal(await port.findAnyByNaturalKey!('namePostCode', wanted), undefined);
    });

    it('matches by tax id only when a column is mapped for it', async () => {
      assert.deepEqual(crm.driver.capabilities.customers.naturalKeys, ['email', 'namePostCode']);
      await failsWith(customers(crm.driver).findByNaturalKey('taxId', newCustomer('x', { taxId: 'DE1' })), 'CONFIG');

      const mapped = connect(emulator, { customFields: { taxId: 'description', employees: 'numberofemployees' } });
      assert.deepEqual(mapped.driver.capabilities.customers.naturalKeys, ['email', 'namePostCode', 'taxId']);
      const created = await customers(mapped.driver).create(
        newCustomer('80000', { taxId: 'DE123456789', custom: { employees: 42, unmapped: 'ignored' } }),
      );
      assert.equal(created.data.taxId, 'DE123456789');
      assert.deepEqual(created.data.custom, { employees: 42 });
      const found = await customers(mapped.driver).findByNaturalKey(
        'taxId',
        newCustomer('x', { taxId: 'DE123456789' }),
      );
      assert.deepEqual(
        found.map((record) => record.id),
        [created.id],
      );
    });

    it('keeps blocking as Credit Hold, and payment terms only in a mapped column', async () => {
      const stored = crm.driver.capabilities.customers.fields;
      assert.ok(stored.includes('blocked') && !stored.includes('paymentTerms') && !stored.includes('currency'));
      const plain = await customers(crm.driver).create(
        newCustomer('82000', { blocked: 'invoice', paymentTerms: '14 DAYS', currency: 'EUR' }),
      );
      assert.deepEqual([plain.data.blocked, plain.data.paymentTerms], ['all', undefined]);

      const mapped = connect(emulator, { customFields: { paymentTerms: 'new_paymentterms' } });
      assert.ok(mapped.driver.capabilities.customers.fields.includes('paymentTerms'));
      const updated = await customers(mapped.driver).update(plain.id, { blocked: 'none', paymentTerms: '14 DAYS' });
      assert.deepEqual([updated.data.blocked, updated.data.paymentTerms], ['none', '14 DAYS']);
      assert.equal(updated.data.custom, undefined, 'a mapped canonical field is not a custom field');
    });

    it('creates an account with return=representation, storing the ISO country code', async () => {
      const created = await customers(crm.driver).create(
        newCustomer('81000', { lifecycle: 'prospect', creditLimit: 1000 }),
      );
      assert.equal(created.number, '81000');
      assert.deepEqual(created.data.ids, { crm: created.id, erp: '81000' });
      assert.equal(created.data.address?.country, 'DE');
      assert.equal(created.data.lifecycle, 'prospect');
      assert.equal(created.data.creditLimit, 1000);
      assert.ok(created.etag);
    });

    it('creates an inactive customer active first and deactivates it in the same change set', async () => {
      const created = await customers(crm.driver).create(newCustomer('82000', { lifecycle: 'inactive' }));
      assert.equal(created.data.lifecycle, 'inactive');
      assert.equal((await customers(crm.driver).getById(created.id))?.data.lifecycle, 'inactive');
    });

    it('updates with If-Match: a stale ETag is a CONFLICT, and without one an update never creates', async () => {
      const read = await customers(crm.driver).getById(FABRIKAM_ID);
      assert.ok(read?.etag);
      const updated = await customers(crm.driver).update(FABRIKAM_ID, { phone: '+49 89 1' }, read.etag);
      assert.equal(updated.data.phone, '+49 89 1');
      assert.notEqual(updated.etag, read.etag);

      const stale = await failsWith(
        customers(crm.driver).update(FABRIKAM_ID, { phone: '+49 89 2' }, read.etag),
        'CONFLICT',
      );
      assert.equal(stale.status, 412);
      assert.match(stale.message, /doesn't match the RowVersion/);
      assert.match(stale.message, /account acc00000-0000-4000-8000-000000000001/);

      const deactivated = await customers(crm.driver).update(FABRIKAM_ID, { lifecycle: 'inactive' });
      assert.equal(deactivated.data.lifecycle, 'inactive');

      const ghost = '00000000-0000-4000-8000-0000000000aa';
      await failsWith(customers(crm.driver).update(ghost, { name: 'Ghost' }), 'NOT_FOUND');
      assert.equal(await customers(crm.driver).getById(ghost), undefined);
    });

    it('upserts by the ERP number: 201 creates, 200 updates, the key column stays out of the body', async () => {
      const adatum = newCustomer('10000', { name: 'Adatum Corporation', email: 'ar@adatum.com' });
      const first = await customers(crm.driver).upsertByNumber!('10000', adatum);
      assert.equal(first.created, true);
      assert.equal(first.record.number, '10000');
      const second = await customers(crm.driver).upsertByNumber!('10000', { name: 'Adatum Corp.' });
      assert.equal(second.created, false);
      assert.equal(second.record.id, first.record.id);
      assert.equal(second.record.data.name, 'Adatum Corp.');
      assert.equal(second.record.data.email, 'ar@adatum.com');

      const inactive = await customers(crm.driver).upsertByNumber!(
        '10001',
        newCustomer('10001', { lifecycle: 'inactive' }),
      );
      assert.equal(inactive.created, true);
      assert.equal(inactive.record.data.lifecycle, 'inactive');

      const mismatch = await failsWith(
        customers(crm.driver).upsertByNumber!('10002', newCustomer('10003')),
        'VALIDATION',
      );
      assert.match(mismatch.message, /ids\.erp "10003" differs from the number "10002"/);
    });

    it('writes a $batch with one change set per write: valid writes land, invalid ones are reported, none lost', async () => {
      const fabrikam = await customers(crm.driver).getById(FABRIKAM_ID);
      assert.ok(fabrikam?.etag);
      await customers(crm.driver).update(FABRIKAM_ID, { phone: '+49 1' }, fabrikam.etag);
      const writes: CustomerWrite[] = [
        { op: 'create', customer: newCustomer('90001') },
        { op: 'upsertByNumber', number: 'bad/key', customer: { name: 'Slash' } },
        { op: 'update', id: FABRIKAM_ID, changes: { phone: '+49 2' }, etag: fabrikam.etag },
        { op: 'upsertByNumber', number: '90002', customer: newCustomer('90002') },
        { op: 'create', customer: newCustomer('90003', { name: 'x'.repeat(161) }) },
        { op: 'update', id: '00000000-0000-4000-8000-0000000000bb', changes: { name: 'Nobody' } },
        { op: 'create', customer: newCustomer('90004', { lifecycle: 'inactive' }) },
        { op: 'upsertByNumber', number: '30000', customer: { phone: '+43 1 000' } },
      ];
      const results = await customers(crm.driver).writeBatch!(writes);
      assert.equal(results.length, writes.length);
      const codes = results.map((result) => (result.ok ? (result.created ? 'created' : 'updated') : result.error.code));
      assert.deepEqual(codes, [
        'created',
        'VALIDATION',
        'CONFLICT',
        'created',
        'VALIDATION',
        'NOT_FOUND',
        'created',
        'updated',
      ]);
      for (const result of results) if (!result.ok) assertNoSecret(result.error, CANARY);
      const failed = results[4];
      assert.ok(failed && !failed.ok);
      assert.match(failed.error.message, /maximum allowed length of '160'.*\(customer "x+" \(erp 90003\)\)/);

      for (const number of ['90001', '90002', '90004'])
        assert.ok(await customers(crm.driver).getByNumber(number), number);
      assert.equal((await customers(crm.driver).getByNumber('90004'))?.data.lifecycle, 'inactive');
      assert.equal(await customers(crm.driver).getByNumber('90003'), undefined);
      assert.equal((await customers(crm.driver).getByNumber('30000'))?.data.phone, '+43 1 000');
      assert.equal((await customers(crm.driver).getById(FABRIKAM_ID))?.data.phone, '+49 1');
    });

    it('splits batches at 1,000 requests', async function () {
      this.timeout(20_000);
      const writes: CustomerWrite[] = Array.from({ length: 1001 }, (_, index) => ({
        op: 'upsertByNumber',
        number: `B${index}`,
        customer: { name: `Bulk ${index}` },
      }));
      const results = await customers(crm.driver).writeBatch!(writes);
      assert.equal(results.filter((result) => result.ok && result.created).length, 1001);
    });

    it('follows @odata.nextLink through every page', async () => {
      const paged = connect(emulator, { options: { pageSize: '2' } });
      const writes: CustomerWrite[] = ['P1', 'P2', 'P3', 'P4', 'P5'].map((number) => ({
        op: 'create',
        customer: newCustomer(number, { email: 'shared@example.com' }),
      }));
      await customers(paged.driver).writeBatch!(writes);
      const found = await customers(paged.driver).findByNaturalKey(
        'email',
        newCustomer('x', { email: 'shared@example.com' }),
      );
      assert.deepEqual(found.map((record) => record.number).sort(), ['P1', 'P2', 'P3', 'P4', 'P5']);
    });
  });

  describe('orders', () => {
    it('says truthfully that it reads orders but does not create them', async () => {
      assert.deepEqual(crm.driver.capabilities.orders, { read: true, create: false });
      assert.ok(crm.driver.orders);
      const error = await failsWith(
        crm.driver.orders.create({
          customerNumber: '20000',
          externalDocumentNumber: 'X',
          orderDate: '2024-01-01',
          lines: [],
          useSourcePrices: false,
        }),
        'CONFIG',
      );
      assert.match(error.message, /orders are created in the ERP/);
    });

    it('answers undefined for unknown orders', async () => {
      assert.ok(crm.driver.orders);
      assert.equal(await crm.driver.orders.getById('00000000-0000-4000-8000-0000000000cc'), undefined);
      assert.equal(await crm.driver.orders.findByExternalDocumentNumber('ORD-NONE'), undefined);
    });

    it('reads an order with its products as lines, by id and by order number', async () => {
      assert.ok(crm.driver.orders);
      const order = await crm.driver.orders.getById(DATAVERSE_SEED.salesOrderId(2));
      assert.equal(order?.number, 'ORD-01002-H7M3Q1');
      assert.equal(order?.data.status, 'submitted');
      assert.deepEqual(order?.data.customer, {
        ids: { crm: DATAVERSE_SEED.accountId(2), erp: '30000' },
        number: '30000',
      });
      assert.deepEqual(order?.data.lines, [
        { itemNumber: '1896-S', quantity: 4, unitPrice: 1000.8 },
        { itemNumber: '1900-S', quantity: 6, unitPrice: 192.8, discountAmount: 9.5 },
      ]);
      assert.deepEqual(await crm.driver.orders.findByExternalDocumentNumber('ORD-01002-H7M3Q1'), order);
    });

    it('reports plainly that order lines cannot be read where the salesorderdetails table is missing', async () => {
      // Dataverse answers 404 for a query of a table the environment does not have.
      emulator.faults.add({ kind: 'status', status: 404, path: '*/salesorderdetails' });
      assert.ok(crm.driver.orders);
      const error = await failsWith(crm.driver.orders.getById(FABRIKAM_ORDER_ID), 'CONFIG');
      assert.match(
        error.message,
        /no salesorderdetails table .* salesorder ORD-01001-F4K2P8 cannot be read with its lines/,
      );
      await failsWith(crm.driver.orders.findByExternalDocumentNumber('ORD-01001-F4K2P8'), 'CONFIG');
    });

    it('writes the ERP order number once: the same number again leaves the order untouched', async () => {
      assert.ok(crm.driver.orders?.setExternalNumber);
      const fabrikamOrder = (): { number: unknown; version: unknown } => {
        const state = emulator.state() as { entities: { salesorders: Array<Record<string, unknown>> } };
        const row = state.entities.salesorders.find((candidate) => candidate.salesorderid === FABRIKAM_ORDER_ID);
        return { number: row?.new_erpordernumber, version: row?.versionnumber };
      };
      await crm.driver.orders.setExternalNumber(FABRIKAM_ORDER_ID, 'S-ORD101009');
      const written = fabrikamOrder();
      assert.equal(written.number, 'S-ORD101009');
      await crm.driver.orders.setExternalNumber(FABRIKAM_ORDER_ID, 'S-ORD101009');
      assert.deepEqual(fabrikamOrder(), written, 'no second write');
      await crm.driver.orders.setExternalNumber(FABRIKAM_ORDER_ID, 'S-ORD101010');
      assert.notEqual(fabrikamOrder().version, written.version);
      assert.equal(fabrikamOrder().number, 'S-ORD101010');
    });

    it('writes the ERP numbers of several orders with one query and one $batch, each with its own outcome', async () => {
      const orders = crm.driver.orders;
      assert.ok(orders?.setExternalNumbers);
      const numberOf = (id: string): unknown => {
        const state = emulator.state() as { entities: { salesorders: Array<Record<string, unknown>> } };
        return state.entities.salesorders.find((row) => row.salesorderid === id)?.['new_erpordernumber'];
      };
      const [first, second, third] = [1, 2, 3].map((index) => DATAVERSE_SEED.salesOrderId(index));
      await orders.setExternalNumber!(first!, 'S-ORD1');
      const budget = 1000;
      emulator.faults.add({ kind: 'latency', latencyMs: 0, count: budget });
      const outcomes = await orders.setExternalNumbers(
        [
          { id: first!, number: 'S-ORD1' },
          { id: second!.toUpperCase(), number: 'S-ORD2' },
          { id: 'not-a-guid', number: 'S-ORD3' },
          { id: '0b0c0d0e-0000-4000-8000-00000000dead', number: 'S-ORD4' },
          { id: third!, number: 'S-ORD5' },
        ],
        'new_erpordernumber',
      );
      const requests = budget - (emulator.faults.list()[0]?.count ?? 0);
      emulator.faults.clear();
      assert.deepEqual(
        outcomes.map((outcome) => (outcome.ok ? 'ok' : outcome.error.code)),
        ['ok', 'ok', 'VALIDATION', 'NOT_FOUND', 'ok'],
      );
      assert.ok(!outcomes[2]!.ok);
      assert.match(outcomes[2]!.error.message, /salesorder not-a-guid: "not-a-guid" is not a Dataverse record id/);
      assert.deepEqual([numberOf(first!), numberOf(second!), numberOf(third!)], ['S-ORD1', 'S-ORD2', 'S-ORD5']);
      assert.equal(requests, 2, 'one query of what the orders hold, one $batch with the three that change');
    });
  });

  describe('invoices', () => {
    it('reads an open invoice past its due date as overdue, in the local currency', async () => {
      assert.ok(crm.driver.invoices);
      const invoice = await crm.driver.invoices.byNumber('INV-01001-W8N4T6');
      assert.ok(invoice);
      assert.equal(invoice.status, 'overdue');
      assert.ok(invoice.daysOverdue > 0);
      assert.equal(invoice.amount, 2400);
      assert.equal(invoice.remainingAmount, 2400);
      assert.equal(invoice.dueDate, '2024-07-01');
      assert.equal(invoice.currency, 'EUR');
      assert.deepEqual(invoice.ids, { crm: DATAVERSE_SEED.invoiceId(1) });
      assert.deepEqual(invoice.customer, { ids: { crm: FABRIKAM_ID, erp: '20000' }, number: '20000' });
      assert.deepEqual(invoice.order, { ids: { crm: FABRIKAM_ORDER_ID }, number: 'ORD-01001-F4K2P8' });
    });

    it('maps statecode 2 Paid to paid with nothing remaining', async () => {
      assert.ok(crm.driver.invoices);
      const invoice = await crm.driver.invoices.byNumber('INV-01002-Z5B7J9');
      assert.equal(invoice?.status, 'paid');
      assert.equal(invoice?.remainingAmount, 0);
      assert.equal(invoice?.daysOverdue, 0);
      assert.equal(await crm.driver.invoices.byNumber('INV-NONE'), undefined);
    });

    it('lists invoices by customer number or account id, and by order number or id', async () => {
      assert.ok(crm.driver.invoices);
      const byNumber = await crm.driver.invoices.byCustomer('20000');
      const byId = await crm.driver.invoices.byCustomer(FABRIKAM_ID);
      assert.deepEqual(
        byNumber.map((invoice) => invoice.invoiceNumber),
        ['INV-01001-W8N4T6'],
      );
      assert.deepEqual(byId, byNumber);
      assert.deepEqual(await crm.driver.invoices.byCustomer('99999'), []);
      const byOrder = await crm.driver.invoices.byOrder('ORD-01002-H7M3Q1');
      assert.deepEqual(
        byOrder.map((invoice) => invoice.invoiceNumber),
        ['INV-01002-Z5B7J9'],
      );
      assert.deepEqual(await crm.driver.invoices.byOrder(DATAVERSE_SEED.salesOrderId(2)), byOrder);
      assert.deepEqual(await crm.driver.invoices.byOrder('ORD-NONE'), []);
    });

    it('uses the configured local currency when the invoice has no transaction currency', async () => {
      const swiss = connect(emulator, { options: { localCurrency: 'chf' } });
      assert.ok(swiss.driver.invoices);
      assert.equal((await swiss.driver.invoices.byNumber('INV-01002-Z5B7J9'))?.currency, 'CHF');
    });
  });

  describe('faults', () => {
    it('waits out a 429 storm as Retry-After asks', async () => {
      emulator.faults.add({
        kind: 'status',
        status: 429,
        retryAfterSeconds: 1,
        count: 2,
        path: '/api/data/v9.2/accounts*',
      });
      const started = Date.now();
      const record = await customers(crm.driver).getByNumber('20000');
      assert.equal(record?.id, FABRIKAM_ID);
      assert.ok(Date.now() - started >= 1900, 'waited for Retry-After twice');
      assert.equal(crm.logs.filter((line) => /failed \(HTTP 429\)/.test(line)).length, 2);
    });

    it('gives up with RATE_LIMIT when the storm outlasts the retry budget', async () => {
      const impatient = connect(emulator, { maxAttempts: 2 });
      emulator.faults.add({
        kind: 'status',
        status: 429,
        retryAfterSeconds: 1,
        count: 3,
        path: '/api/data/v9.2/accounts*',
      });
      const error = await failsWith(customers(impatient.driver).getByNumber('20000'), 'RATE_LIMIT');
      assert.equal(error.retryable, true);
      assert.match(error.message, /Number of requests exceeded the limit/);
    });

    it('retries 5xx within the budget, and looks a create up before sending it again', async () => {
      emulator.faults.add({ kind: 'status', status: 503, count: 2, path: '/api/data/v9.2/invoices*' });
      assert.equal((await crm.driver.invoices?.byNumber('INV-01001-W8N4T6'))?.status, 'overdue');

      emulator.faults.add({ kind: 'status', status: 502, count: 1, method: 'POST', path: '/api/data/v9.2/accounts' });
      const created = await customers(crm.driver).create(newCustomer('83000'));
      const same = await customers(crm.driver).findByNaturalKey('email', newCustomer('83000'));
      assert.deepEqual(
        same.map((record) => record.id),
        [created.id],
      );

      emulator.faults.add({ kind: 'status', status: 504, count: 1, method: 'PATCH' });
      assert.equal((await customers(crm.driver).upsertByNumber!('83001', { name: 'Gateway' })).created, true);
    });

    it('fetches a new token when the old one expires mid-run', async function () {
      const shortLived = await startEmulator({ tokenLifetimeSeconds: 0.3 });
      const { driver, logs } = connect(shortLived);
      for (let call = 0; call < 8; call += 1) {
        assert.equal((await customers(driver).getById(FABRIKAM_ID))?.number, '20000');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(
        logs.some((line) => /got 401; retrying once with a new token/.test(line)),
        'an expired token was refreshed',
      );
    });

    it('fails with AUTH and a clear message on a wrong secret, without revealing it', async () => {
      const other = await startEmulator({ clientSecret: 'the-right-one' });
      const { driver } = connect(other);
      const error = await failsWith(customers(driver).getById(FABRIKAM_ID), 'AUTH');
      assert.match(error.message, /Invalid client secret provided/);
      const checks = await driver.testConnection();
      assert.deepEqual(
        checks.map((check) => [check.name, check.ok]),
        [['authentication', false]],
      );
      assert.match(
        checks[0]?.message ?? '',
        /Invalid client secret provided.*check the tenant, client id and client secret/,
      );
      assert.doesNotMatch(checks[0]?.message ?? '', /\n/);
      assert.ok(!JSON.stringify(checks).includes(CANARY));
    });
  });

  describe('testConnection', () => {
    it('checks sign-in, read access and the ERP number key', async () => {
      const checks = await crm.driver.testConnection();
      assert.deepEqual(
        checks.map((check) => [check.name, check.ok]),
        [
          ['authentication', true],
          ['WhoAmI', true],
          ['read accounts', true],
          ['read salesorders', true],
          ['read invoices', true],
          ['ERP number key', true],
        ],
      );
      assert.match(checks[1]?.message ?? '', /skipped/);
      assert.ok(!JSON.stringify(checks).includes(CANARY));
    });

    it('says which alternate key to define, or that the column is missing', async () => {
      const unkeyed = await startEmulator({ alternateKeys: { accounts: [['accountnumber']] } });
      const unkeyedCrm = connect(unkeyed);
      const lookup = await failsWith(customers(unkeyedCrm.driver).getByNumber('20000'), 'CONFIG');
      assert.match(lookup.message, /is an alternate key defined on account\.new_erpcustomerno\?/);
      const [keyCheck] = (await unkeyedCrm.driver.testConnection()).slice(-1);
      assert.equal(keyCheck?.ok, false);
      assert.match(keyCheck?.message ?? '', /define an alternate key on account\.new_erpcustomerno/);

      const wrongColumn = connect(emulator, { options: { erpNumberColumn: 'new_erpnumber' } });
      const [columnCheck] = (await wrongColumn.driver.testConnection()).slice(-1);
      assert.equal(columnCheck?.ok, false);
      assert.match(columnCheck?.message ?? '', /the account table has no column new_erpnumber/);
    });
  });

  it('refuses settings that cannot work', () => {
    assert.throws(
      () => connect(emulator, { options: { erpNumberColumn: 'bad column' } }),
      /not a Dataverse column name/,
    );
    assert.throws(() => connect(emulator, { options: { erpSystem: 'crm' } }), /must differ/);
    assert.throws(() => connect(emulator, { options: { localCurrency: 'EURO' } }), /not an ISO 4217/);
  });
});
