/**
 * The nav-sql driver's statements and logic, without a server: every statement it sends is recorded
 * with its parameters, parsed as T-SQL, and answered with rows shaped like NAV's. The same operations
 * run against a real SQL Server in the test:sqlserver suite.
 */
import assert from 'node:assert/strict';
import { SyncError } from '../../nodes/lib/errors';
import type { Customer, Order } from '../../nodes/lib/model/types.generated';
import type { OrderDraft, SystemDriver } from '../../nodes/lib/ports';
import { localIsoDate } from '../../nodes/lib/invoice-status';
import { createDriver } from '../../nodes/drivers';
import { createNavSqlDriver, isNavSqlDriver, type NavSqlDriver } from '../../nodes/drivers/nav-sql';
import { discoverCompany } from '../../nodes/drivers/nav-sql/discovery';
import { BASE_APP_ID, matchTable, navSqlName } from '../../nodes/drivers/nav-sql/names';
import { StagingSchema } from '../../nodes/drivers/nav-sql/staging';
import { MAX_PARAMETERS } from '../../nodes/drivers/sql/batching';
import type { SqlParams } from '../../nodes/drivers/sql/values';
import { parameterNames, RecordingSession, type Answer, type Recorded } from '../sql/recording-session';
import { parserCovers, parseTsql, tablesOf } from '../sql/tsql';
import { BLANK_DATE, companyTables, NAV_COLUMNS, navConfig, version } from './nav-sql-fixture';

const PREFIX = 'CRONUS International Ltd_';
const CANARY = 'Canary-Secret-7f3a';

/** Answers the catalog queries for the given tables (SQL name → columns of the logical table). */
function catalog(
  tables: Record<string, string>,
  extra: string[] = [],
  companies = ['CRONUS International Ltd.'],
  columns: Readonly<Record<string, readonly string[]>> = NAV_COLUMNS,
): Answer {
  const names = [...Object.values(tables), ...extra, 'Company', 'Access Control'];
  const columnsOf = new Map(Object.entries(tables).map(([logical, name]) => [name, columns[logical] ?? []]));
  return (sql, params) => {
    if (sql.includes('LEFT(t.name, @prefixLength)')) {
      const prefix = String(params.prefix).toLowerCase();
      return names.filter((name) => name.toLowerCase().startsWith(prefix)).map((name) => ({ name }));
    }
    if (sql.includes('FROM sys.columns')) {
      return Object.entries(params)
        .filter(([key]) => /^t\d+$/.test(key))
        .flatMap(([, name]) => (columnsOf.get(String(name)) ?? []).map((column) => ({ table: name, column })));
    }
    if (sql.includes("t.name = N'Company'")) return [{ name: 'Company' }];
    if (sql.includes('FROM [dbo].[Company]')) return companies.map((name) => ({ name }));
    if (sql.includes('[LCY Code] AS [lcy]')) return [{ lcy: 'EUR' }];
    if (sql.includes('HAS_PERMS_BY_NAME')) {
      return [Object.fromEntries(Object.keys(params).map((key) => [key.replace('t', 'p'), 1]))];
    }
    if (sql.includes("SERVERPROPERTY('ProductVersion')"))
      return [{ version: '16.0.4135.4', database: 'NAV', login: 'crm' }];
    return undefined;
  };
}

function chain(...answers: Answer[]): Answer {
  return (sql, params) => {
    for (const answer of answers) {
      const rows = answer(sql, params);
      if (rows !== undefined) return rows;
    }
    return [];
  };
}

function customerRow(number: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    number,
    name: 'Adatum Corporation',
    line1: 'Station Road 21',
    line2: '',
    city: 'Cambridge',
    postCode: 'CB1 2FB',
    county: '',
    country: 'GB',
    taxId: 'GB789456278',
    email: 'robert.townes@adatum.example',
    phone: '',
    website: '',
    currency: '',
    paymentTerms: '1M(8D)',
    creditLimit: 1_234_567.89,
    blocked: 0,
    lastModified: BLANK_DATE,
    version: version(2001),
    ...overrides,
  };
}

/** Every statement the tests sent, for the checks that apply to all of them. */
const allStatements: Recorded[] = [];

function driverOn(answer: Answer, options: Record<string, string> = {}, customFields: Record<string, string> = {}) {
  const session = new RecordingSession(answer);
  const driver = createNavSqlDriver(navConfig({ customFields }, options), { session, sleep: async () => undefined });
  assert.ok(isNavSqlDriver(driver));
  return { driver: driver as NavSqlDriver, session };
}

