import assert from 'node:assert/strict';
import { Parser } from 'node-sql-parser';
import { mssqlDialect } from '../../nodes/lib/store/mssql-backend';
import { MIGRATIONS } from '../../nodes/lib/store/migrations';
import { RelationalStore } from '../../nodes/lib/store/relational-store';
import type { SqlBackend, SqlParams, SqlRunner } from '../../nodes/lib/store/sql-backend';

interface Statement {
  sql: string;
  params: SqlParams;
}

const SCHEMA = 'crm erp$int';

const deadLetterRow = {
  id: '0190f3c2-7a4d-7000-8000-000000000001',
  entity: 'order',
  operation: 'create-order',
  source_system: 'crm',
  idempotency_key: 'SO-1',
  payload: '{"sourceId":"SO-1"}',
  msg_properties: '{"topic":"orders"}',
  error_code: 'REJECTED',
  reason: 'order SO-1 has status draft',
  attempts: 1,
  first_failed_at: new Date('2026-11-01T00:00:00Z'),
  last_failed_at: new Date('2026-11-01T00:00:00Z'),
  node_id: 'n1',
  node_name: null,
};

/**
 * Runs the store's dead-letter logic on the SQL Server dialect without a server, collecting every
 * statement it sends; the answers only lead each code path to its next statement.
 */
async function recordDeadLetterStatements(): Promise<Statement[]> {
  const statements: Statement[] = [];
  let putCalls = 0;
  const runner: SqlRunner = {
    all: async <T>(sql: string, params: SqlParams = {}) => {
      statements.push({ sql, params });
      if (!sql.includes('[dead_letters]')) return [] as T[];
      // The first put finds no dead letter (INSERT); the second finds it (UPDATE).
      if (sql.includes('idempotency_key = @key')) return (putCalls++ === 0 ? [] : [deadLetterRow]) as T[];
      return [deadLetterRow] as T[];
    },
    run: async (sql: string, params: SqlParams = {}) => {
      statements.push({ sql, params });
      return { changes: 1 };
    },
  };
  const backend: SqlBackend = {
    ...runner,
    dialect: mssqlDialect(SCHEMA),
    location: 'test',
    transaction: (work) => work(runner),
    exclusiveTransaction: (work) => work(runner),
    close: async () => undefined,
  };
  const store = await RelationalStore.open(backend);
  const input = {
    entity: 'order',
    operation: 'create-order',
    source: 'crm',
    key: 'SO-1',
    payload: { sourceId: 'SO-1' },
    code: 'REJECTED' as const,
    reason: 'order SO-1 has status draft',
  };
  await store.putDeadLetter(input);
  await store.putDeadLetter(input);
  await store.getDeadLetter(deadLetterRow.id);
  await store.listDeadLetters({ limit: 50, after: deadLetterRow.id, entity: 'order', code: 'REJECTED' });
  await store.listDeadLetters({ limit: 50 });
  await store.resolveDeadLetters('create-order', ['SO-1', 'SO-2']);
  await store.discardDeadLetter(deadLetterRow.id);
  await store.discardDeadLetters({ operation: 'create-order', source: 'crm' });
  await store.discardDeadLetters({});
  return statements.filter((s) => s.sql.includes('[dead_letters]'));
}

describe('dead letters on SQL Server: statements', () => {
  const parser = new Parser();
  let statements: Statement[];

  before(async () => {
    statements = await recordDeadLetterStatements();
  });

  it('creates the table in migration 4 with unbounded JSON columns and one dead letter per operation and key', () => {
    const [create] = MIGRATIONS.find((m) => m.version === 4)!.statements(mssqlDialect(SCHEMA));
    assert.ok(create);
    assert.match(create, /^CREATE TABLE \[crm erp\$int\]\.\[dead_letters\]/);
    assert.match(create, /payload NVARCHAR\(MAX\) NOT NULL/);
    assert.match(create, /msg_properties NVARCHAR\(MAX\) NOT NULL/);
    assert.match(create, /idempotency_key NVARCHAR\(300\) NOT NULL/);
    assert.match(create, /first_failed_at DATETIME2\(3\) NOT NULL/);
    assert.match(create, /CONSTRAINT dead_letters_one_per_key UNIQUE \(operation, idempotency_key\)/);
    assert.doesNotThrow(() => parser.astify(create, { database: 'transactsql' }), create);
    assert.ok(
      statements.some((s) => s.sql === create),
      'the migration ran',
    );
  });

  it('covers every kind of statement and parses each as T-SQL', () => {
    const kinds = new Set(statements.map((s) => s.sql.split(/\s+/)[0]));
    assert.deepEqual([...kinds].sort(), ['CREATE', 'DELETE', 'INSERT', 'SELECT', 'UPDATE']);
    for (const { sql } of statements) {
      assert.doesNotThrow(() => parser.astify(sql, { database: 'transactsql' }), `not valid T-SQL: ${sql}`);
      assert.doesNotMatch(sql, /\bLIMIT\b|"|\bMERGE\b|ON CONFLICT/, sql);
      if (!sql.startsWith('CREATE')) assert.match(sql, /\[crm erp\$int\]\.\[dead_letters\]/, sql);
    }
  });

  it('pages with TOP and a keyset on the id', () => {
    const page = statements.find((s) => s.sql.includes('TOP'));
    assert.equal(
      page?.sql,
      'SELECT TOP (@limit) id, entity, operation, source_system, idempotency_key, payload, msg_properties, error_code, reason, attempts, first_failed_at, last_failed_at, node_id, node_name FROM [crm erp$int].[dead_letters] WHERE entity = @entity AND error_code = @code AND id > @after ORDER BY id',
    );
    assert.deepEqual(page?.params, { entity: 'order', code: 'REJECTED', after: deadLetterRow.id, limit: 50 });
  });

  it('counts a repeated failure in the row and passes every value as a parameter', () => {
    const update = statements.find((s) => s.sql.startsWith('UPDATE'));
    assert.match(update?.sql ?? '', /attempts = attempts \+ 1, last_failed_at = @now/);
    assert.equal(update?.params.id, deadLetterRow.id);
    for (const { sql } of statements) {
      for (const value of ['SO-1', 'create-order', 'REJECTED', 'crm', deadLetterRow.id]) {
        assert.ok(!sql.includes(`'${value}'`), sql);
      }
    }
    const resolve = statements.find((s) => s.sql.includes('IN ('));
    assert.equal(
      resolve?.sql,
      'DELETE FROM [crm erp$int].[dead_letters] WHERE operation = @operation AND idempotency_key IN (@k0, @k1)',
    );
    assert.deepEqual(resolve?.params, { operation: 'create-order', k0: 'SO-1', k1: 'SO-2' });
  });
});
