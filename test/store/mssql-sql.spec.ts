import assert from 'node:assert/strict';
import { Parser } from 'node-sql-parser';
import {
  APPLOCK_STATEMENT,
  createSchemaStatement,
  mssqlDialect,
  storeDatabaseOptions,
} from '../../nodes/lib/store/mssql-backend';
import { poolConfig } from '../../nodes/drivers/sql/database';
import { RelationalStore } from '../../nodes/lib/store/relational-store';
import type { SqlBackend, SqlParams, SqlRunner } from '../../nodes/lib/store/sql-backend';

interface Statement {
  sql: string;
  params: SqlParams;
}

/**
 * Runs the store's logic on the SQL Server dialect without a server, to collect every statement it
 * sends. Answers are just enough for each code path to reach its next statement.
 */
function recordingBackend(answer: (sql: string, params: SqlParams) => unknown[]): {
  backend: SqlBackend;
  statements: Statement[];
} {
  const statements: Statement[] = [];
  const runner: SqlRunner = {
    all: async <T>(sql: string, params: SqlParams = {}) => {
      statements.push({ sql, params });
      return answer(sql, params) as T[];
    },
    run: async (sql: string, params: SqlParams = {}) => {
      statements.push({ sql, params });
      return { changes: 1 };
    },
  };
  const backend: SqlBackend = {
    ...runner,
    dialect: mssqlDialect('crm erp$int'),
    location: 'test',
    transaction: (work) => work(runner),
    exclusiveTransaction: (work) => work(runner),
    close: async () => undefined,
  };
  return { backend, statements };
}

const linkRow = {
  entity: 'customer',
  link_id: 'L-1',
  system: 'crm',
  record_id: 'A-1',
  created_at: new Date('2026-11-01T00:00:00Z'),
  updated_at: new Date('2026-11-02T00:00:00Z'),
};

