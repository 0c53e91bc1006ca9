import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SyncError } from '../../nodes/lib/errors';
import { openStore, type SyncStore } from '../../nodes/lib/store';
import type { DeadLetterInput } from '../../nodes/lib/store/ports';
import { timeOrderedId } from '../../nodes/lib/store/relational-store';
import { mssqlTestConfig } from '../support/mssql';
import { sampleCustomer, sampleOrder } from '../support/samples';
import { tempDir } from '../support/tmp';

async function expectValidation(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SyncError, `expected a SyncError, got ${String(error)}`);
    assert.equal(error.code, 'VALIDATION');
    assert.equal(error.system, 'store');
    assert.match(error.message, pattern);
    return;
  }
  assert.fail('expected VALIDATION');
}

function rejectedOrder(overrides: Partial<DeadLetterInput> = {}): DeadLetterInput {
  return {
    entity: 'order',
    operation: 'create-order',
    source: 'crm',
    key: 'SO-2026-0042',
    payload: sampleOrder(),
    message: { topic: 'orders' },
    code: 'REJECTED',
    reason: 'customer crm=A-1001 of order SO-2026-0042 is not linked to erp; sync the customer first',
    nodeId: 'n1',
    nodeName: 'create order',
    ...overrides,
  };
}

function invalidCustomer(key: string, overrides: Partial<DeadLetterInput> = {}): DeadLetterInput {
  return {
    entity: 'customer',
    operation: 'upsert-customer',
    source: 'crm',
    key: `crm:${key}`,
    payload: sampleCustomer({ ids: { crm: key } }),
    code: 'VALIDATION',
    reason: `customer crm=${key}: phone is 31 characters long; the limit is 30`,
    ...overrides,
  };
}

