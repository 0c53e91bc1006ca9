import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { SyncError } from '../../nodes/lib/errors';
import { openStore, type SyncStore } from '../../nodes/lib/store';
import { LATEST_VERSION } from '../../nodes/lib/store/migrations';
import { mssqlTestConfig } from '../support/mssql';
import { tempDir } from '../support/tmp';

async function expectError(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<SyncError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SyncError, `expected a SyncError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return error;
  }
  assert.fail(`expected ${code}`);
}

/**
 * The same contract for every backend: SQLite always, SQL Server when MSSQL_URL points at one.
 * `reopen` opens the store `open` opened last once more (after it was closed).
 */
function storeContract(
  backendName: string,
  open: () => Promise<SyncStore>,
  reopen: () => Promise<SyncStore>,
  cleanUp: () => Promise<void>,
) {
  describe(`sync store (${backendName})`, function () {
    this.timeout(120_000);
    let store: SyncStore;

    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => store.close());
    after(cleanUp);

    it('creates its schema at the latest version', async () => {
      assert.equal(await store.schemaVersion(), LATEST_VERSION);
    });

    it('links ids of several systems and looks them up from any side', async () => {
      const outcome = await store.link({ entity: 'customer', ids: { crm: 'A-1', erp: '10000' } }, { replace: false });
      assert.equal(outcome.created, true);
      assert.equal(outcome.changed, true);
      assert.deepEqual(outcome.link.ids, { crm: 'A-1', erp: '10000' });
      const fromErp = await store.lookup('customer', 'erp', '10000');
      const fromCrm = await store.lookup('customer', 'crm', 'A-1');
      assert.deepEqual(fromErp, fromCrm);
      assert.equal(fromErp?.linkId, outcome.link.linkId);
      assert.equal(await store.lookup('customer', 'crm', 'A-2'), undefined);
      assert.equal(await store.lookup('order', 'crm', 'A-1'), undefined, 'entities are separate');
    });

    it('adds a third system to an existing link and reports unchanged repeats', async () => {
      const first = await store.link({ entity: 'customer', ids: { crm: 'A-1', erp: '10000' } }, { replace: false });
      const again = await store.link({ entity: 'customer', ids: { crm: 'A-1', erp: '10000' } }, { replace: false });
      assert.equal(again.changed, false);
      assert.equal(again.created, false);
      const third = await store.link({ entity: 'customer', ids: { erp: '10000', shop: 'S-9' } }, { replace: false });
      assert.equal(third.link.linkId, first.link.linkId);
      assert.deepEqual(third.link.ids, { crm: 'A-1', erp: '10000', shop: 'S-9' });
    });

    it('refuses to link an id that is linked elsewhere, naming both links', async () => {
      const a = await store.link({ entity: 'customer', ids: { crm: 'A-1', erp: '10000' } }, { replace: false });
      const b = await store.link({ entity: 'customer', ids: { crm: 'A-2', erp: '20000' } }, { replace: false });
      const error = await expectError(
        store.link({ entity: 'customer', ids: { crm: 'A-1', erp: '20000' } }, { replace: false }),
        'CONFLICT',
        new RegExp(`link ${a.link.linkId}: crm=A-1, erp=10000; link ${b.link.linkId}: crm=A-2, erp=20000`),
      );
      assert.equal(error.system, 'store');
      // nothing was written
      assert.deepEqual((await store.lookup('customer', 'crm', 'A-1'))?.ids, { crm: 'A-1', erp: '10000' });
      assert.deepEqual((await store.lookup('customer', 'crm', 'A-2'))?.ids, { crm: 'A-2', erp: '20000' });
    });

    it('refuses a second id of the same system in one link', async () => {
      const a = await store.link({ entity: 'customer', ids: { crm: 'A-1', erp: '10000' } }, { replace: false });
      await expectError(
        store.link({ entity: 'customer', ids: { crm: 'A-1', erp: '10001' } }, { replace: false }),
        'CONFLICT',
        new RegExp(`link ${a.link.linkId} \\(crm=A-1, erp=10000\\) already has erp=10000; erp=10001 cannot be added`),
      );
    });

    it('replaces when told to: the id moves and the old link keeps the rest', async () => {
      const a = await store.link({ entity: 'customer', ids: { crm: 'A-1', erp: '10000' } }, { replace: false });
      const b = await store.link({ entity: 'customer', ids: { crm: 'A-2', erp: '20000' } }, { replace: false });
      const moved = await store.link({ entity: 'customer', ids: { crm: 'A-1', erp: '20000' } }, { replace: true });
      assert.equal(moved.link.linkId, a.link.linkId);
      assert.deepEqual(moved.link.ids, { crm: 'A-1', erp: '20000' });
      assert.deepEqual(
        moved.moved.map((m) => `${m.system}=${m.recordId} from ${m.fromLinkId === a.link.linkId ? 'a' : 'b'}`).sort(),
        ['erp=10000 from a', 'erp=20000 from b'],
      );
      assert.equal(await store.lookup('customer', 'erp', '10000'), undefined);
      assert.deepEqual((await store.getLink('customer', b.link.linkId))?.ids, { crm: 'A-2' });
    });

    it('uses a given link id and keeps it unique per system', async () => {
      const outcome = await store.link({ entity: 'order', linkId: 'ORD-1', ids: { crm: 'O-1' } }, { replace: false });
      assert.equal(outcome.link.linkId, 'ORD-1');
      const more = await store.link({ entity: 'order', linkId: 'ORD-1', ids: { erp: 'SO-1' } }, { replace: false });
      assert.deepEqual(more.link.ids, { crm: 'O-1', erp: 'SO-1' });
    });

    it('refuses to move an id into a named link unless told to replace', async () => {
      const a = await store.link({ entity: 'customer', ids: { crm: 'A-1', erp: '10000' } }, { replace: false });
      await expectError(
        store.link({ entity: 'customer', linkId: 'L-NEW', ids: { crm: 'A-1' } }, { replace: false }),
        'CONFLICT',
        new RegExp(
          `cannot be linked as link L-NEW: the ids already belong to another link \\(link ${a.link.linkId}: crm=A-1, erp=10000\\)`,
        ),
      );
      assert.deepEqual((await store.getLink('customer', a.link.linkId))?.ids, { crm: 'A-1', erp: '10000' });
      const moved = await store.link({ entity: 'customer', linkId: 'L-NEW', ids: { crm: 'A-1' } }, { replace: true });
      assert.equal(moved.created, true);
      assert.deepEqual(moved.link.ids, { crm: 'A-1' });
      assert.deepEqual((await store.getLink('customer', a.link.linkId))?.ids, { erp: '10000' });
    });

    it('unlinks one id or a whole link', async () => {
      const a = await store.link(
        { entity: 'customer', ids: { crm: 'A-1', erp: '10000', shop: 'S-1' } },
        { replace: false },
      );
      const before = await store.unlinkRecord('customer', 'shop', 'S-1');
      assert.deepEqual(before?.ids, { crm: 'A-1', erp: '10000', shop: 'S-1' });
      assert.deepEqual((await store.getLink('customer', a.link.linkId))?.ids, { crm: 'A-1', erp: '10000' });
      assert.equal(await store.unlinkRecord('customer', 'shop', 'S-1'), undefined);
      await store.unlinkAll('customer', a.link.linkId);
      assert.equal(await store.lookup('customer', 'crm', 'A-1'), undefined);
    });

    it('lists links page by page without gaps or repeats', async () => {
      for (let i = 0; i < 25; i++) {
        await store.link(
          { entity: 'item', linkId: `L-${String(i).padStart(3, '0')}`, ids: { erp: `I-${i}`, crm: `P-${i}` } },
          { replace: false },
        );
      }
      const seen: string[] = [];
      let after: string | undefined;
      let pages = 0;
      do {
        const page = await store.list('item', { limit: 10, ...(after ? { after } : {}) });
        pages++;
        for (const link of page.links) {
          assert.equal(Object.keys(link.ids).length, 2);
          seen.push(link.linkId);
        }
        after = page.next;
      } while (after);
      assert.equal(pages, 3);
      assert.equal(seen.length, 25);
      assert.equal(new Set(seen).size, 25);
      const onlyErp = await store.list('item', { limit: 5, system: 'erp' });
      assert.deepEqual(onlyErp.links[0]?.ids, { crm: 'P-0', erp: 'I-0' }, 'a system filter still returns whole links');
    });

    it('rejects bad input with VALIDATION naming the field', async () => {
      await expectError(
        store.link({ entity: 'Customer', ids: { crm: 'A' } }, { replace: false }),
        'VALIDATION',
        /entity "Customer" is not valid/,
      );
      await expectError(
        store.link({ entity: 'customer', ids: {} }, { replace: false }),
        'VALIDATION',
        /customer: ids must be an object/,
      );
      await expectError(
        store.link({ entity: 'customer', ids: { crm: '' } }, { replace: false }),
        'VALIDATION',
        /customer crm: the record id must be a non-empty text/,
      );
      await expectError(
        store.lookup('customer', 'bad system', 'x'),
        'VALIDATION',
        /system name "bad system" is not valid/,
      );
    });

    it('keeps one watermark per name that never moves backwards', async () => {
      assert.equal(await store.getWatermark('crm.customer'), undefined);
      await store.setWatermark('crm.customer', '2026-11-02T08:00:00.500Z');
      await store.setWatermark('erp.customer', '2026-11-01T00:00:00Z');
      assert.equal(await store.getWatermark('crm.customer'), '2026-11-02T08:00:00.500Z');
      await store.setWatermark('crm.customer', '2026-11-02T07:59:59Z');
      // Later as text, earlier as a time: times compare as times.
      await store.setWatermark('crm.customer', '2026-11-02T08:00:00Z');
      assert.equal(await store.getWatermark('crm.customer'), '2026-11-02T08:00:00.500Z', 'an older value is ignored');
      await store.setWatermark('crm.customer', '2026-11-02T08:00:01Z');
      assert.equal(await store.getWatermark('crm.customer'), '2026-11-02T08:00:01Z');
      // A qualifier after # (what was read at that time) moves on at the same time, never back in time.
      await store.setWatermark('crm.customer', '2026-11-02T08:00:01Z#0a1b');
      await store.setWatermark('crm.customer', '2026-11-02T08:00:00Z#ffff');
      assert.equal(await store.getWatermark('crm.customer'), '2026-11-02T08:00:01Z#0a1b');
      await store.setWatermark('crm.customer', '2026-11-02T08:00:01Z#0000');
      assert.equal(await store.getWatermark('crm.customer'), '2026-11-02T08:00:01Z#0000');
      assert.equal(await store.getWatermark('erp.customer'), '2026-11-01T00:00:00Z', 'names are separate');
      await store.clearWatermark('crm.customer');
      assert.equal(await store.getWatermark('crm.customer'), undefined);
      await store.setWatermark('crm.customer', '2026-01-01T00:00:00Z');
      assert.equal(await store.getWatermark('crm.customer'), '2026-01-01T00:00:00Z', 'after clearing, any value goes');
    });

    it('keeps watermarks across a reopen', async () => {
      await store.setWatermark('erp.customer', '2026-11-02T08:00:00.123Z');
      await store.close();
      store = await reopen();
      assert.equal(await store.getWatermark('erp.customer'), '2026-11-02T08:00:00.123Z');
    });

    it('rejects an empty or overlong watermark name or value with VALIDATION', async () => {
      await expectError(store.getWatermark(''), 'VALIDATION', /the watermark name must be a non-empty text/);
      await expectError(
        store.setWatermark('x'.repeat(201), '2026-11-02T08:00:00Z'),
        'VALIDATION',
        /the watermark name must be a non-empty text of at most 200 characters/,
      );
      await expectError(
        store.setWatermark('crm.customer', '1'.repeat(101)),
        'VALIDATION',
        /the value of watermark crm\.customer must be a non-empty text of at most 100 characters/,
      );
    });

    it('holds 10,000 links and finds each from both sides', async () => {
      for (let i = 0; i < 10_000; i++) {
        await store.link({ entity: 'customer', ids: { crm: `crm-${i}`, erp: `${100000 + i}` } }, { replace: false });
      }
      for (let i = 0; i < 10_000; i++) {
        const fromCrm = await store.lookup('customer', 'crm', `crm-${i}`);
        assert.equal(fromCrm?.ids.erp, `${100000 + i}`);
        const fromErp = await store.lookup('customer', 'erp', `${100000 + i}`);
        assert.equal(fromErp?.ids.crm, `crm-${i}`);
        assert.equal(fromErp?.linkId, fromCrm?.linkId);
      }
      let total = 0;
      let after: string | undefined;
      do {
        const page = await store.list('customer', { limit: 1000, ...(after ? { after } : {}) });
        total += page.links.length;
        after = page.next;
      } while (after);
      assert.equal(total, 10_000);
    });
  });
}

const sqliteDir = tempDir('store');
let sqliteFiles = 0;
const sqliteStore = (index: number) =>
  openStore({ backend: 'sqlite', file: join(sqliteDir.path, `links-${index}.db`), synchronous: 'normal' });
storeContract(
  'SQLite',
  () => sqliteStore(sqliteFiles++),
  () => sqliteStore(sqliteFiles - 1),
  async () => sqliteDir.remove(),
);

const mssql = mssqlTestConfig();
if (mssql) {
  let schemas = 0;
  const prefix = `crmerp_test_${process.pid}_`;
  storeContract(
    'SQL Server',
    () => openStore({ ...mssql, schema: `${prefix}${schemas++}` }),
    () => openStore({ ...mssql, schema: `${prefix}${schemas - 1}` }),
    async () => undefined,
  );
} else {
  describe('sync store (SQL Server)', () => {
    it('runs only when MSSQL_URL is set (e.g. mssql://sa:Passw0rd!@127.0.0.1:1433/master?trustServerCertificate=true)');
  });
}

describe('sync store file', () => {
  const dir = tempDir('store-file');
  after(() => dir.remove());

  it('keeps links across a reopen', async () => {
    const file = join(dir.path, 'reopen.db');
    const first = await openStore({ backend: 'sqlite', file, synchronous: 'full' });
    await first.link({ entity: 'customer', ids: { crm: 'A-1', erp: '10000' } }, { replace: false });
    await first.close();
    const second = await openStore({ backend: 'sqlite', file, synchronous: 'full' });
    assert.deepEqual((await second.lookup('customer', 'crm', 'A-1'))?.ids, { crm: 'A-1', erp: '10000' });
    await second.close();
  });

  it('tells a second process that the file is in use', async () => {
    const file = join(dir.path, 'exclusive.db');
    const owner = await openStore({ backend: 'sqlite', file, synchronous: 'full' });
    const writer = join(__dirname, '..', 'support', 'store-writer.js');
    const child = spawn(process.execPath, [writer, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    await owner.close();
    assert.equal(code, 1);
    assert.match(stderr, /is in use by another process .* The SQLite store serves one instance only/);
  });
});
