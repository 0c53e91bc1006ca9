import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { SyncError } from '../../nodes/lib/errors';
import { SqlDatabase, type SqlServerOptions } from '../../nodes/drivers/sql/database';
import { MssqlBackend } from '../../nodes/lib/store/mssql-backend';
import { startFaultyServer, watchProcess, type Fault, type FaultyServer } from './faulty-server';

const CANARY = 'Canary-Secret-7f3a';

function options(port: number): SqlServerOptions {
  return {
    system: 'nav',
    server: '127.0.0.1',
    port,
    database: 'NAV',
    authentication: { type: 'sql', user: 'crm', password: CANARY },
    encrypt: false,
    trustServerCertificate: true,
    connectTimeoutMs: 400,
    requestTimeoutMs: 400,
    retry: { sleep: async () => undefined },
  };
}

async function expectSyncError(promise: Promise<unknown>): Promise<SyncError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SyncError, `not a SyncError: ${String(error)}`);
    assert.ok(!JSON.stringify({ m: error.message, d: error.details }).includes(CANARY), 'the password leaked');
    return error;
  }
  assert.fail('expected a failure');
}

describe('SQL layer against a broken SQL Server path', function () {
  this.timeout(20_000);

  for (const fault of ['reset', 'silent', 'garbage'] as Fault[]) {
    describe(`a server that ${fault === 'reset' ? 'resets every connection' : fault === 'silent' ? 'never answers' : 'answers with something else than TDS'}`, () => {
      let server: FaultyServer;
      let watch: ReturnType<typeof watchProcess>;

      beforeEach(async () => {
        server = await startFaultyServer(fault);
        watch = watchProcess();
      });
      afterEach(async () => {
        await tick();
        watch.stop();
        await server.close();
        assert.deepEqual(watch.problems, [], 'nothing may escape as an uncaught exception');
      });

      it('answers queries, streams and transactions with a SyncError naming the server, never the password', async () => {
        const db = new SqlDatabase(options(server.port));
        const query = await expectSyncError(db.query('SELECT 1 AS [one]'));
        assert.equal(query.system, 'nav');
        assert.match(query.message, /^nav: connecting to SQL Server 127\.0\.0\.1:\d+\/NAV failed: /);
        assert.ok(['TRANSIENT', 'CONFIG'].includes(query.code), query.code);
        assert.equal(query.retryable, true);
        const stream = db.stream('SELECT 1 AS [one]');
        await expectSyncError(stream.next());
        await expectSyncError(db.transaction(async (tx) => tx.execute('UPDATE [t] SET [a] = 1')));
        await db.close();
      });

      it('tries to connect again on the next call instead of keeping the failure', async () => {
        const db = new SqlDatabase(options(server.port));
        await expectSyncError(db.query('SELECT 1 AS [one]'));
        const before = server.connections;
        await expectSyncError(db.query('SELECT 1 AS [one]'));
        assert.ok(server.connections > before, 'a second attempt reached the server');
        await db.close();
      });

      it('fails every one of many concurrent calls on their own paths', async () => {
        const db = new SqlDatabase(options(server.port));
        const outcomes = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) => db.query('SELECT @i AS [i]', { i })),
        );
        assert.ok(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof SyncError));
        await db.close();
      });
    });
  }

  it('closes cleanly while a connect is under way, and refuses calls after closing', async () => {
    const server = await startFaultyServer('silent');
    const watch = watchProcess();
    try {
      const db = new SqlDatabase(options(server.port));
      const pending = db.query('SELECT 1 AS [one]');
      await db.close();
      await expectSyncError(pending);
      const after = await expectSyncError(db.query('SELECT 1 AS [one]'));
      assert.equal(after.code, 'CONFIG');
      assert.match(after.message, /closed/);
      await db.close();
    } finally {
      await tick();
      watch.stop();
      await server.close();
    }
    assert.deepEqual(watch.problems, []);
  });

  it('gives the sync store its documented CONFIG error, retryable, when it cannot connect', async () => {
    const server = await startFaultyServer('reset');
    try {
      const error = await expectSyncError(
        MssqlBackend.connect({
          server: '127.0.0.1',
          port: server.port,
          database: 'store',
          schema: 'crmerp',
          user: 'crm',
          password: CANARY,
          encrypt: false,
          trustServerCertificate: true,
          connectTimeoutMs: 400,
        }),
      );
      assert.equal(error.code, 'CONFIG');
      assert.equal(error.system, 'store');
      assert.equal(error.retryable, true);
      assert.match(error.message, /^cannot connect to the sync store on SQL Server 127\.0\.0\.1\/store: /);
    } finally {
      await server.close();
    }
  });
});