describe('sync store on SQL Server: statements', () => {
  const parser = new Parser();
  let statements: Statement[];

  before(async () => {
    const recording = recordingBackend((sql, params) => {
      if (sql.includes('[watermarks]'))
        return params.name === 'crm.customer' ? [{ value: '2026-11-01T00:00:00Z' }] : [];
      if (sql.includes('DISTINCT')) return [{ link_id: 'L-1' }, { link_id: 'L-2' }];
      if (sql.includes('link_id = @linkId') && sql.startsWith('SELECT')) return [linkRow];
      return [];
    });
    const store = await RelationalStore.open(recording.backend);
    await store.link({ entity: 'customer', ids: { crm: 'A-1', erp: '10000' } }, { replace: true });
    await store.lookup('customer', 'crm', 'A-1');
    await store.unlinkRecord('customer', 'crm', 'A-1');
    await store.unlinkAll('customer', 'L-1');
    await store.list('customer', { limit: 2, after: 'L-0', system: 'crm' });
    await store.getWatermark('crm.customer');
    await store.setWatermark('crm.customer', '2026-11-02T00:00:00Z');
    await store.setWatermark('erp.customer', '2026-11-02T00:00:00.123Z');
    await store.clearWatermark('crm.customer');
    statements = [
      { sql: createSchemaStatement('crm erp$int'), params: {} },
      { sql: APPLOCK_STATEMENT, params: { resource: 'x' } },
      ...recording.statements,
    ];
  });

  it('covers DDL, reads, writes and paging', () => {
    const kinds = new Set(statements.map((s) => s.sql.split(/\s+/)[0]));
    assert.deepEqual([...kinds].sort(), ['CREATE', 'DELETE', 'EXEC', 'IF', 'INSERT', 'SELECT', 'UPDATE']);
    assert.ok(statements.length >= 15);
  });

  it('parses every statement as T-SQL', () => {
    for (const { sql } of statements) {
      assert.doesNotThrow(() => parser.astify(sql, { database: 'transactsql' }), `not valid T-SQL: ${sql}`);
    }
  });

  it('quotes the configured schema in brackets and uses no SQLite syntax', () => {
    for (const { sql } of statements) {
      assert.doesNotMatch(sql, /\bLIMIT\b|"/, sql);
      if (/\[links\]|\[schema_version\]|\[watermarks\]/.test(sql))
        assert.match(sql, /\[crm erp\$int\]\.\[(links|schema_version|watermarks)\]/, sql);
    }
    const paging = statements.find((s) => s.sql.includes('DISTINCT'));
    assert.equal(
      paging?.sql,
      'SELECT DISTINCT TOP (@limit) link_id FROM [crm erp$int].[links] WHERE entity = @entity AND link_id > @after AND system = @system ORDER BY link_id',
    );
    assert.deepEqual(paging?.params, { entity: 'customer', limit: 2, after: 'L-0', system: 'crm' });
  });

  it('passes every value as a parameter, never inside the SQL text', () => {
    for (const { sql } of statements) {
      for (const value of ['A-1', '10000', 'L-0', 'crm.customer', '2026-11-02T00:00:00Z'])
        assert.ok(!sql.includes(`'${value}'`), sql);
    }
    const insert = statements.find((s) => s.sql.startsWith('INSERT INTO [crm erp$int].[links]'));
    assert.deepEqual(Object.keys(insert?.params ?? {}).sort(), ['entity', 'linkId', 'now', 'recordId', 'system']);
  });

  it('keeps watermarks with plain SELECT, UPDATE, INSERT and DELETE, no dialect-specific upsert', () => {
    const watermarks = statements.filter((s) => s.sql.includes('[watermarks]') && !s.sql.startsWith('CREATE'));
    assert.deepEqual(
      watermarks.map((s) => [s.sql, s.params.name]),
      [
        ['SELECT value FROM [crm erp$int].[watermarks] WHERE name = @name', 'crm.customer'],
        ['SELECT value FROM [crm erp$int].[watermarks] WHERE name = @name', 'crm.customer'],
        ['UPDATE [crm erp$int].[watermarks] SET value = @value, updated_at = @now WHERE name = @name', 'crm.customer'],
        ['SELECT value FROM [crm erp$int].[watermarks] WHERE name = @name', 'erp.customer'],
        [
          'INSERT INTO [crm erp$int].[watermarks] (name, value, updated_at) VALUES (@name, @value, @now)',
          'erp.customer',
        ],
        ['DELETE FROM [crm erp$int].[watermarks] WHERE name = @name', 'crm.customer'],
      ],
    );
    for (const { sql } of statements) assert.doesNotMatch(sql, /\bMERGE\b|ON CONFLICT|\bUPSERT\b/i, sql);
  });

  it('creates the schema only when missing, with the name escaped inside EXEC', () => {
    assert.equal(
      createSchemaStatement("o'brien]x"),
      "IF SCHEMA_ID(N'o''brien]x') IS NULL EXEC(N'CREATE SCHEMA [o''brien]]x]')",
    );
  });

  it('runs on the package’s one SQL layer, with a SQL login only when a user is given', () => {
    const options = storeDatabaseOptions({
      server: 'db.example',
      port: 1433,
      database: 'crm',
      schema: 'crmerp',
      user: 'store',
      password: 'secret',
      encrypt: true,
      trustServerCertificate: false,
    });
    assert.equal(options.system, 'store');
    assert.deepEqual(options.authentication, { type: 'sql', user: 'store', password: 'secret' });
    const config = poolConfig(options);
    assert.deepEqual([config.server, config.port, config.database, config.user], ['db.example', 1433, 'crm', 'store']);
    assert.deepEqual([config.options?.encrypt, config.options?.trustServerCertificate], [true, false]);
    const anonymous = storeDatabaseOptions({
      server: 'db.example',
      database: 'crm',
      schema: 'crmerp',
      encrypt: true,
      trustServerCertificate: true,
    });
    assert.equal(anonymous.authentication, undefined);
    assert.equal(poolConfig(anonymous).user, undefined);
  });
});