/** The dead-letter part of the store contract, for every backend. */
function deadLetterContract(
  backendName: string,
  open: () => Promise<SyncStore>,
  reopen: () => Promise<SyncStore>,
  cleanUp: () => void,
) {
  describe(`dead letters in the sync store (${backendName})`, function () {
    this.timeout(120_000);
    let store: SyncStore;

    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => store.close());
    after(cleanUp);

    it('keeps a failed record with its payload, reason, key and message properties', async () => {
      const kept = await store.putDeadLetter(rejectedOrder());
      assert.match(kept.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.deepEqual(
        { ...kept, id: undefined, firstFailedAt: undefined, lastFailedAt: undefined },
        {
          ...rejectedOrder(),
          id: undefined,
          attempts: 1,
          firstFailedAt: undefined,
          lastFailedAt: undefined,
        },
      );
      assert.equal(kept.firstFailedAt, kept.lastFailedAt);
      assert.ok(!Number.isNaN(Date.parse(kept.firstFailedAt)));
      assert.deepEqual(await store.getDeadLetter(kept.id), kept);
      assert.equal(await store.getDeadLetter(timeOrderedId()), undefined);
    });

    it('counts a repeated failure on the same dead letter and keeps the latest payload and reason', async () => {
      const first = await store.putDeadLetter(rejectedOrder());
      await new Promise((resolve) => setTimeout(resolve, 5));
      const changed = sampleOrder({ orderDate: '2026-11-21' });
      const again = await store.putDeadLetter(
        rejectedOrder({ payload: changed, code: 'TRANSIENT', reason: 'erp: POST failed with HTTP 500' }),
      );
      assert.equal(again.id, first.id);
      assert.equal(again.attempts, 2);
      assert.equal(again.firstFailedAt, first.firstFailedAt);
      assert.ok(again.lastFailedAt > first.lastFailedAt, 'the last failure moves on');
      assert.deepEqual(
        [again.payload, again.code, again.reason],
        [changed, 'TRANSIENT', 'erp: POST failed with HTTP 500'],
      );
      const third = await store.putDeadLetter(rejectedOrder());
      assert.equal(third.attempts, 3);
      assert.equal((await store.listDeadLetters({ limit: 10 })).deadLetters.length, 1);
    });

    it('keeps one dead letter per operation and key: the same key of another operation is separate', async () => {
      const order = await store.putDeadLetter(rejectedOrder({ key: 'K-1' }));
      const customer = await store.putDeadLetter(invalidCustomer('x', { key: 'K-1' }));
      assert.notEqual(order.id, customer.id);
      assert.deepEqual(
        (await store.listDeadLetters({ limit: 10 })).deadLetters.map((d) => [d.operation, d.attempts]),
        [
          ['create-order', 1],
          ['upsert-customer', 1],
        ],
      );
    });

    it('lists page by page in the order of first failure, filtered by entity, operation, source and code', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await store.putDeadLetter(invalidCustomer(`C-${i}`))).id);
      ids.push((await store.putDeadLetter(rejectedOrder())).id);
      ids.push((await store.putDeadLetter(invalidCustomer('E-1', { source: 'shop', key: 'shop:E-1' }))).id);
      const seen: string[] = [];
      let after: string | undefined;
      let pages = 0;
      do {
        const page = await store.listDeadLetters({ limit: 4, ...(after ? { after } : {}) });
        seen.push(...page.deadLetters.map((d) => d.id));
        after = page.next;
        pages++;
      } while (after);
      assert.deepEqual(seen, ids, 'every dead letter once, oldest first');
      assert.equal(pages, 3);
      const orders = await store.listDeadLetters({ limit: 100, entity: 'order' });
      assert.deepEqual(
        orders.deadLetters.map((d) => d.key),
        ['SO-2026-0042'],
      );
      assert.equal(orders.next, undefined);
      assert.equal((await store.listDeadLetters({ limit: 100, operation: 'upsert-customer' })).deadLetters.length, 8);
      assert.equal((await store.listDeadLetters({ limit: 100, code: 'REJECTED' })).deadLetters.length, 1);
      assert.deepEqual(
        (await store.listDeadLetters({ limit: 100, source: 'shop', code: 'VALIDATION' })).deadLetters.map((d) => d.key),
        ['shop:E-1'],
      );
      assert.deepEqual((await store.listDeadLetters({ limit: 100, entity: 'invoice' })).deadLetters, []);
    });

    it('resolves dead letters by operation and key after a later success, in chunks for long lists', async () => {
      for (let i = 0; i < 3; i++) await store.putDeadLetter(invalidCustomer(`C-${i}`));
      const order = await store.putDeadLetter(rejectedOrder({ key: 'crm:C-1' }));
      const keys = Array.from({ length: 1200 }, (_, i) => `crm:C-${i + 1}`);
      assert.equal(await store.resolveDeadLetters('upsert-customer', keys), 2);
      assert.deepEqual(
        (await store.listDeadLetters({ limit: 10 })).deadLetters.map((d) => d.key),
        ['crm:C-0', 'crm:C-1'],
      );
      assert.deepEqual(await store.getDeadLetter(order.id), order, 'another operation keeps its dead letter');
      assert.equal(await store.resolveDeadLetters('upsert-customer', []), 0);
      assert.equal(await store.resolveDeadLetters('upsert-customer', ['crm:C-0', 'crm:C-0']), 1);
    });

    it('discards one dead letter by id, or all a filter matches', async () => {
      const order = await store.putDeadLetter(rejectedOrder());
      for (let i = 0; i < 3; i++) await store.putDeadLetter(invalidCustomer(`C-${i}`));
      await store.putDeadLetter(invalidCustomer('T-1', { code: 'TRANSIENT' }));
      assert.deepEqual(await store.discardDeadLetter(order.id), order);
      assert.equal(await store.discardDeadLetter(order.id), undefined, 'a second discard finds nothing');
      assert.equal(await store.discardDeadLetters({ operation: 'upsert-customer', code: 'VALIDATION' }), 3);
      assert.deepEqual(
        (await store.listDeadLetters({ limit: 10 })).deadLetters.map((d) => d.key),
        ['crm:T-1'],
      );
      assert.equal(await store.discardDeadLetters({}), 1);
      assert.deepEqual((await store.listDeadLetters({ limit: 10 })).deadLetters, []);
    });

    it('keeps a large payload and a long reason, shortening the reason to 4,000 characters', async () => {
      const lines = Array.from({ length: 400 }, (_, i) => ({
        itemNumber: `ITEM-${i}`,
        description: 'Ä'.repeat(40),
        quantity: i + 1,
      }));
      const kept = await store.putDeadLetter(
        rejectedOrder({ payload: sampleOrder({ lines }), reason: 'x'.repeat(5000) }),
      );
      const read = await store.getDeadLetter(kept.id);
      assert.deepEqual((read?.payload as { lines: unknown[] }).lines, lines);
      assert.equal(read?.reason.length, 4000);
      assert.ok(read?.reason.endsWith('…'));
    });

    it('keeps dead letters across a reopen', async () => {
      const kept = await store.putDeadLetter(rejectedOrder());
      await store.close();
      store = await reopen();
      assert.deepEqual(await store.getDeadLetter(kept.id), kept);
    });

    it('rejects what it cannot keep with VALIDATION naming the field, writing nothing', async () => {
      await expectValidation(store.putDeadLetter(rejectedOrder({ key: '' })), /order dead letter: the idempotency key/);
      await expectValidation(store.putDeadLetter(rejectedOrder({ key: 'k'.repeat(301) })), /at most 300 characters/);
      await expectValidation(
        store.putDeadLetter(rejectedOrder({ operation: 'Create Order' })),
        /operation "Create Order"/,
      );
      await expectValidation(store.putDeadLetter(rejectedOrder({ entity: 'Order' })), /entity "Order"/);
      await expectValidation(
        store.putDeadLetter(rejectedOrder({ code: 'OOPS' as DeadLetterInput['code'] })),
        /error code "OOPS" is not one of VALIDATION/,
      );
      const cyclic: Record<string, unknown> = { sourceId: 'SO-1' };
      cyclic.self = cyclic;
      await expectValidation(
        store.putDeadLetter(rejectedOrder({ payload: cyclic })),
        /the payload of order SO-2026-0042 cannot be kept as JSON/,
      );
      await expectValidation(
        store.putDeadLetter(rejectedOrder({ payload: undefined })),
        /the payload of order SO-2026-0042 cannot be kept as JSON: it is undefined/,
      );
      await expectValidation(store.listDeadLetters({ limit: 10, code: 'nope' as 'CONFIG' }), /error code "nope"/);
      await expectValidation(store.discardDeadLetters({ entity: 'A B' }), /entity "A B"/);
      assert.deepEqual((await store.listDeadLetters({ limit: 10 })).deadLetters, []);
    });
  });
}

