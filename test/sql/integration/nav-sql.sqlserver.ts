/**
 * The nav-sql driver, the SQL layer and the nodes against a real SQL Server (`npm run test:sqlserver`
 * with MSSQL_URL set). Each run creates its own database from sandbox/sql/nav-demo.sql and drops it.
 * Without MSSQL_URL the suite says how to run it and skips.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SyncError } from '../../../nodes/lib/errors';
import { localIsoDate } from '../../../nodes/lib/invoice-status';
import type { Customer, InvoiceStatus } from '../../../nodes/lib/model/types.generated';
import type { CustomerWrite, OrderDraft, SystemDriver } from '../../../nodes/lib/ports';
import { createDriver } from '../../../nodes/drivers';
import { isNavSqlDriver, type NavSqlDriver } from '../../../nodes/drivers/nav-sql';
import { SqlDatabase } from '../../../nodes/drivers/sql/database';
import { decimal } from '../../../nodes/drivers/sql/values';
import connectionNode from '../../../nodes/crmerp-connection';
import createOrderNode from '../../../nodes/crmerp-create-order';
import invoiceStatusNode from '../../../nodes/crmerp-invoice-status';
import storeNode from '../../../nodes/crmerp-store';
import { helper, nextMessage, type FlowNode } from '../../support/node-red';
import { tempDir } from '../../support/tmp';
import { createDemoDatabase, serverFromEnvironment, SKIP_MESSAGE, type DemoDatabase } from './demo-database';

const NAV = 'CRONUS International Ltd.';
const CLOUD = 'CRONUS Cloud Ltd.';

function daysSince(isoDate: string): number {
  return Math.round((Date.parse(`${localIsoDate()}T00:00:00Z`) - Date.parse(`${isoDate}T00:00:00Z`)) / 86_400_000);
}

async function rejection(promise: Promise<unknown>): Promise<SyncError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SyncError, String(error));
    return error;
  }
  assert.fail('expected a failure');
}

async function all<T>(pages: AsyncGenerator<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

if (!serverFromEnvironment()) {
  describe('nav-sql on SQL Server', () => {
    before(() => console.log(`\n  ${SKIP_MESSAGE}\n`));
    it('runs against a real SQL Server when MSSQL_URL is set');
  });
} else {
  describe('nav-sql on SQL Server', function () {
    this.timeout(180_000);
    let demo: DemoDatabase;
    let nav: NavSqlDriver;
    const drivers: SystemDriver[] = [];

    function driver(company = NAV, options: Record<string, string> = {}): NavSqlDriver {
      const built = createDriver(demo.connection({ company }, options));
      assert.ok(isNavSqlDriver(built));
      drivers.push(built);
      return built;
    }

    before(async () => {
      demo = await createDemoDatabase();
      nav = driver();
    });
    after(async () => {
      await Promise.all(drivers.map((d) => d.close()));
      await demo?.drop();
    });

    describe('discovery and test connection', () => {
      it('lists the companies and the tables found, and creates the staging tables on request', async () => {
        const before = await nav.testConnection();
        assert.deepEqual(
          before.map((c) => [c.name, c.ok]),
          [
            ['sign-in', true],
            ['companies', true],
            ['company', true],
            ['tables', true],
            ['read access', true],
            ['staging', false],
          ],
        );
        assert.equal(before[1]!.message, `Companies: ${CLOUD}, ${NAV}`);
        assert.match(before[2]!.message, /up to 14 \(Company\$Table\)/);
        assert.match(before[3]!.message, /Customer \[CRONUS International Ltd_\$Customer\]/);
        await nav.staging.create();
        await nav.staging.create();
        assert.deepEqual(await nav.staging.missingTables(), []);
        const after = await nav.testConnection();
        assert.ok(
          after.every((c) => c.ok),
          JSON.stringify(after),
        );
      });

      it('finds a BC15+ company by its tables with the app id, next to a companion table', async () => {
        const cloud = driver(CLOUD);
        const checks = await cloud.testConnection();
        assert.match(checks[2]!.message, /Business Central 15 or later/);
        const customer = await cloud.customers!.getByNumber('C10000');
        assert.equal(customer?.data.name, 'Cloud Customer Ltd.');
        const [invoice] = await cloud.invoices!.byCustomer('C10000');
        assert.equal(invoice?.invoiceNumber, '105001');
        assert.equal(invoice?.amount, 12_345_678.9912);
        assert.equal(invoice?.currency, 'GBP', 'the local currency from the General Ledger Setup');
        assert.equal(invoice?.status, 'open');
      });

      it('says which companies there are when the one configured has no tables', async () => {
        const error = await rejection(driver('Fabrikam Inc.').customers!.getByNumber('10000'));
        assert.equal(error.code, 'CONFIG');
        assert.match(error.message, new RegExp(`the companies are: ${CLOUD}, ${NAV.replace('.', '\\.')}`));
      });
    });

    describe('customers', () => {
      it('reads customers with NAV’s blanks, options, apostrophes and decimals', async () => {
        const adatum = await nav.customers!.getByNumber('10000');
        assert.equal(adatum?.data.creditLimit, 2_500_000.5);
        assert.equal(adatum?.data.modifiedAt, '2026-01-15T08:30:00.000Z');
        assert.equal(adatum?.data.currency, undefined, 'the local currency is a blank code');
        assert.match(adatum?.etag ?? '', /^0x[0-9A-F]{16}$/);
        const obrien = await nav.customers!.getById('30000');
        assert.equal(obrien?.data.name, "O'Brien & Söhne GmbH");
        assert.equal(obrien?.data.blocked, 'ship');
        assert.equal(obrien?.data.modifiedAt, undefined, '1753-01-01 is no date');
        assert.equal(await nav.customers!.getByNumber('99999'), undefined);
        const byEmail = await nav.customers!.findByNaturalKey('email', {
          ids: {},
          name: 'x',
          email: 'helen.ray@treyresearch.example',
        } as Customer);
        assert.deepEqual(
          byEmail.map((c) => c.id),
          ['20000'],
        );
        const byName = await nav.customers!.findByNaturalKey('namePostCode', {
          ids: {},
          name: 'Adatum Corporation',
          address: { postCode: 'cb1 2fb' },
        } as Customer);
        assert.deepEqual(
          byName.map((c) => c.id),
          ['10000'],
        );
      });

      it('reads the change feed in rowversion order and never past a transaction still open', async () => {
        const initial = (await all(nav.customers!.changedSince!(undefined, 3))).flat();
        assert.deepEqual(initial.map((c) => c.id).sort(), ['10000', '20000', '30000', '40000']);
        const watermark = initial[initial.length - 1]!.modifiedAt!;
        assert.deepEqual(
          [...initial.map((c) => c.modifiedAt!)].sort(),
          initial.map((c) => c.modifiedAt!),
        );

        // A NAV user's transaction changes 20000 and stays open; meanwhile 40000 changes and commits.
        const other = new SqlDatabase(demo.options({ system: 'nav-user' }));
        let release!: () => void;
        let started!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const begun = new Promise<void>((resolve) => (started = resolve));
        const open = other.transaction(async (tx) => {
          await tx.execute(
            "UPDATE [dbo].[CRONUS International Ltd_$Customer] SET [Phone No_] = N'+1 312 555 0199' WHERE [No_] = N'20000'",
          );
          started();
          await gate;
        });
        await begun;
        await demo.db.execute(
          "UPDATE [dbo].[CRONUS International Ltd_$Customer] SET [Phone No_] = N'+43 512 555 0100' WHERE [No_] = N'40000'",
        );
        const whileOpen = (await all(nav.customers!.changedSince!(watermark, 10))).flat();
        assert.deepEqual(whileOpen, [], '40000 waits behind the open transaction, or 20000 would be skipped');
        release();
        await open;
        await other.close();
        const afterCommit = (await all(nav.customers!.changedSince!(watermark, 10))).flat();
        assert.deepEqual(
          afterCommit.map((c) => c.id),
          ['20000', '40000'],
        );
        assert.equal(afterCommit[1]!.data.phone, '+43 512 555 0100');
      });
    });

    describe('invoices and orders', () => {
      it('computes open, partly paid, paid, overdue and cancelled from the detailed ledger', async () => {
        const invoices = [...(await nav.invoices!.byCustomer('10000')), ...(await nav.invoices!.byCustomer('20000'))];
        const byNumber = new Map<string, InvoiceStatus>(invoices.map((i) => [i.invoiceNumber, i]));
        const expect = (number: string, status: string, amount: number, remaining: number, currency = 'EUR') => {
          const invoice = byNumber.get(number);
          assert.ok(invoice, number);
          assert.deepEqual(
            [invoice.status, invoice.amount, invoice.remainingAmount, invoice.currency],
            [status, amount, remaining, currency],
            number,
          );
        };
        expect('103001', 'open', 2_500_000.5, 2_500_000.5);
        expect('103002', 'partiallyPaid', 3_000_000, 1_000_000.25);
        expect('103003', 'paid', 1800, 0);
        expect('103004', 'overdue', 1_234_567.89, 1_234_567.89, 'USD');
        expect('103005', 'cancelled', 960, 0);
        expect('103006', 'open', 2318.36, 2318.36);
        const overdue = byNumber.get('103004')!;
        assert.equal(overdue.daysOverdue, daysSince(overdue.dueDate));
        assert.deepEqual(byNumber.get('103006')!.order, { ids: { nav: '101001' }, number: '101001' });
        assert.deepEqual(
          (await nav.invoices!.byOrder('101001')).map((i) => i.invoiceNumber),
          ['103006'],
        );
        assert.deepEqual(
          (await nav.invoices!.byOrder('CRM-REL-1')).map((i) => i.invoiceNumber),
          ['103006'],
        );
        assert.equal((await nav.invoices!.byNumber('103002'))?.remainingAmount, 1_000_000.25);
      });

      it('reads a sales order with its status and lines, not an invoice document with the same external number', async () => {
        const order = await nav.orders!.findByExternalDocumentNumber('CRM-REL-1');
        assert.equal(order?.number, '101001');
        assert.equal(order?.data.status, 'released');
        assert.deepEqual(
          order?.data.lines.map((l) => [l.itemNumber, l.quantity, l.discountPercent]),
          [
            ['1896-S', 3, undefined],
            ['1900-S', 4, 10],
          ],
        );
        assert.equal(await nav.orders!.findByExternalDocumentNumber('NO-SUCH-ORDER'), undefined);
      });

      it('streams every item', async () => {
        const items: string[] = [];
        for await (const item of nav.items.all()) items.push(item.id);
        assert.deepEqual(items, ['1896-S', '1900-S', '1920-S', '1968-S', '9999-B']);
        assert.equal((await nav.items.getByNumber('9999-B'))?.data.blocked, true);
      });
    });

    describe('writes through staging', () => {
      const runErpJob = () => demo.db.execute('EXEC [dbo].[crmerp_demo_process_inbound]');

      it('queues a new customer once, and answers it with its number after the ERP job ran', async () => {
        const customer: Customer = {
          ids: { crm: '9f1c2d3e-0000-4000-8000-000000000001' },
          name: 'Fabrikam GmbH',
          email: 'info@fabrikam.example',
          address: { line1: 'Hauptstraße 1', city: 'Berlin', postCode: '10115', country: 'DE' },
          creditLimit: 2_500_000.75,
        };
        const pending = await rejection(nav.customers!.create(customer));
        assert.equal(pending.code, 'TRANSIENT');
        assert.equal(pending.retryable, true);
        await rejection(nav.customers!.create(customer));
        const [staged] = await nav.staging.readBack('customer', ['crm:9f1c2d3e-0000-4000-8000-000000000001']);
        assert.equal(staged?.status, 'pending');
        const [{ rows } = { rows: 0 }] = await demo.db.query<{ rows: number }>(
          'SELECT COUNT(*) AS [rows] FROM [crmerp].[customer_inbound]',
        );
        assert.equal(rows, 1, 'staged once');
        await runErpJob();
        const created = await nav.customers!.create(customer);
        assert.match(created.id, /^C\d{5}$/);
        assert.equal(created.data.creditLimit, 2_500_000.75, 'a decimal in the millions arrives exactly');
        assert.equal(created.data.address?.city, 'Berlin');
        const [done] = await nav.staging.readBack('customer', ['crm:9f1c2d3e-0000-4000-8000-000000000001']);
        assert.deepEqual([done?.status, done?.erpNumber], ['done', created.id]);
      });

      it('stages updates of the fields given, refusing a stale ETag', async () => {
        const current = await nav.customers!.getByNumber('10000');
        const conflict = await rejection(
          nav.customers!.update('10000', { phone: '+44 1223 555 0199' }, '0x0000000000000001'),
        );
        assert.equal(conflict.code, 'CONFLICT');
        await nav.customers!.update('10000', { phone: '+44 1223 555 0199' }, current!.etag);
        await runErpJob();
        const updated = await nav.customers!.getByNumber('10000');
        assert.equal(updated?.data.phone, '+44 1223 555 0199');
        assert.equal(updated?.data.name, 'Adatum Corporation', 'fields not given are left alone');
      });

      const draft = (key: string, lines: number, item = '1896-S'): OrderDraft => ({
        customerNumber: '10000',
        externalDocumentNumber: key,
        orderDate: localIsoDate(),
        useSourcePrices: true,
        lines: Array.from({ length: lines }, (_, i) => ({
          itemNumber: item,
          quantity: (i % 7) + 1,
          unitPrice: 1_234_567.89,
          discountPercent: 2.5,
        })),
      });

      it('stages an order of 3,000 lines in one transaction and reads it back as the ERP job made it', async () => {
        const staged = await nav.orders!.create(draft('CRM-BIG-1', 3000));
        assert.equal(staged.data.status, 'submitted');
        assert.equal(staged.data.lines.length, 3000);
        assert.equal(await nav.orders!.create(draft('CRM-BIG-1', 3000)).then((o) => o.id), 'CRM-BIG-1');
        await runErpJob();
        const made = await nav.orders!.getById('CRM-BIG-1');
        assert.match(made?.number ?? '', /^SO-2\d{5}$/);
        assert.equal(made?.data.status, 'open');
        assert.equal(made?.data.lines.length, 3000);
        assert.equal(made?.data.lines[0]?.unitPrice, 1_234_567.89);
        const [status] = await nav.staging.readBack('order', ['CRM-BIG-1']);
        assert.equal(status?.erpNumber, made?.number);
      });

      it('reports an order the ERP job refused, and stages it again once the cause is fixed', async () => {
        await nav.orders!.create(draft('CRM-BLOCKED-1', 2, '9999-B'));
        await runErpJob();
        const refused = await rejection(nav.orders!.getById('CRM-BLOCKED-1'));
        assert.equal(refused.code, 'REJECTED');
        assert.match(refused.message, /Item 9999-B is blocked or does not exist\./);
        assert.equal(await nav.orders!.findByExternalDocumentNumber('CRM-BLOCKED-1'), undefined);
        await nav.orders!.create(draft('CRM-BLOCKED-1', 2, '1900-S'));
        await runErpJob();
        const made = await nav.orders!.getById('CRM-BLOCKED-1');
        assert.deepEqual(
          made?.data.lines.map((l) => l.itemNumber),
          ['1900-S', '1900-S'],
        );
        const [status] = await nav.staging.readBack('order', ['CRM-BLOCKED-1']);
        assert.equal(status?.attempts, 2);
      });
    });

    describe('the SQL layer', () => {
      it('runs a deadlock victim’s transaction again, so both writers succeed', async () => {
        const logs: string[] = [];
        const db = new SqlDatabase(demo.options({ log: (_level, message) => logs.push(message) }));
        const attempts = { a: 0, b: 0 };
        let aHolds!: () => void;
        let bHolds!: () => void;
        const aLocked = new Promise<void>((resolve) => (aHolds = resolve));
        const bLocked = new Promise<void>((resolve) => (bHolds = resolve));
        const update = (no: string, who: string) =>
          `UPDATE [dbo].[CRONUS International Ltd_$Customer] SET [Salesperson Code] = N'${who}' WHERE [No_] = N'${no}'`;
        const a = db.transaction(async (tx) => {
          attempts.a++;
          await tx.execute(update('30000', 'A'));
          if (attempts.a === 1) {
            aHolds();
            await bLocked;
          }
          await tx.execute(update('40000', 'A'));
        });
        const b = db.transaction(async (tx) => {
          attempts.b++;
          await tx.execute(update('40000', 'B'));
          if (attempts.b === 1) {
            bHolds();
            await aLocked;
          }
          await tx.execute(update('30000', 'B'));
        });
        await Promise.all([a, b]);
        assert.equal(attempts.a + attempts.b, 3, 'one of the two ran again');
        assert.ok(
          logs.some((line) => /retrying .* \(attempt 2\)/.test(line) && /deadlock/i.test(line)),
          logs.join('\n'),
        );
        await db.close();
      });

      it('binds decimals in the millions and splits statements under 2,100 parameters on a real server', async () => {
        const [row] = await demo.db.query<{ v: number }>('SELECT CAST(@v AS DECIMAL(38,20)) AS [v]', {
          v: decimal(12_345_678.9912),
        });
        assert.equal(row?.v, 12_345_678.9912);
        const refused = await rejection(
          demo.db.query(
            `SELECT 1 AS [x] WHERE 1 IN (${Array.from({ length: 2101 }, (_, i) => `@p${i}`).join(', ')})`,
            Object.fromEntries(Array.from({ length: 2101 }, (_, i) => [`p${i}`, i])),
          ),
        );
        assert.match(refused.message, /2100/);
      });

      it('shares one pool among many concurrent users', async () => {
        const results = await Promise.all(
          Array.from({ length: 25 }, (_, i) =>
            nav.customers!.getByNumber(['10000', '20000', '30000', '40000'][i % 4]!),
          ),
        );
        assert.ok(results.every((r) => r !== undefined));
      });

      it('maps server errors into the contract', async () => {
        const missing = await rejection(demo.db.query('SELECT [x] FROM [dbo].[NoSuchTable]'));
        assert.deepEqual([missing.code, missing.status], ['CONFIG', 208]);
        const duplicate = await rejection(
          demo.db.execute("INSERT INTO [dbo].[CRONUS International Ltd_$Item] ([No_]) VALUES (N'1896-S')"),
        );
        assert.deepEqual([duplicate.code, duplicate.status], ['CONFLICT', 2627]);
      });
    });

    describe('custom SQL schema mode', () => {
      const mapping = {
        customers: {
          table: 'shop.Customers',
          key: 'CustomerNo',
          rowversion: 'RowVer',
          columns: {
            name: 'Name',
            email: 'Email',
            taxId: 'VatId',
            'address.city': 'City',
            'address.postCode': 'Zip',
            creditLimit: 'CreditLimit',
            blocked: 'Blocked',
            'ids.crm': 'CrmAccountId',
            'custom.segment': 'Segment',
          },
          blockedValues: { none: 0, ship: 1, invoice: 2, all: 3 },
        },
        orders: {
          table: 'shop.SalesOrders',
          key: 'OrderNo',
          columns: {
            externalDocumentNumber: 'ExternalRef',
            customerNumber: 'CustomerNo',
            orderDate: 'OrderDate',
            currency: 'Currency',
            status: 'Status',
          },
          statuses: { '0': 'open', '1': 'released' },
          lines: {
            table: 'shop.SalesOrderLines',
            orderKey: 'OrderNo',
            lineNumber: 'LineNo',
            columns: { itemNumber: 'ItemNo', quantity: 'Qty', description: 'Description', unitPrice: 'UnitPrice' },
          },
        },
        invoices: {
          table: 'shop.InvoiceView',
          columns: {
            invoiceNumber: 'InvoiceNo',
            customerNumber: 'CustomerNo',
            orderNumber: 'OrderNo',
            dueDate: 'DueDate',
            currency: 'Currency',
            amount: 'Amount',
            remainingAmount: 'Remaining',
            cancelled: 'IsCancelled',
          },
        },
      };
      const custom = (m: unknown = mapping): SystemDriver => {
        const built = createDriver(demo.connection({ company: '' }, { mode: 'custom', mapping: JSON.stringify(m) }));
        drivers.push(built);
        return built;
      };

      it('checks the mapped tables, reads and upserts 1,500 customers by MERGE', async () => {
        const shop = custom();
        assert.ok((await shop.testConnection()).every((c) => c.ok));
        const one = await shop.customers!.getByNumber('S00001');
        assert.deepEqual(
          [one?.data.ids, one?.data.creditLimit, one?.data.custom],
          [{ nav: 'S00001', crm: 'crm-1' }, 1_000_000.5, { segment: 'Retail' }],
        );
        assert.equal((await shop.customers!.getByNumber('S00002'))?.data.blocked, 'ship');
        const writes: CustomerWrite[] = Array.from({ length: 1500 }, (_, i) => ({
          op: 'upsertByNumber',
          number: `M${String(i).padStart(5, '0')}`,
          customer: { ids: { crm: `crm-m-${i}` }, name: `Merged ${i}`, creditLimit: 1_000_000 + i + 0.25 },
        }));
        const first = await shop.customers!.writeBatch!(writes);
        assert.ok(first.every((r) => r.ok && r.created));
        const second = await shop.customers!.writeBatch!(writes);
        assert.ok(second.every((r) => r.ok && !r.created));
        const [{ n } = { n: 0 }] = await demo.db.query<{ n: number }>(
          "SELECT COUNT(*) AS [n] FROM [shop].[Customers] WHERE [CustomerNo] LIKE N'M%'",
        );
        assert.equal(n, 1500);
        const changed = (await all(shop.customers!.changedSince!(undefined, 500))).flat();
        assert.equal(changed.length, 1502);
      });

      it('upserts through a stored procedure', async () => {
        const shop = custom({ customers: { ...mapping.customers, upsert: { procedure: 'shop.UpsertCustomer' } } });
        const created = await shop.customers!.create({
          ids: { crm: 'crm-proc-1' },
          name: 'By Procedure',
          address: { city: 'Köln' },
        } as Customer);
        assert.match(created.id, /^P\d{5}$/);
        assert.equal(created.data.address?.city, 'Köln');
      });

      it('creates an order with 1,200 lines once, by MERGE and by procedure', async () => {
        const shop = custom();
        const order: OrderDraft = {
          customerNumber: 'S00001',
          externalDocumentNumber: 'CRM-SHOP-1',
          orderDate: localIsoDate(),
          useSourcePrices: false,
          lines: Array.from({ length: 1200 }, (_, i) => ({ itemNumber: `ITEM-${i}`, quantity: 1.5 })),
        };
        const made = await shop.orders!.create(order);
        const again = await shop.orders!.create(order);
        assert.equal(again.id, made.id);
        assert.equal(made.data.lines.length, 1200);
        assert.equal(made.data.status, 'open');
        const byProcedure = custom({ ...mapping, orders: { ...mapping.orders, procedure: 'shop.CreateSalesOrder' } });
        const viaProcedure = await byProcedure.orders!.create({
          ...order,
          externalDocumentNumber: 'CRM-SHOP-2',
          lines: order.lines.slice(0, 3),
        });
        assert.equal(viaProcedure.data.lines.length, 3);
      });

      it('reads invoices from a view', async () => {
        const invoices = await custom().invoices!.byCustomer('S00001');
        assert.deepEqual(
          invoices.map((i) => [i.invoiceNumber, i.status, i.remainingAmount, i.currency]),
          [
            ['INV-2', 'overdue', 1_000_000, 'EUR'],
            ['INV-3', 'cancelled', 960, 'EUR'],
            ['INV-1', 'open', 2_500_000.5, 'EUR'],
          ],
        );
      });
    });

    describe('nodes', () => {
      const dir = tempDir('nav-sql-it');
      afterEach(() => helper.unload());
      after(() => dir.remove());

      function connection(): FlowNode {
        const sql = demo.connection().sql!;
        return {
          id: 'nav-conn',
          type: 'crmerp-connection',
          system: 'nav',
          driver: 'nav-sql',
          server: sql.server,
          port: sql.port === undefined ? '' : String(sql.port),
          database: sql.database,
          sqlAuth: 'sql',
          encrypt: sql.encrypt,
          tlsVerify: !sql.trustServerCertificate,
          timeout: '120',
          connectTimeout: '30',
          sqlMode: 'nav',
          company: NAV,
        };
      }
      const credentials = () => ({
        'nav-conn': { user: demo.connection().sql!.user, password: demo.connection().sql!.password },
      });

      it('answers an invoice look-up from NAV through the invoice status node', async () => {
        await helper.load(
          [connectionNode, invoiceStatusNode],
          [
            { id: 'tab', type: 'tab' },
            connection(),
            {
              id: 'inv',
              type: 'crmerp-invoice-status',
              z: 'tab',
              erp: 'nav-conn',
              lookupBy: 'customer',
              system: '',
              systemType: 'str',
              recordId: 'payload',
              recordIdType: 'msg',
              errorHandling: 'outputs',
              writeSummary: false,
              wires: [['out1'], ['out2']],
            },
            { id: 'out1', type: 'helper', z: 'tab' },
            { id: 'out2', type: 'helper', z: 'tab' },
          ],
          credentials(),
        );
        const answer = nextMessage('out1', 60_000);
        helper.getNode('inv').receive({ payload: '20000' });
        const msg = await answer;
        const payload = msg.payload as { invoices: InvoiceStatus[]; summary: { overdueBalance: number } };
        assert.deepEqual(
          payload.invoices.map((i) => i.invoiceNumber),
          ['103004'],
        );
        assert.equal(payload.summary.overdueBalance, 1_234_567.89);
      });

      it('stages a signed order through the create order node, exactly once', async () => {
        await helper.load(
          [connectionNode, storeNode, createOrderNode],
          [
            { id: 'tab', type: 'tab' },
            connection(),
            {
              id: 'store',
              type: 'crmerp-store',
              backend: 'sqlite',
              file: join(dir.path, 'orders.db'),
              synchronous: 'normal',
            },
            {
              id: 'co',
              type: 'crmerp-create-order',
              z: 'tab',
              connection: 'nav-conn',
              store: 'store',
              source: 'crm',
              sourceType: 'str',
              statuses: ['signed', 'won'],
              itemLinks: false,
              itemTable: '{}',
              unknownItem: 'keep',
              useCrmPrices: false,
              writeBack: false,
              crmConnection: '',
              writeBackField: '',
              property: 'payload',
              propertyType: 'msg',
              errorHandling: 'outputs',
              lang: 'en',
              wires: [['out1'], ['out2']],
            },
            { id: 'out1', type: 'helper', z: 'tab' },
            { id: 'out2', type: 'helper', z: 'tab' },
          ],
          credentials(),
        );
        const order = {
          sourceId: 'NODE-ORDER-1',
          customer: { ids: { nav: '10000' } },
          orderDate: localIsoDate(),
          status: 'won',
          lines: [{ itemNumber: '1968-S', quantity: 2 }],
        };
        const first = nextMessage('out1', 60_000);
        helper.getNode('co').receive({ payload: order });
        const created = (await first).payload as { result: string; status: string; externalDocumentNumber: string };
        assert.deepEqual(
          [created.result, created.status, created.externalDocumentNumber],
          ['created', 'submitted', 'NODE-ORDER-1'],
        );
        const second = nextMessage('out1', 60_000);
        helper.getNode('co').receive({ payload: order });
        assert.equal(((await second).payload as { result: string }).result, 'existing');
        const [{ n } = { n: 0 }] = await demo.db.query<{ n: number }>(
          "SELECT COUNT(*) AS [n] FROM [crmerp].[sales_order_inbound] WHERE [idempotency_key] = N'NODE-ORDER-1'",
        );
        assert.equal(n, 1);
      });
    });
  });
}
