/**
 * The custom SQL schema mode of the nav-sql driver, without a server: the mapping's checks, and every
 * statement it builds, recorded with its parameters and parsed as T-SQL where the parser covers it.
 */
import assert from 'node:assert/strict';
import { SyncError } from '../../nodes/lib/errors';
import type { Customer } from '../../nodes/lib/model/types.generated';
import type { CustomerWrite, OrderDraft } from '../../nodes/lib/ports';
import { createNavSqlDriver } from '../../nodes/drivers/nav-sql';
import { parseSchemaMapping } from '../../nodes/drivers/custom-sql/mapping';
import { MAX_PARAMETERS, MAX_VALUES_ROWS } from '../../nodes/drivers/sql/batching';
import { parameterNames, RecordingSession, type Answer, type Recorded } from '../sql/recording-session';
import { parserCovers, parseTsql } from '../sql/tsql';
import { navConfig, version } from './nav-sql-fixture';

const MAPPING = {
  customers: {
    table: 'dbo.Customers',
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
    upsert: { mergeOn: ['number'] },
  },
  orders: {
    table: '[sales].[Orders]',
    key: 'OrderNo',
    columns: {
      externalDocumentNumber: 'ExternalRef',
      customerNumber: 'CustomerNo',
      orderDate: 'OrderDate',
      currency: 'Currency',
      status: 'Status',
    },
    statuses: { '0': 'open', '1': 'released' },
    newStatus: 0,
    lines: {
      table: 'sales.OrderLines',
      orderKey: 'OrderNo',
      lineNumber: 'LineNo',
      columns: { itemNumber: 'ItemNo', quantity: 'Qty', description: 'Description', unitPrice: 'UnitPrice' },
    },
  },
  invoices: {
    table: 'dbo.InvoiceView',
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

const allStatements: Recorded[] = [];

function driverOn(answer: Answer, mapping: unknown = MAPPING, options: Record<string, string> = {}) {
  const session = new RecordingSession(answer);
  const driver = createNavSqlDriver(navConfig({}, { mode: 'custom', mapping: JSON.stringify(mapping), ...options }), {
    session,
  });
  return { driver, session };
}

function customerRow(number: string, overrides: Record<string, unknown> = {}) {
  return {
    k: number,
    c0: 'Fabrikam GmbH',
    c1: 'info@fabrikam.example',
    c2: 'DE123456789',
    c3: 'Berlin',
    c4: '10115',
    c5: 1_234_567.89,
    c6: 1,
    c7: 'A-1',
    c8: 'Retail',
    v: version(77),
    ...overrides,
  };
}

describe('nav-sql driver, custom SQL schema mode (statements, without a server)', () => {
  describe('the mapping', () => {
    const error = (mapping: unknown): string => {
      try {
        parseSchemaMapping(typeof mapping === 'string' ? mapping : JSON.stringify(mapping), 'erp');
      } catch (e) {
        assert.ok(e instanceof SyncError);
        assert.equal(e.code, 'CONFIG');
        return e.message;
      }
      assert.fail('expected CONFIG');
    };

    it('is refused with a message naming the entry that is wrong', () => {
      assert.match(error('{'), /^the mapping is not valid JSON/);
      assert.match(error({}), /maps nothing/);
      assert.match(error({ vendors: {} }), /entry "vendors" is unknown/);
      assert.match(
        error({ customers: { table: 'dbo.C', key: 'No', columns: { name: 'N', adress: 'A' } } }),
        /customers\.columns names an unknown field "adress"/,
      );
      assert.match(
        error({ customers: { table: 'dbo.C', key: 'No', columns: {} } }),
        /customers\.columns needs a column for name/,
      );
      assert.match(
        error({ customers: { table: 'a.b.c', key: 'No', columns: { name: 'N' } } }),
        /not a name of the form Table, schema\.Table/,
      );
      assert.match(
        error({ customers: { table: 'dbo.C', key: 'No', columns: { name: 'N' }, upsert: { mergeOn: ['email'] } } }),
        /mergeOn names "email"/,
      );
      assert.match(
        error({ orders: { ...MAPPING.orders, columns: { customerNumber: 'C', orderDate: 'D' } } }),
        /orders\.columns needs a column for externalDocumentNumber/,
      );
      assert.match(
        error({ orders: { ...MAPPING.orders, statuses: { '9': 'shipped' } } }),
        /orders\.statuses\.9 must be one of draft/,
      );
      assert.match(
        error({ invoices: { table: 'dbo.I', columns: { invoiceNumber: 'N' } } }),
        /needs a column for customerNumber, dueDate, amount, remainingAmount/,
      );
      assert.match(
        error({ customers: { table: 'dbo.C', key: 'bad\u0000', columns: { name: 'N' } } }),
        /customers\.key/,
      );
    });

    it('reads bracketed and bare names alike', () => {
      const mapping = parseSchemaMapping(JSON.stringify(MAPPING), 'erp');
      assert.equal(mapping.orders?.table.quoted, '[sales].[Orders]');
      assert.equal(mapping.orders?.lines.table.quoted, '[sales].[OrderLines]');
      assert.equal(
        parseSchemaMapping(
          JSON.stringify({ invoices: { ...MAPPING.invoices, table: '[my schema].[Open ]]Invoices]' } }),
          'erp',
        ).invoices?.table.quoted,
        '[my schema].[Open ]]Invoices]',
      );
    });

    it('gives the capabilities the mapping supports', () => {
      const { driver } = driverOn(() => []);
      assert.deepEqual(driver.capabilities.customers.naturalKeys, ['taxId', 'email', 'namePostCode']);
      assert.equal(driver.capabilities.customers.upsertByNumber, true);
      assert.deepEqual([...driver.capabilities.customers.fields].sort(), [
        'address',
        'blocked',
        'creditLimit',
        'custom',
        'email',
        'name',
        'taxId',
      ]);
      assert.equal(driver.capabilities.orders.create, true);
      const invoicesOnly = driverOn(() => [], { invoices: MAPPING.invoices }).driver;
      assert.equal(invoicesOnly.customers, undefined);
      assert.equal(invoicesOnly.capabilities.customers.read, false);
      assert.equal(invoicesOnly.capabilities.invoices.read, true);
    });
  });

  describe('customers', () => {
    it('reads a customer by its key with every mapped column', async () => {
      const { driver, session } = driverOn((sql, params) =>
        sql.includes('WHERE [CustomerNo] = @number') && params.number === 'K-1' ? [customerRow('K-1')] : [],
      );
      const record = await driver.customers!.getById('K-1');
      assert.deepEqual(record, {
        id: 'K-1',
        number: 'K-1',
        etag: '0x000000000000004D',
        modifiedAt: '0x000000000000004D',
        data: {
          ids: { nav: 'K-1', crm: 'A-1' },
          name: 'Fabrikam GmbH',
          email: 'info@fabrikam.example',
          taxId: 'DE123456789',
          address: { city: 'Berlin', postCode: '10115' },
          creditLimit: 1_234_567.89,
          blocked: 'ship',
          custom: { segment: 'Retail' },
        },
      });
      assert.equal(
        session.statements[0]!.sql,
        'SELECT [CustomerNo] AS [k], [Name] AS [c0], [Email] AS [c1], [VatId] AS [c2], [City] AS [c3], [Zip] AS [c4], [CreditLimit] AS [c5], [Blocked] AS [c6], [CrmAccountId] AS [c7], [Segment] AS [c8], [RowVer] AS [v] FROM [dbo].[Customers] WHERE [CustomerNo] = @number',
      );
      allStatements.push(...session.statements);
    });

    it('upserts 1,500 customers in MERGE statements under SQL Server’s limits, with each one’s result', async () => {
      const { driver, session } = driverOn((sql, params) => {
        if (sql.startsWith('MERGE')) {
          return Object.entries(params)
            .filter(([name]) => /^r\d+_0$/.test(name))
            .map(([name, row]) => ({
              action: Number(row) % 2 === 0 ? 'INSERT' : 'UPDATE',
              row,
              number: params[name.replace(/_0$/, '_1')],
            }));
        }
        if (sql.includes('IN (')) {
          return Object.entries(params).map(([, number]) => customerRow(String(number)));
        }
        return [];
      });
      const writes: CustomerWrite[] = Array.from({ length: 1500 }, (_, i) => ({
        op: 'upsertByNumber',
        number: `K${String(i).padStart(5, '0')}`,
        customer: { ids: { crm: `A-${i}` }, name: `Customer ${i}`, creditLimit: 1_000_000 + i + 0.5 },
      }));
      const results = await driver.customers!.writeBatch!(writes);
      assert.equal(results.length, 1500);
      assert.ok(results.every((r) => r.ok));
      assert.deepEqual(
        results.slice(0, 2).map((r) => r.ok && [r.record.id, r.created]),
        [
          ['K00000', true],
          ['K00001', false],
        ],
      );
      const merges = session.statementsMatching(/^MERGE/);
      assert.ok(merges.length >= 2);
      for (const merge of merges) {
        const rows = Object.keys(merge.params).filter((name) => /_0$/.test(name)).length;
        assert.ok(rows <= MAX_VALUES_ROWS && Object.keys(merge.params).length < MAX_PARAMETERS, `${rows} rows`);
        assert.ok(merge.transaction > 0);
      }
      assert.match(
        merges[0]!.sql,
        /^MERGE INTO \[dbo\]\.\[Customers\] WITH \(HOLDLOCK\) AS target USING \(VALUES \(@r0_0, @r0_1, @r0_2, @r0_3, @r0_4\), .*\) AS source \(\[row\], \[s0\], \[s1\], \[s2\], \[s3\]\) ON target\.\[CustomerNo\] = source\.\[s0\] WHEN MATCHED THEN UPDATE SET target\.\[Name\] = source\.\[s1\], target\.\[CreditLimit\] = source\.\[s2\], target\.\[CrmAccountId\] = source\.\[s3\] WHEN NOT MATCHED THEN INSERT \(\[CustomerNo\], \[Name\], \[CreditLimit\], \[CrmAccountId\]\) VALUES \(source\.\[s0\], source\.\[s1\], source\.\[s2\], source\.\[s3\]\) OUTPUT \$action AS \[action\], source\.\[row\] AS \[row\], INSERTED\.\[CustomerNo\] AS \[number\];$/,
      );
      assert.deepEqual(merges[0]!.params.r0_3, { sqlType: 'decimal', value: 1_000_000.5 });
      allStatements.push(...session.statements.slice(0, 6));
    });

    it('isolates a record that fails a MERGE, so the others are still written', async () => {
      const { driver, session } = driverOn((sql, params) => {
        if (sql.startsWith('MERGE')) {
          if (Object.values(params).includes('K00002'))
            throw new SyncError({
              code: 'VALIDATION',
              system: 'nav',
              status: 2628,
              message: 'nav: String or binary data would be truncated',
            });
          return [
            { action: 'INSERT', row: 0, number: params.r0_1 },
            ...(params.r1_1 ? [{ action: 'INSERT', row: 1, number: params.r1_1 }] : []),
          ];
        }
        if (sql.includes('IN (')) return Object.values(params).map((n) => customerRow(String(n)));
        return [];
      });
      const writes: CustomerWrite[] = ['K00001', 'K00002', 'K00003'].map((number) => ({
        op: 'upsertByNumber',
        number,
        customer: { name: number },
      }));
      const results = await driver.customers!.writeBatch!(writes);
      assert.deepEqual(
        results.map((r) => (r.ok ? r.record.id : r.error.code)),
        ['K00001', 'VALIDATION', 'K00003'],
      );
      assert.equal(session.statementsMatching(/^MERGE/).length, 4, 'once together, then one by one');
    });

    it('refuses a create that lacks the field the MERGE matches on, naming it', async () => {
      const { driver } = driverOn(() => []);
      await assert.rejects(driver.customers!.create({ ids: { crm: 'A-9' }, name: 'No Number' }), (error: SyncError) => {
        assert.equal(error.code, 'VALIDATION');
        assert.match(error.message, /customer crm=A-9 has no ids\.nav, which the mapping merges on/);
        return true;
      });
    });

    it('updates only the fields given, guarded by the rowversion, telling a stale record from a missing one', async () => {
      let stored = customerRow('K-1');
      const { driver, session } = driverOn((sql, params) => {
        if (sql.startsWith('UPDATE')) return (params.etag as { value: Buffer }).value.equals(stored.v) ? [{}] : [];
        if (sql.includes('WHERE [CustomerNo] = @number')) return params.number === 'K-1' ? [stored] : [];
        return [];
      });
      const updated = await driver.customers!.update(
        'K-1',
        { email: 'new@fabrikam.example', blocked: 'all' },
        '0x000000000000004D',
      );
      assert.equal(updated.id, 'K-1');
      const update = session.statementsMatching(/^UPDATE/)[0]!;
      assert.equal(
        update.sql,
        'UPDATE [dbo].[Customers] SET [Email] = @s0, [Blocked] = @s1 WHERE [CustomerNo] = @number AND [RowVer] = @etag',
      );
      assert.equal(update.params.s1, 3, 'blocked as the mapping stores it');
      stored = customerRow('K-1', { v: version(78) });
      await assert.rejects(
        driver.customers!.update('K-1', { email: 'x@y.example' }, '0x000000000000004D'),
        (e: SyncError) => e.code === 'CONFLICT',
      );
      await assert.rejects(
        driver.customers!.update('K-404', { email: 'x@y.example' }, '0x000000000000004D'),
        (e: SyncError) => e.code === 'NOT_FOUND',
      );
      allStatements.push(...session.statements);
    });

    it('calls a named stored procedure with the fields as named parameters', async () => {
      const mapping = { customers: { ...MAPPING.customers, upsert: { procedure: 'dbo.UpsertCustomer' } } };
      const { driver, session } = driverOn((sql) => {
        if (sql.startsWith('EXEC')) return [{ number: 'K-7', created: 1 }];
        if (sql.includes('WHERE [CustomerNo] = @number')) return [customerRow('K-7')];
        return [];
      }, mapping);
      const record = await driver.customers!.create({
        ids: { crm: 'A-7' },
        name: 'Tailspin',
        address: { city: 'Köln' },
      } as Customer);
      assert.equal(record.id, 'K-7');
      const exec = session.statementsMatching(/^EXEC/)[0]!;
      assert.equal(
        exec.sql,
        'EXEC [dbo].[UpsertCustomer] @name = @name, @address_city = @address_city, @ids_crm = @ids_crm',
      );
      assert.deepEqual(exec.params, { name: 'Tailspin', address_city: 'Köln', ids_crm: 'A-7' });
      assert.ok(exec.transaction > 0);
      allStatements.push(...session.statements);
    });

    it('reads the change feed of a modification-time column with the key breaking ties between pages', async () => {
      const mapping = {
        customers: { table: 'dbo.Customers', key: 'CustomerNo', columns: { name: 'Name', modifiedAt: 'ModifiedAt' } },
      };
      const at = new Date('2026-11-20T08:00:00.000Z');
      const rows = ['K1', 'K2', 'K3'].map((k) => ({ k, c0: k, c1: at, v: at }));
      const { driver, session } = driverOn((sql, params) => {
        if (!sql.includes('DATETIME2(3)')) return [];
        const after = params.afterKey as string | undefined;
        return rows.filter((row) => after === undefined || row.k > after).slice(0, Number(params.pageSize));
      }, mapping);
      const pages: string[][] = [];
      for await (const page of driver.customers!.changedSince!('2026-11-20T08:00:00Z', 2))
        pages.push(page.map((r) => r.id));
      assert.deepEqual(pages, [['K1', 'K2'], ['K3']]);
      const [first, second] = session.statements;
      assert.match(
        first!.sql,
        /WHERE CAST\(\[ModifiedAt\] AS DATETIME2\(3\)\) >= @since ORDER BY CAST\(\[ModifiedAt\] AS DATETIME2\(3\)\), \[CustomerNo\]$/,
      );
      assert.match(
        second!.sql,
        /WHERE CAST\(\[ModifiedAt\] AS DATETIME2\(3\)\) > @since OR \(CAST\(\[ModifiedAt\] AS DATETIME2\(3\)\) = @since AND \[CustomerNo\] > @afterKey\)/,
      );
      assert.equal(second!.params.afterKey, 'K2');
      await assert.rejects(
        driver.customers!.changedSince!('0x00000000000007D1', 2).next(),
        /not a position such as 2026-03-01T08:00:00Z/,
      );
      allStatements.push(...session.statements);
    });
  });

  describe('orders', () => {
    const draft = (lines: number): OrderDraft => ({
      customerNumber: 'K-1',
      externalDocumentNumber: 'CRM-4F2A',
      orderDate: '2026-11-20',
      currency: 'EUR',
      useSourcePrices: false,
      lines: Array.from({ length: lines }, (_, i) => ({
        itemNumber: 'BIKE-1',
        quantity: i + 1,
        unitPrice: 1_234_567.89,
      })),
    });

    it('creates the header by MERGE on the external document number and 1,200 lines in the same transaction', async () => {
      const { driver, session } = driverOn((sql) => {
        if (sql.startsWith('MERGE')) return [{ action: 'INSERT' }];
        if (sql.includes('WHERE [ExternalRef] = @key')) return [{ k: 4711 }];
        if (sql.includes('FROM [sales].[Orders] WHERE [OrderNo] = @number')) {
          return [{ k: 4711, o0: 'CRM-4F2A', o1: 'K-1', o2: new Date('2026-11-20T00:00:00Z'), o3: 'EUR', o4: 1 }];
        }
        if (sql.includes('FROM [sales].[OrderLines]')) return [{ l0: 'BIKE-1', l1: 1, l2: null, l3: null }];
        return [];
      });
      const order = await driver.orders!.create(draft(1200));
      assert.equal(order.id, '4711');
      assert.equal(order.data.status, 'released');
      assert.deepEqual(order.data.lines, [{ itemNumber: 'BIKE-1', quantity: 1 }]);
      const writes = session.statements.filter((s) => s.transaction > 0);
      assert.ok(writes.every((s) => s.transaction === 1));
      const merge = writes[0]!;
      assert.equal(
        merge.sql,
        'MERGE INTO [sales].[Orders] WITH (HOLDLOCK) AS target USING (VALUES (@r0_0, @r0_1, @r0_2, @r0_3, @r0_4)) AS source ([s0], [s1], [s2], [s3], [s4]) ON target.[ExternalRef] = source.[s0] WHEN NOT MATCHED THEN INSERT ([ExternalRef], [CustomerNo], [OrderDate], [Currency], [Status]) VALUES (source.[s0], source.[s1], source.[s2], source.[s3], source.[s4]) OUTPUT $action AS [action];',
      );
      assert.deepEqual(merge.params.r0_2, { sqlType: 'date', value: '2026-11-20' });
      assert.equal(merge.params.r0_4, 0, 'a new order gets the mapped status');
      const lines = writes.filter((s) =>
        s.sql.startsWith(
          'INSERT INTO [sales].[OrderLines] ([OrderNo], [LineNo], [ItemNo], [Qty], [Description], [UnitPrice])',
        ),
      );
      assert.equal(lines.length, 4);
      for (const insert of lines) assert.ok(Object.keys(insert.params).length < MAX_PARAMETERS);
      assert.deepEqual(
        lines[0]!.params.r0_5,
        { sqlType: 'decimal', value: null },
        'the ERP prices the lines unless told otherwise',
      );
      allStatements.push(...session.statements.slice(0, 4), ...session.statements.slice(-3));
    });

    it('writes no lines for an order that already exists', async () => {
      const { driver, session } = driverOn((sql) => {
        if (sql.includes('WHERE [ExternalRef] = @key')) return [{ k: 4711 }];
        if (sql.includes('WHERE [OrderNo] = @number') && sql.includes('[sales].[Orders]'))
          return [{ k: 4711, o0: 'CRM-4F2A', o1: 'K-1', o2: new Date('2026-11-20T00:00:00Z'), o3: null, o4: 0 }];
        return [];
      });
      const order = await driver.orders!.create(draft(3));
      assert.equal(order.id, '4711');
      assert.equal(session.statementsMatching(/^INSERT/).length, 0);
    });

    it('hands header and lines to a stored procedure, the lines as JSON', async () => {
      const { driver, session } = driverOn(
        (sql) => {
          if (sql.startsWith('EXEC')) return [{ number: 'SO-1' }];
          if (sql.includes('[sales].[Orders] WHERE'))
            return [{ k: 'SO-1', o0: 'CRM-4F2A', o1: 'K-1', o2: new Date('2026-11-20T00:00:00Z'), o3: null, o4: 0 }];
          return [];
        },
        { orders: { ...MAPPING.orders, procedure: 'sales.CreateOrder' } },
      );
      await driver.orders!.create({ ...draft(2), useSourcePrices: true });
      const exec = session.statementsMatching(/^EXEC/)[0]!;
      assert.equal(
        exec.sql,
        'EXEC [sales].[CreateOrder] @externalDocumentNumber = @externalDocumentNumber, @customerNumber = @customerNumber, @orderDate = @orderDate, @requestedDeliveryDate = @requestedDeliveryDate, @currency = @currency, @useSourcePrices = @useSourcePrices, @lines = @lines',
      );
      assert.deepEqual(JSON.parse((exec.params.lines as { value: string }).value), [
        { lineNumber: 10000, itemNumber: 'BIKE-1', quantity: 1, unitPrice: 1_234_567.89 },
        { lineNumber: 20000, itemNumber: 'BIKE-1', quantity: 2, unitPrice: 1_234_567.89 },
      ]);
      allStatements.push(...session.statements);
    });
  });

  describe('invoices', () => {
    it('computes statuses from the mapped figures, with the local currency for a blank one', async () => {
      const { driver, session } = driverOn(
        () => [
          {
            i0: 'INV-1',
            i1: 'K-1',
            i2: 'SO-1',
            i3: new Date('2099-01-01T00:00:00Z'),
            i4: '',
            i5: 2_500_000.5,
            i6: 1_000_000.25,
            i7: 0,
          },
          {
            i0: 'INV-2',
            i1: 'K-1',
            i2: null,
            i3: new Date('2020-01-01T00:00:00Z'),
            i4: 'USD',
            i5: 100,
            i6: 100,
            i7: false,
          },
          {
            i0: 'INV-3',
            i1: 'K-1',
            i2: null,
            i3: new Date('2020-01-01T00:00:00Z'),
            i4: 'USD',
            i5: 100,
            i6: 0,
            i7: 'true',
          },
        ],
        { invoices: MAPPING.invoices },
        { localCurrency: 'chf' },
      );
      const invoices = await driver.invoices!.byCustomer('K-1');
      assert.deepEqual(
        invoices.map((i) => [i.invoiceNumber, i.status, i.currency, i.remainingAmount]),
        [
          ['INV-1', 'partiallyPaid', 'CHF', 1_000_000.25],
          ['INV-2', 'overdue', 'USD', 100],
          ['INV-3', 'cancelled', 'USD', 0],
        ],
      );
      assert.equal(
        session.statements[0]!.sql,
        'SELECT [InvoiceNo] AS [i0], [CustomerNo] AS [i1], [OrderNo] AS [i2], [DueDate] AS [i3], [Currency] AS [i4], [Amount] AS [i5], [Remaining] AS [i6], [IsCancelled] AS [i7] FROM [dbo].[InvoiceView] WHERE [CustomerNo] = @value ORDER BY [DueDate], [InvoiceNo]',
      );
      allStatements.push(...session.statements);
    });
  });

  describe('every statement sent', () => {
    it('is valid T-SQL; a MERGE, outside the parser’s grammar, has a VALUES source that parses', () => {
      assert.ok(allStatements.length > 15);
      for (const { sql } of allStatements) {
        if (parserCovers(sql)) {
          parseTsql(sql);
          continue;
        }
        assert.match(sql, /^MERGE INTO \[[^\]]+\]\.\[[^\]]+\] WITH \(HOLDLOCK\) AS target USING \(VALUES /);
        const source = /USING (\(VALUES .*?\) AS source \([^)]*\))/.exec(sql)?.[1];
        assert.ok(source, sql);
        parseTsql(`SELECT * FROM ${source}`);
        assert.match(sql, / OUTPUT \$action AS \[action\](, .*)?;$/);
      }
    });

    it('binds every value as a parameter', () => {
      for (const { sql, params } of allStatements)
        assert.deepEqual(parameterNames(sql), Object.keys(params).sort(), sql);
    });
  });
});