describe('nav-sql driver (statements, without a server)', () => {
  describe('names', () => {
    it('sanitises company, table and field names as NAV does', () => {
      assert.equal(navSqlName('CRONUS International Ltd.'), 'CRONUS International Ltd_');
      assert.equal(navSqlName('Cust. Ledger Entry'), 'Cust_ Ledger Entry');
      assert.equal(navSqlName('Country/Region Code'), 'Country_Region Code');
      assert.equal(navSqlName('Line Discount %'), 'Line Discount _');
      assert.equal(navSqlName(`O'Neil "Best" [EU] 50% a\\b`), 'O_Neil _Best_ _EU_ 50_ a_b');
      assert.equal(navSqlName('E-Mail'), 'E-Mail');
      assert.equal(navSqlName('Credit Limit (LCY)'), 'Credit Limit (LCY)');
    });

    it('finds a table by NAV or BC15+ naming, preferring the base application over companion tables', () => {
      const nav = matchTable('X', 'Cust. Ledger Entry', ['X$Cust_ Ledger Entry', 'X$Customer']);
      assert.deepEqual(nav, { found: true, name: 'X$Cust_ Ledger Entry', style: 'nav' });
      const companion = 'X$Customer$0b5e6a2c-1d4e-4c1f-9b8e-2f6d4e3c2a1b';
      const bc = matchTable('X', 'Customer', [
        companion,
        `X$Customer$${BASE_APP_ID}`,
        'X$Customer Bank Account$' + BASE_APP_ID,
      ]);
      assert.deepEqual(bc, { found: true, name: `X$Customer$${BASE_APP_ID}`, style: 'bc' });
      assert.deepEqual(matchTable('x', 'customer', [companion]), { found: true, name: companion, style: 'bc' });
      const two = matchTable('X', 'Customer', [companion, 'X$Customer$1b5e6a2c-1d4e-4c1f-9b8e-2f6d4e3c2a1b']);
      assert.equal(two.found, false);
      assert.equal(!two.found && two.candidates.length, 2);
      assert.deepEqual(matchTable('X', 'Item', ['X$Item Ledger Entry']), { found: false, candidates: [] });
    });

    for (const style of ['nav', 'bc'] as const) {
      it(`discovers a company's tables and their columns (${style === 'nav' ? 'NAV up to BC14' : 'BC15 and later'})`, async () => {
        const tables = companyTables(PREFIX, style);
        const session = new RecordingSession(chain(catalog(tables, [`Other Company$Customer`])));
        const schema = await discoverCompany(session, 'nav', 'dbo', 'CRONUS International Ltd.');
        assert.equal(schema.style, style);
        assert.equal(schema.prefix, PREFIX);
        assert.equal(schema.tables.customer?.name, tables.Customer);
        assert.equal(schema.tables.customer?.quoted, `[dbo].[${tables.Customer}]`);
        assert.equal(
          schema.tables.detailedCustLedgEntry?.columns.get('cust_ ledger entry no_'),
          'Cust_ Ledger Entry No_',
        );
        assert.equal(Object.keys(schema.tables).length, 9);
        const [lookup] = session.statements;
        assert.deepEqual(lookup?.params, { schema: 'dbo', prefix: `${PREFIX}$`, prefixLength: PREFIX.length + 1 });
        allStatements.push(...session.statements);
      });
    }

    it('names the companies there are when the configured one has no tables', async () => {
      const session = new RecordingSession(catalog(companyTables('Other', 'nav'), [], ['Other', 'Third Co.']));
      await assert.rejects(discoverCompany(session, 'nav', 'dbo', 'CRONUS'), (error: SyncError) => {
        assert.equal(error.code, 'CONFIG');
        assert.match(
          error.message,
          /no tables of company "CRONUS" \("CRONUS\$…"\) in schema dbo; the companies are: Other, Third Co\./,
        );
        return true;
      });
      allStatements.push(...session.statements);
    });
  });

  describe('customers', () => {
    const tables = companyTables(PREFIX, 'bc');
    const customerTable = `[dbo].[${tables.Customer}]`;

    it('reads a customer by number into the canonical model', async () => {
      const { driver, session } = driverOn(
        chain(catalog(tables), (sql, params) =>
          sql.includes(customerTable) && params.number === 'C00010'
            ? [
                customerRow('C00010', {
                  currency: 'USD',
                  blocked: 2,
                  custom0: 'JO',
                  lastModified: new Date('2026-11-20T08:15:00.000Z'),
                }),
              ]
            : undefined,
        ),
        {},
        { salesperson: 'Salesperson Code' },
      );
      const record = await driver.customers!.getByNumber('c00010');
      assert.deepEqual(record, {
        id: 'C00010',
        number: 'C00010',
        etag: '0x00000000000007D1',
        modifiedAt: '0x00000000000007D1',
        data: {
          ids: { nav: 'C00010' },
          name: 'Adatum Corporation',
          taxId: 'GB789456278',
          email: 'robert.townes@adatum.example',
          currency: 'USD',
          paymentTerms: '1M(8D)',
          address: { line1: 'Station Road 21', city: 'Cambridge', postCode: 'CB1 2FB', country: 'GB' },
          creditLimit: 1_234_567.89,
          blocked: 'invoice',
          modifiedAt: '2026-11-20T08:15:00.000Z',
          custom: { salesperson: 'JO' },
        },
      });
      assert.equal(await driver.customers!.getById('99999'), undefined);
      const read = session.statementsMatching(/WHERE \[No_\] = @number/)[0]!;
      assert.match(read.sql, /\[Salesperson Code\] AS \[custom0\]/);
      assert.match(read.sql, /\[Country_Region Code\] AS \[country\]/);
      assert.match(read.sql, /\[timestamp\] AS \[version\]/);
      allStatements.push(...session.statements);
    });

    it('looks customers up by each natural key, sending nothing for a key the record lacks', async () => {
      const { driver, session } = driverOn(chain(catalog(tables), () => [customerRow('10000'), customerRow('20000')]));
      const customer = {
        ids: { crm: 'A-1' },
        name: 'Adatum Corporation',
        email: 'x@adatum.example',
        address: { postCode: 'cb1 2fb' },
      } as Customer;
      assert.equal((await driver.customers!.findByNaturalKey('email', customer)).length, 2);
      await driver.customers!.findByNaturalKey('namePostCode', customer);
      assert.deepEqual(await driver.customers!.findByNaturalKey('taxId', customer), []);
      const lookups = session.statementsMatching(/ORDER BY \[No_\]$/);
      assert.deepEqual(
        lookups.map((s) => s.params),
        [{ email: 'x@adatum.example' }, { name: 'Adatum Corporation', postCode: 'CB1 2FB' }],
      );
      assert.match(lookups[0]!.sql, /WHERE \[E-Mail\] = @email/);
      assert.match(lookups[1]!.sql, /WHERE \[Name\] = @name AND \[Post Code\] = @postCode/);
      allStatements.push(...session.statements);
    });

    it('pages the change feed by rowversion, after the watermark and below MIN_ACTIVE_ROWVERSION()', async () => {
      const rows = [
        customerRow('10000', { version: version(10) }),
        customerRow('20000', { version: version(11) }),
        customerRow('30000', { version: version(15) }),
      ];
      const { driver, session } = driverOn(
        chain(catalog(tables), (sql, params) => {
          if (!sql.includes('MIN_ACTIVE_ROWVERSION()')) return undefined;
          const after =
            params.since === undefined ? -1 : Number((params.since as { value: Buffer }).value.readBigUInt64BE());
          return rows
            .filter((row) => Number((row.version as Buffer).readBigUInt64BE()) > after)
            .slice(0, Number(params.pageSize));
        }),
      );
      const pages: string[][] = [];
      for await (const page of driver.customers!.changedSince!(undefined, 2))
        pages.push(page.map((r) => `${r.id}@${r.modifiedAt}`));
      assert.deepEqual(pages, [['10000@0x000000000000000A', '20000@0x000000000000000B'], ['30000@0x000000000000000F']]);
      const feed = session.statementsMatching(/MIN_ACTIVE_ROWVERSION/);
      assert.equal(feed.length, 2);
      assert.match(
        feed[0]!.sql,
        /^SELECT TOP \(@pageSize\) .* FROM \[dbo\]\.\[CRONUS International Ltd_\$Customer\$437dbf0e-84ff-417a-965d-ed2bb9650972\] WHERE \[timestamp\] < MIN_ACTIVE_ROWVERSION\(\) ORDER BY \[timestamp\]$/,
      );
      assert.match(feed[1]!.sql, /WHERE \[timestamp\] > @since AND \[timestamp\] < MIN_ACTIVE_ROWVERSION\(\)/);
      assert.deepEqual((feed[1]!.params.since as { value: Buffer }).value, version(11));

      const later: string[] = [];
      for await (const page of driver.customers!.changedSince!('0x000000000000000B', 10))
        later.push(...page.map((r) => r.id));
      assert.deepEqual(later, ['30000']);
      await assert.rejects(
        driver.customers!.changedSince!('2026-11-01T00:00:00Z', 10).next(),
        /not a rowversion such as 0x00000000000007D1/,
      );
      allStatements.push(...session.statements);
    });
  });

  describe('invoices', () => {
    const tables = companyTables(PREFIX, 'nav');
    const due = (days: number) => {
      const d = new Date(`${localIsoDate()}T00:00:00.000Z`);
      d.setUTCDate(d.getUTCDate() + days);
      return d;
    };
    const invoice = (number: string, overrides: Record<string, unknown>) => ({
      invoiceNumber: number,
      customerNumber: '10000',
      orderNumber: '',
      externalDocumentNumber: '',
      postingDate: new Date('2026-10-01T00:00:00.000Z'),
      invoiceDueDate: due(10),
      currency: '',
      dueDate: due(10),
      open: 1,
      amount: 2_500_000.5,
      remaining: 2_500_000.5,
      cancelled: 0,
      ...overrides,
    });

    it('computes each invoice’s status from its ledger entry, in the invoice currency or the local one', async () => {
      const { driver, session } = driverOn(
        chain(catalog(tables), (sql) =>
          sql.includes('OUTER APPLY')
            ? [
                invoice('103001', {}),
                invoice('103002', { remaining: 1_000_000.25 }),
                invoice('103003', { remaining: 0, open: 0 }),
                invoice('103004', { dueDate: due(-20), remaining: 1_234_567.89, currency: 'USD' }),
                invoice('103005', {
                  cancelled: 1,
                  remaining: 0,
                  open: 0,
                  orderNumber: 'SO-1001',
                  externalDocumentNumber: 'CRM-7',
                }),
              ]
            : undefined,
        ),
      );
      const invoices = await driver.invoices!.byCustomer('10000');
      assert.deepEqual(
        invoices.map((i) => [i.invoiceNumber, i.status, i.remainingAmount, i.currency, i.daysOverdue]),
        [
          ['103001', 'open', 2_500_000.5, 'EUR', 0],
          ['103002', 'partiallyPaid', 1_000_000.25, 'EUR', 0],
          ['103003', 'paid', 0, 'EUR', 0],
          ['103004', 'overdue', 1_234_567.89, 'USD', 20],
          ['103005', 'cancelled', 0, 'EUR', 0],
        ],
      );
      assert.deepEqual(invoices[4]!.order, { ids: { nav: 'SO-1001' }, number: 'SO-1001' });
      assert.equal(invoices[4]!.externalDocumentNumber, 'CRM-7');
      assert.equal(invoices[0]!.postingDate, '2026-10-01');
      await driver.invoices!.byOrder('crm-7');
      await driver.invoices!.byNumber('103001');
      const reads = session.statementsMatching(/OUTER APPLY/);
      assert.deepEqual(
        reads.map((s) => s.params),
        [{ customer: '10000' }, { order: 'CRM-7' }, { invoice: '103001' }],
      );
      const statement = reads[0]!.sql;
      assert.match(
        statement,
        /SUM\(CASE WHEN d\.\[Entry Type\] = 1 THEN d\.\[Amount\] ELSE 0 END\) AS \[amount\], SUM\(d\.\[Amount\]\) AS \[remaining\]/,
      );
      assert.match(statement, /ON cle\.\[Entry No_\] = sih\.\[Cust_ Ledger Entry No_\]/);
      assert.match(statement, /cd\.\[Source ID\] = 112 AND cd\.\[Cancelled Doc_ No_\] = sih\.\[No_\]/);
      assert.deepEqual(tablesOf(statement).sort(), [
        `select::dbo::${PREFIX}$Cancelled Document`,
        `select::dbo::${PREFIX}$Cust_ Ledger Entry`,
        `select::dbo::${PREFIX}$Detailed Cust_ Ledg_ Entry`,
        `select::dbo::${PREFIX}$Sales Invoice Header`,
      ]);
      assert.match(
        reads[1]!.sql,
        /WHERE \(sih\.\[Order No_\] = @order OR \(sih\.\[External Document No_\] = @order AND sih\.\[Order No_\] <> N''\)\)/,
      );
      allStatements.push(...session.statements);
    });

    it('joins the ledger by document number where the invoice does not name its entry, and works without Cancelled Document', async () => {
      const old = { ...tables };
      delete (old as Record<string, string>)['Cancelled Document'];
      const columns = {
        ...NAV_COLUMNS,
        'Sales Invoice Header': NAV_COLUMNS['Sales Invoice Header']!.filter((c) => c !== 'Cust_ Ledger Entry No_'),
      };
      const { driver, session } = driverOn(catalog(old, [], undefined, columns));
      await driver.invoices!.byCustomer('10000');
      const statement = session.statementsMatching(/OUTER APPLY/)[0]!.sql;
      assert.match(
        statement,
        /ON cle\.\[Document Type\] = 2 AND cle\.\[Document No_\] = sih\.\[No_\] AND cle\.\[Customer No_\] = sih\.\[Bill-to Customer No_\]/,
      );
      assert.match(statement, /0 AS \[cancelled\]/);
      allStatements.push(...session.statements);
    });
  });

  describe('staging writes', () => {
    const tables = companyTables(PREFIX, 'bc');

    it('queues a new customer once and says it waits for the ERP job; a later call returns the customer the job made', async () => {
      let staged: { status: string; erpNumber: string } | undefined;
      const { driver, session } = driverOn(
        chain(catalog(tables), (sql, params) => {
          if (sql.includes('[customer_inbound] WITH (UPDLOCK, HOLDLOCK)')) {
            return staged
              ? [
                  {
                    entryNo: 7,
                    key: params.key,
                    status: staged.status,
                    erpNumber: staged.erpNumber,
                    message: '',
                    attempts: 1,
                    processedAt: BLANK_DATE,
                  },
                ]
              : [];
          }
          if (sql.startsWith('INSERT INTO [crmerp].[customer_inbound]')) {
            staged = { status: 'pending', erpNumber: '' };
            return [{ entryNo: 7 }];
          }
          if (sql.includes('WHERE [No_] = @number') && params.number === 'C01000') return [customerRow('C01000')];
          return undefined;
        }),
      );
      const customer: Customer = {
        ids: { crm: '9f1c2d3e-0000-4000-8000-000000000001' },
        name: 'Fabrikam GmbH',
        email: 'info@fabrikam.example',
        address: { line1: 'Hauptstraße 1', city: 'Berlin', postCode: 'd-10115', country: 'DE' },
        currency: 'EUR',
        creditLimit: 2_500_000.75,
        blocked: 'ship',
      };
      const pending = await driver.customers!.create(customer).then(
        () => assert.fail('a customer without a number cannot be answered before the ERP job ran'),
        (error: SyncError) => error,
      );
      assert.equal(pending.code, 'TRANSIENT');
      assert.equal(pending.retryable, true);
      assert.match(
        pending.message,
        /customer crm=9f1c2d3e-0000-4000-8000-000000000001 waits in staging entry 7 for the ERP job/,
      );
      assert.deepEqual((pending.details as { staging: unknown }).staging, {
        key: 'crm:9f1c2d3e-0000-4000-8000-000000000001',
        entryNo: 7,
        status: 'pending',
        table: '[crmerp].[customer_inbound]',
      });
      const insert = session.statementsMatching(/^INSERT INTO \[crmerp\]\.\[customer_inbound\]/)[0]!;
      assert.match(insert.sql, /; SELECT CAST\(SCOPE_IDENTITY\(\) AS BIGINT\) AS \[entryNo\]$/);
      const values = Object.fromEntries(
        [...insert.sql.matchAll(/\[(\w+)\]/g)]
          .map((m) => m[1]!)
          .filter((c) => !['crmerp', 'customer_inbound', 'company', 'idempotency_key', 'status', 'entryNo'].includes(c))
          .map((column, i) => [column, insert.params[`v${i}`]]),
      );
      assert.equal(values.operation, 'create');
      assert.equal(values.name, 'Fabrikam GmbH');
      assert.equal(values.post_code, 'D-10115', 'codes go upper-case');
      assert.equal(values.currency_code, '', 'the local currency is a blank code in NAV');
      assert.deepEqual(values.credit_limit_lcy, { sqlType: 'decimal', value: 2_500_000.75 });
      assert.deepEqual(values.blocked, { sqlType: 'int', value: 1 });
      assert.equal(
        values.fields,
        'name,address.line1,address.city,address.postCode,address.country,email,currency,creditLimit,blocked',
      );
      assert.equal(values.source_system, 'crm');
      assert.equal(insert.params.company, 'CRONUS International Ltd.');
      assert.equal(insert.transaction > 0, true, 'written inside a transaction');

      // Sent again while pending: the row takes the values, nothing is queued twice.
      await assert.rejects(driver.customers!.create(customer), /waits in staging entry 7/);
      assert.equal(session.statementsMatching(/^INSERT INTO \[crmerp\]\.\[customer_inbound\]/).length, 1);
      assert.equal(
        session.statementsMatching(/^UPDATE \[crmerp\]\.\[customer_inbound\] SET \[status\] = N'pending'/).length,
        1,
      );

      // The ERP job made it customer C01000.
      staged = { status: 'done', erpNumber: 'C01000' };
      const created = await driver.customers!.create(customer);
      assert.equal(created.id, 'C01000');
      assert.equal(session.statementsMatching(/^INSERT INTO \[crmerp\]\.\[customer_inbound\]/).length, 1);
      allStatements.push(...session.statements);
    });

    it('answers a customer created under its own number at once', async () => {
      const { driver, session } = driverOn(
        chain(catalog(tables), (sql) =>
          sql.startsWith('INSERT INTO [crmerp].[customer_inbound]') ? [{ entryNo: 8 }] : undefined,
        ),
      );
      const record = await driver.customers!.create({ ids: { crm: 'A-2', nav: 'k20000' }, name: 'Contoso' });
      assert.deepEqual(record, {
        id: 'K20000',
        number: 'K20000',
        data: { ids: { crm: 'A-2', nav: 'K20000' }, name: 'Contoso' },
      });
      allStatements.push(...session.statements);
    });

    it('refuses an update whose ETag is stale before anything is staged, and stages only the changed fields', async () => {
      const { driver, session } = driverOn(
        chain(catalog(tables), (sql) => (sql.includes('WHERE [No_] = @number') ? [customerRow('10000')] : undefined)),
      );
      await assert.rejects(
        driver.customers!.update('10000', { phone: '+49 30 1234' }, '0x0000000000000001'),
        (error: SyncError) => {
          assert.equal(error.code, 'CONFLICT');
          assert.match(error.message, /customer 10000 was changed in NAV since it was read/);
          return true;
        },
      );
      assert.equal(session.statementsMatching(/customer_inbound/).length, 0);
      const updated = await driver.customers!.update('10000', { phone: '+49 30 1234' }, '0x00000000000007D1');
      assert.equal(updated.data.phone, '+49 30 1234');
      assert.equal(updated.data.name, 'Adatum Corporation');
      const insert = session.statementsMatching(/^INSERT INTO \[crmerp\]\.\[customer_inbound\]/)[0]!;
      assert.match(String(insert.params.key), /^update:10000:[0-9a-f]{40}$/);
      assert.ok(Object.values(insert.params).includes('phone'), 'fields lists only phone');
      assert.ok(Object.values(insert.params).includes('0x00000000000007D1'), 'the expected version goes along');
      allStatements.push(...session.statements);
    });

    const draft = (lines: number): OrderDraft => ({
      customerNumber: '10000',
      externalDocumentNumber: 'CRM-4F2A',
      orderDate: '2026-11-20',
      requestedDeliveryDate: '2026-12-01',
      currency: 'USD',
      useSourcePrices: true,
      lines: Array.from({ length: lines }, (_, i) => ({
        itemNumber: `1896-S`,
        quantity: i + 1,
        unitPrice: 1_234_567.89,
        description: `line ${i + 1}`,
        discountPercent: 5,
      })),
    });

    it('stages an order with 450 lines in one transaction, in INSERTs under the parameter limit', async () => {
      const state: { header?: Record<string, unknown> } = {};
      const { driver, session } = driverOn(
        chain(catalog(tables), (sql, params) => {
          if (sql.includes('[sales_order_inbound] WITH (UPDLOCK, HOLDLOCK)')) return state.header ? [state.header] : [];
          if (sql.startsWith('INSERT INTO [crmerp].[sales_order_inbound]')) {
            state.header = {
              entryNo: 41,
              key: params.key,
              status: 'pending',
              erpNumber: '',
              message: '',
              attempts: 1,
              processedAt: BLANK_DATE,
            };
            return [{ entryNo: 41 }];
          }
          if (sql.includes('FROM [crmerp].[sales_order_inbound] WHERE')) {
            return state.header
              ? [
                  {
                    ...state.header,
                    customerNumber: '10000',
                    orderDate: new Date('2026-11-20T00:00:00Z'),
                    requestedDeliveryDate: new Date('2026-12-01T00:00:00Z'),
                    currency: 'USD',
                    externalDocumentNumber: 'CRM-4F2A',
                  },
                ]
              : [];
          }
          if (sql.includes('FROM [crmerp].[sales_order_line_inbound]')) {
            return [
              {
                itemNumber: '1896-S',
                description: 'line 1',
                quantity: 1,
                unitOfMeasure: '',
                unitPrice: 1_234_567.89,
                discountPercent: 5,
                discountAmount: 0,
              },
            ];
          }
          return undefined;
        }),
      );
      const record = await driver.orders!.create(draft(450));
      assert.equal(record.id, 'CRM-4F2A');
      assert.equal(record.number, undefined);
      assert.equal(record.data.status, 'submitted');
      assert.equal(record.data.requestedDeliveryDate, '2026-12-01');
      const writes = session.statements.filter((s) => s.transaction > 0);
      assert.ok(
        writes.every((s) => s.transaction === writes[0]!.transaction),
        'header and lines in one transaction',
      );
      const lineInserts = writes.filter((s) => s.sql.startsWith('INSERT INTO [crmerp].[sales_order_line_inbound]'));
      assert.equal(lineInserts.length, 3);
      for (const insert of lineInserts) assert.ok(Object.keys(insert.params).length < MAX_PARAMETERS);
      const lineParams = lineInserts.flatMap((s) => Object.entries(s.params));
      const lineNumbers = lineParams
        .filter(([name]) => /_1$/.test(name))
        .map(([, v]) => (v as { value: number }).value);
      assert.equal(lineNumbers.length, 450);
      assert.equal(Math.max(...lineNumbers), 4_500_000);
      assert.ok(
        lineParams.some(([, v]) => JSON.stringify(v) === JSON.stringify({ sqlType: 'decimal', value: 1_234_567.89 })),
      );
      assert.equal(lineParams.filter(([name]) => /_0$/.test(name))[0]![1], 41, 'lines carry the header entry');
      const header = writes.find((s) => s.sql.startsWith('INSERT INTO [crmerp].[sales_order_inbound]'))!;
      assert.ok(
        Object.values(header.params).some(
          (v) => JSON.stringify(v) === JSON.stringify({ sqlType: 'date', value: '2026-11-20' }),
        ),
      );
      assert.deepEqual(
        session.transactions.map((t) => [t.options.idempotent, t.outcome]),
        [[true, 'commit']],
      );

      // Sent again: pending, so nothing is written.
      const before = session.statements.length;
      await driver.orders!.create(draft(450));
      assert.equal(session.statements.slice(before).filter((s) => /^(INSERT|UPDATE|DELETE)/.test(s.sql)).length, 0);
      allStatements.push(...session.statements);
    });

    it('stages a refused order again with its lines replaced, and reports the refusal through the link', async () => {
      const refused = {
        entryNo: 42,
        key: 'CRM-4F2A',
        status: 'error',
        erpNumber: '',
        message: 'Item 1896-S is blocked.',
        attempts: 1,
        processedAt: new Date('2026-11-20T10:00:00Z'),
      };
      const { driver, session } = driverOn(
        chain(catalog(tables), (sql) => {
          if (sql.includes('[sales_order_inbound]') && sql.startsWith('SELECT')) {
            return [
              {
                ...refused,
                customerNumber: '10000',
                orderDate: new Date('2026-11-20T00:00:00Z'),
                requestedDeliveryDate: BLANK_DATE,
                currency: '',
                externalDocumentNumber: 'CRM-4F2A',
              },
            ];
          }
          return undefined;
        }),
      );
      await assert.rejects(driver.orders!.getById('CRM-4F2A'), (error: SyncError) => {
        assert.equal(error.code, 'REJECTED');
        assert.match(
          error.message,
          /the ERP job refused order CRM-4F2A \(staging entry 42\): Item 1896-S is blocked\.; fix the cause and unlink/,
        );
        return true;
      });
      assert.equal(await driver.orders!.findByExternalDocumentNumber('crm-4f2a'), undefined);
      await driver.orders!.create(draft(2));
      const writes = session.statements
        .filter((s) => /^(INSERT|UPDATE|DELETE)/.test(s.sql))
        .map((s) => s.sql.split(' ').slice(0, 3).join(' '));
      assert.deepEqual(writes, [
        'UPDATE [crmerp].[sales_order_inbound] SET',
        'DELETE FROM [crmerp].[sales_order_line_inbound]',
        'INSERT INTO [crmerp].[sales_order_line_inbound]',
      ]);
      assert.match(session.statementsMatching(/^UPDATE/)[0]!.sql, /\[attempts\] = \[attempts\] \+ 1/);
      allStatements.push(...session.statements);
    });

    it('finds an order the ERP job made in the Sales Header, with its lines and NAV status', async () => {
      const { driver, session } = driverOn(
        chain(catalog(tables), (sql, params) => {
          if (sql.includes('[sales_order_inbound]') && sql.startsWith('SELECT')) {
            return [
              {
                entryNo: 43,
                key: params.key,
                status: 'done',
                erpNumber: 'SO-101001',
                message: '',
                attempts: 1,
                processedAt: new Date('2026-11-20T10:00:00Z'),
                customerNumber: '10000',
                orderDate: new Date('2026-11-20T00:00:00Z'),
                requestedDeliveryDate: BLANK_DATE,
                currency: '',
                externalDocumentNumber: 'CRM-4F2A',
              },
            ];
          }
          if (sql.includes('Sales Header') && params.number === 'SO-101001') {
            return [
              {
                number: 'SO-101001',
                customerNumber: '10000',
                orderDate: new Date('2026-11-20T00:00:00Z'),
                requestedDeliveryDate: BLANK_DATE,
                currency: '',
                externalDocumentNumber: 'CRM-4F2A',
                status: 1,
                version: version(99),
              },
            ];
          }
          if (sql.includes('Sales Line')) {
            return [
              {
                lineNo: 10000,
                type: 2,
                itemNumber: '1896-S',
                description: 'ATHENS Desk',
                quantity: 3,
                unitOfMeasure: 'PCS',
                unitPrice: 649.4,
                discountPercent: 0,
                discountAmount: 0,
              },
            ];
          }
          return undefined;
        }),
      );
      const order = await driver.orders!.getById('CRM-4F2A');
      assert.deepEqual(order, {
        id: 'CRM-4F2A',
        number: 'SO-101001',
        etag: '0x0000000000000063',
        data: {
          sourceId: 'SO-101001',
          ids: { nav: 'SO-101001' },
          number: 'SO-101001',
          customer: { ids: { nav: '10000' }, number: '10000' },
          orderDate: '2026-11-20',
          status: 'released',
          lines: [
            { itemNumber: '1896-S', quantity: 3, unitPrice: 649.4, description: 'ATHENS Desk', unitOfMeasure: 'PCS' },
          ],
          externalDocumentNumber: 'CRM-4F2A',
        } satisfies Order,
      });
      const lines = session.statementsMatching(/Sales Line/)[0]!;
      assert.match(
        lines.sql,
        /WHERE \[Document Type\] = 1 AND \[Document No_\] = @number AND \[Type\] <> 0 ORDER BY \[Line No_\]/,
      );
      assert.match(lines.sql, /\[Line Discount _\] AS \[discountPercent\]/);
      allStatements.push(...session.statements);
    });

    it('writes DDL with NAV’s types, idempotent, and a script for a DBA', () => {
      const schema = new StagingSchema('crmerp');
      const ddl = schema.ddl();
      assert.equal(ddl.length, 6);
      assert.match(ddl[0]!, /^IF SCHEMA_ID\(N'crmerp'\) IS NULL EXEC\(N'CREATE SCHEMA \[crmerp\]'\)$/);
      for (const statement of ddl) {
        assert.doesNotMatch(statement.replace(/(NOT|IS) NULL/g, ''), /\bNULL\b/, 'no nullable column: NAV has none');
        assert.doesNotMatch(statement, /DATETIME2|\bBIT\b|NVARCHAR\(MAX\) NOT NULL, \[message/);
        if (statement.includes('CREATE TABLE'))
          assert.match(statement, /^IF OBJECT_ID\(N'\[crmerp\]\.\[\w+\]', N'U'\) IS NULL CREATE TABLE/);
        allStatements.push({ sql: statement, params: {}, transaction: 0 });
      }
      assert.match(ddl[1]!, /\[city\] NVARCHAR\(30\) NOT NULL DEFAULT \(''\)/);
      assert.match(ddl[1]!, /\[credit_limit_lcy\] DECIMAL\(38,20\) NOT NULL DEFAULT \(0\)/);
      assert.match(ddl[1]!, /CONSTRAINT \[UQ_customer_inbound_key\] UNIQUE \(\[company\], \[idempotency_key\]\)/);
      assert.match(ddl[2]!, /\[requested_delivery_date\] DATETIME NOT NULL DEFAULT \('1753-01-01'\)/);
      assert.match(
        ddl[3]!,
        /PRIMARY KEY \(\[entry_no\], \[line_no\]\), CONSTRAINT \[FK_sales_order_line_inbound_order\] FOREIGN KEY \(\[entry_no\]\) REFERENCES \[crmerp\]\.\[sales_order_inbound\] \(\[entry_no\]\)\)$/,
      );
      const script = schema.script('NAV');
      assert.equal(script.match(/^GO$/gm)?.length, 7);
      assert.match(script, /^USE \[NAV\];$/m);
      assert.match(
        new StagingSchema("it's]").ddl()[0]!,
        /^IF SCHEMA_ID\(N'it''s]'\) IS NULL EXEC\(N'CREATE SCHEMA \[it''s]]]'\)$/,
      );
    });
  });

  describe('test connection', () => {
    it('lists the companies, the tables found and what is missing, without the password', async () => {
      const tables = companyTables(PREFIX, 'bc');
      const { driver } = driverOn(chain(catalog(tables, [], ['CRONUS International Ltd.', 'My Company'])));
      const checks = await driver.testConnection();
      assert.deepEqual(
        checks.map((c) => [c.name, c.ok]),
        [
          ['sign-in', true],
          ['companies', true],
          ['company', true],
          ['tables', true],
          ['read access', true],
          ['staging', false],
        ],
      );
      assert.equal(checks[1]!.message, 'Companies: CRONUS International Ltd., My Company');
      assert.match(checks[2]!.message, /Business Central 15 or later/);
      assert.match(
        checks[3]!.message,
        new RegExp(`Customer \\[${PREFIX.replace('.', '\\.')}\\$Customer\\$${BASE_APP_ID}\\]`),
      );
      assert.match(
        checks[5]!.message,
        /Staging tables missing in schema crmerp: customer_inbound, sales_order_inbound, sales_order_line_inbound/,
      );
      assert.ok(!JSON.stringify(checks).includes(CANARY));
    });
  });

  describe('configuration', () => {
    function configError(run: () => unknown): string {
      try {
        run();
      } catch (error) {
        assert.ok(error instanceof SyncError);
        assert.equal(error.code, 'CONFIG');
        return error.message;
      }
      assert.fail('expected CONFIG');
    }

    it('is built by createDriver and refuses settings that cannot work, naming them', () => {
      const driver: SystemDriver = createDriver(navConfig());
      assert.equal(driver.driver, 'nav-sql');
      assert.equal(driver.linkKey, 'id');
      assert.deepEqual(driver.capabilities.customers.naturalKeys, ['taxId', 'email', 'namePostCode']);
      assert.ok(!driver.capabilities.customers.fields.includes('lifecycle'));
      void driver.close();
      const sqlSettings = navConfig().sql!;
      assert.match(
        configError(() => createDriver(navConfig({ sql: { ...sqlSettings, server: '', password: '' } }))),
        /needs: server, password/,
      );
      assert.match(
        configError(() => createDriver(navConfig({ sql: { ...sqlSettings, port: 1433, instanceName: 'NAV' } }))),
        /either a port or an instance name/,
      );
      assert.match(
        configError(() => createDriver(navConfig({ sql: { ...sqlSettings, authentication: 'ntlm' } }))),
        /domain/,
      );
      assert.match(
        configError(() => createDriver(navConfig({ company: '' }))),
        /company is missing/,
      );
      assert.match(
        configError(() => createDriver(navConfig({}, { stagingSchema: 'bad\u0001' }))),
        /staging schema/,
      );
      assert.match(
        configError(() => createDriver(navConfig({}, { localCurrency: 'EURO' }))),
        /ISO 4217/,
      );
      assert.match(
        configError(() => createDriver(navConfig({}, { mode: 'odbc' }))),
        /mode must be nav/,
      );
    });
  });

  describe('every statement sent', () => {
    it('is valid T-SQL, or one of the kinds the parser does not cover', () => {
      assert.ok(allStatements.length > 40, `${allStatements.length} statements`);
      const uncovered = allStatements.filter((s) => !parserCovers(s.sql));
      for (const { sql } of allStatements) if (parserCovers(sql)) parseTsql(sql);
      // Only the line table's DDL, for its FOREIGN KEY; its structure is checked in the DDL test.
      assert.equal(uncovered.length, 1);
      assert.match(uncovered[0]!.sql, /CREATE TABLE \[crmerp\]\.\[sales_order_line_inbound\]/);
    });

    it('binds every value as a parameter: the parameters used are exactly those given', () => {
      for (const { sql, params } of allStatements) {
        assert.deepEqual(parameterNames(sql), Object.keys(params).sort(), sql);
      }
    });

    it('quotes every configured name and puts no value into the text', () => {
      for (const { sql, params } of allStatements) {
        for (const value of Object.values(params as SqlParams)) {
          if (typeof value === 'string' && value !== '')
            assert.ok(!sql.includes(`'${value}'`), `${value} inside ${sql}`);
        }
        assert.doesNotMatch(sql, /[^[]CRONUS International Ltd_\$/, 'company tables are always bracketed');
      }
    });
  });
});
