/**
 * sandbox/sql/nav-demo.sql checked without a server: its batches parse as T-SQL, every column its
 * INSERTs and UPDATEs name exists (in its own tables, or in the staging tables the driver creates),
 * the tables look like NAV's, and the driver finds its tables and can build every read statement on
 * them. The test:sqlserver suite then runs the same script on a real SQL Server.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASE_APP_ID,
  matchTable,
  NAV_TABLES,
  quotedTable,
  type NavCompanySchema,
  type NavTableKey,
} from '../../nodes/drivers/nav-sql/names';
import { StagingSchema } from '../../nodes/drivers/nav-sql/staging';
import {
  customerByNumberStatement,
  customersChangedStatement,
  invoicesStatement,
  itemsChangedStatement,
  itemsStatement,
  localCurrencyStatement,
  salesOrderLinesStatement,
  salesOrderStatement,
} from '../../nodes/drivers/nav-sql/statements';
import { parseTsql } from './tsql';

// The script in the repository (this file runs from dist/test/sql).
const SCRIPT = join(__dirname, '..', '..', '..', 'sandbox', 'sql', 'nav-demo.sql');

type Node = Record<string, unknown>;

function batches(text: string): string[] {
  return text
    .split(/^GO\s*$/m)
    .map((batch) => batch.trim())
    .filter((batch) => batch.replace(/--.*$/gm, '').trim() !== '');
}

/** The statements inside `AS BEGIN … END` of a procedure. */
function procedureBody(batch: string): string[] {
  const body = /\bAS\s+BEGIN([\s\S]*)END\s*$/i.exec(batch.replace(/--.*$/gm, ''))?.[1] ?? '';
  return body
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

function walk(node: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (node !== null && typeof node === 'object') {
    visit(node as Node);
    Object.values(node).forEach((child) => walk(child, visit));
  }
}

const key = (db: unknown, table: unknown) => `${String(db ?? 'dbo')}.${String(table)}`.toLowerCase();

describe('the NAV demo database script', () => {
  const text = readFileSync(SCRIPT, 'utf8');
  const all = batches(text);
  /** `schema.table` in lower case → its name as written and its columns (lower case → type, spelling). */
  const tables = new Map<
    string,
    { name: string; columns: Map<string, { type: string; nullable: boolean; spelled: string }> }
  >();

  /** Tables and their columns from CREATE TABLE statements (the script's and the staging DDL). */
  function collectTables(ast: unknown): void {
    walk(ast, (node) => {
      if (node.type !== 'create' || node.keyword !== 'table') return;
      const [target] = node.table as Array<{ db: string; table: string }>;
      const columns = new Map<string, { type: string; nullable: boolean; spelled: string }>();
      for (const definition of node.create_definitions as Node[]) {
        if (definition.resource !== 'column') continue;
        const name = (definition.column as { column: string }).column;
        const type = definition.definition as { dataType: string; length?: number; scale?: number };
        columns.set(name.toLowerCase(), {
          type: `${type.dataType}${type.length !== undefined ? `(${type.length}${type.scale !== undefined ? `,${type.scale}` : ''})` : ''}`,
          nullable: (definition.nullable as { type?: string } | undefined)?.type !== 'not null',
          spelled: name,
        });
      }
      tables.set(key(target!.db, target!.table), { name: target!.table, columns });
    });
  }

  before(() => {
    for (const batch of all)
      if (!/^(CREATE (PROCEDURE|VIEW)|DROP PROCEDURE)/m.test(batch.replace(/--.*$/gm, '').trim()))
        collectTables(parseTsql(batch));
    for (const statement of new StagingSchema('crmerp').ddl()) {
      if (!statement.includes('FOREIGN KEY')) collectTables(parseTsql(statement));
      else collectTables(parseTsql(statement.replace(/, CONSTRAINT \[FK_[^\]]+\] FOREIGN KEY .*\)\)$/, ')')));
    }
  });

  it('parses batch by batch as T-SQL; of the procedures, the ERP job’s statements each parse', () => {
    const notCovered: string[] = [];
    for (const batch of all) {
      const code = batch.replace(/--.*$/gm, '').trim();
      if (/^CREATE PROCEDURE \[dbo\]\.\[crmerp_demo_process_inbound\]/.test(code)) {
        const statements = procedureBody(batch);
        assert.ok(statements.length > 15);
        for (const statement of statements) parseTsql(statement);
      } else if (/^(CREATE (PROCEDURE|VIEW)|DROP PROCEDURE)/.test(code)) {
        notCovered.push(code.split('\n')[0]!);
      } else {
        parseTsql(batch);
      }
    }
    assert.deepEqual(notCovered, [
      'DROP PROCEDURE IF EXISTS [dbo].[crmerp_demo_process_inbound];',
      'CREATE VIEW [shop].[InvoiceView] AS',
      'CREATE PROCEDURE [shop].[UpsertCustomer]',
      'CREATE PROCEDURE [shop].[CreateSalesOrder]',
    ]);
  });

  it('writes only columns that exist, in its data and in the ERP job (against the driver’s staging DDL)', () => {
    const statements = all.flatMap((batch) =>
      /CREATE PROCEDURE \[dbo\]\.\[crmerp_demo_process_inbound\]/.test(batch)
        ? procedureBody(batch)
        : /^(CREATE (PROCEDURE|VIEW)|DROP PROCEDURE)/m.test(batch.replace(/--.*$/gm, '').trim())
          ? []
          : [batch],
    );
    let checked = 0;
    for (const statement of statements) {
      const ast = parseTsql(statement);
      const aliases = new Map<string, string>();
      walk(ast, (node) => {
        if (typeof node.table === 'string' && typeof node.as === 'string')
          aliases.set(node.as.toLowerCase(), key(node.db, node.table));
      });
      const columnsOf = (table: string) => {
        const found = tables.get(table);
        assert.ok(found, `table ${table} is created by the script or the staging DDL (in: ${statement.slice(0, 60)})`);
        return found.columns;
      };
      walk(ast, (node) => {
        if (node.type === 'insert') {
          const [target] = node.table as Array<{ db: string; table: string }>;
          const columns = columnsOf(key(target!.db, target!.table));
          for (const column of node.columns as string[]) {
            assert.ok(columns.has(column.toLowerCase()), `${target!.table} has [${column}]`);
            checked++;
          }
        }
        if (node.type === 'update') {
          const [target] = node.table as Array<{ db: string | null; table: string }>;
          const table = aliases.get(target!.table.toLowerCase()) ?? key(target!.db, target!.table);
          for (const set of node.set as Array<{ column: string }>) {
            assert.ok(columnsOf(table).has(set.column.toLowerCase()), `${table} has [${set.column}]`);
            checked++;
          }
        }
        if (node.type === 'column_ref' && typeof node.table === 'string' && aliases.has(node.table.toLowerCase())) {
          const table = aliases.get(node.table.toLowerCase())!;
          assert.ok(columnsOf(table).has(String(node.column).toLowerCase()), `${table} has [${String(node.column)}]`);
          checked++;
        }
      });
    }
    assert.ok(checked > 300, `${checked} column references checked`);
  });

  it('shapes its NAV tables as NAV does: a rowversion, no NULLs, DECIMAL(38,20), DATETIME', () => {
    const navTables = [...tables.entries()].filter(([name]) => name.startsWith('dbo.cronus'));
    assert.equal(navTables.length, 19, '9 tables for each company and one companion table');
    for (const [name, { columns }] of navTables) {
      assert.equal(columns.get('timestamp')?.type, 'TIMESTAMP', `${name} has a [timestamp] rowversion`);
      for (const [column, { type, nullable }] of columns) {
        assert.equal(nullable, false, `${name}.[${column}] is NOT NULL`);
        assert.ok(!/^(DECIMAL|NUMERIC)/.test(type) || type === 'DECIMAL(38,20)', `${name}.[${column}] is ${type}`);
        assert.ok(!/DATE/.test(type) || type === 'DATETIME', `${name}.[${column}] is ${type}`);
      }
    }
  });

  for (const [company, prefix, style] of [
    ['CRONUS International Ltd.', 'CRONUS International Ltd_', 'nav'],
    ['CRONUS Cloud Ltd.', 'CRONUS Cloud Ltd_', 'bc'],
  ] as const) {
    it(`has every table the driver reads for "${company}", named ${style === 'nav' ? 'as NAV up to BC14' : 'as BC15+'}, with the columns its statements need`, () => {
      const names = [...tables.entries()].filter(([n]) => n.startsWith('dbo.')).map(([, t]) => t.name);
      const schema: NavCompanySchema = { company, prefix, style, tables: {} };
      for (const [tableKey, table] of Object.entries(NAV_TABLES) as Array<[NavTableKey, string]>) {
        const match = matchTable(prefix, table, names);
        assert.ok(match.found, `${table} of ${company}`);
        assert.equal(match.style, style);
        if (style === 'bc')
          assert.ok(match.name.endsWith(`$${BASE_APP_ID}`), 'the base app’s table, not the companion table');
        const { columns } = tables.get(`dbo.${match.name.toLowerCase()}`)!;
        const spelled = new Map([...columns.entries()].map(([lower, c]) => [lower, c.spelled]));
        schema.tables[tableKey] = { name: match.name, quoted: quotedTable('dbo', match.name), columns: spelled };
      }
      const statements = [
        customerByNumberStatement(schema, { salesperson: 'Salesperson Code' }, 'nav'),
        customersChangedStatement(schema, {}, 'nav', true),
        salesOrderStatement(schema, 'externalDocumentNumber', 'nav'),
        salesOrderLinesStatement(schema, 'nav'),
        invoicesStatement(schema, 'customer', 'nav'),
        itemsStatement(schema, 'nav', 'all'),
        itemsChangedStatement(schema, 'nav', false),
        localCurrencyStatement(schema, 'nav')!,
      ];
      for (const statement of statements) parseTsql(statement);
      // The NAV-style company's invoices have no [Cust_ Ledger Entry No_]: the driver joins by document number there.
      assert.equal(/cle\.\[Entry No_\] = sih\.\[Cust_ Ledger Entry No_\]/.test(statements[4]!), style === 'bc');
    });
  }
});