describe('time-ordered dead letter ids', () => {
  it('sort in the order they were made, also within one millisecond, and start with the time', () => {
    const now = Date.now();
    const ids = Array.from({ length: 5000 }, () => timeOrderedId(now));
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
    const millis = Number.parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16);
    assert.ok(millis >= now && millis - now < 60_000, `${millis} is about ${now}`);
  });
});

const sqliteDir = tempDir('dead-letters');
let sqliteFiles = 0;
const sqliteStore = (index: number) =>
  openStore({ backend: 'sqlite', file: join(sqliteDir.path, `dead-letters-${index}.db`), synchronous: 'normal' });
deadLetterContract(
  'SQLite',
  () => sqliteStore(sqliteFiles++),
  () => sqliteStore(sqliteFiles - 1),
  () => sqliteDir.remove(),
);

const mssql = mssqlTestConfig();
if (mssql) {
  let schemas = 0;
  const prefix = `crmerp_dl_${process.pid}_`;
  deadLetterContract(
    'SQL Server',
    () => openStore({ ...mssql, schema: `${prefix}${schemas++}` }),
    () => openStore({ ...mssql, schema: `${prefix}${schemas - 1}` }),
    () => undefined,
  );
} else {
  describe('dead letters in the sync store (SQL Server)', () => {
    it('runs only when MSSQL_URL is set (e.g. mssql://sa:Passw0rd!@127.0.0.1:1433/master?trustServerCertificate=true)');
  });
}
