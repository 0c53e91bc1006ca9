import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChangedSince, SystemRecord } from '../../nodes/lib/ports';
import { openStore, type SyncStore } from '../../nodes/lib/store';
import { ChangeReader, type RunStep } from '../../nodes/lib/sync/read-changes';
import { tempDir } from '../support/tmp';

const WATERMARK = 'test.customer';

type Feed = ChangedSince<string> & { records: Array<SystemRecord<string>> };

/**
 * A change feed over records kept in time order, read inclusively as the OData drivers do, paged as
 * asked; `before` runs ahead of each page (delays, faults). `records` can be changed between reads.
 */
function feedOf(modifiedAt: string[], before: () => Promise<void> = async () => undefined): Feed {
  const records: Array<SystemRecord<string>> = modifiedAt.map((time, index) => ({
    id: `r${index}`,
    etag: 'v1',
    modifiedAt: time,
    data: `r${index}`,
  }));
  const feed = async function* (since: string | undefined, pageSize: number) {
    const changed = records.filter((record) => since === undefined || record.modifiedAt! >= since);
    for (let start = 0; start === 0 || start < changed.length; start += pageSize) {
      await before();
      yield changed.slice(start, start + pageSize);
    }
  };
  return Object.assign(feed, { records });
}

/** Changes record `id` (a new ETag) and stamps it `time`, keeping the feed in time order. */
function change(feed: Feed, id: string, time: string): void {
  const record = feed.records.find((candidate) => candidate.id === id)!;
  record.etag = `v${Number(record.etag!.slice(1)) + 1}`;
  record.modifiedAt = time;
  feed.records.sort((a, b) => a.modifiedAt!.localeCompare(b.modifiedAt!));
}

async function releaseAll(changes: ChangeReader, step: RunStep): Promise<string[][]> {
  const batches: string[][] = [];
  while (step.kind === 'batch') {
    batches.push(step.batch.records.map((record) => record.id));
    step = (await changes.release(step.batch.info.token))!;
  }
  return batches;
}

function idsOf(step: RunStep | undefined): string[] {
  assert.equal(step?.kind, 'batch');
  return step.kind === 'batch' ? step.batch.records.map((record) => record.id) : [];
}

describe('reading changes behind a watermark', () => {
  const dir = tempDir('read-changes');
  let store: SyncStore;
  let files = 0;

  beforeEach(async () => {
    store = await openStore({ backend: 'sqlite', file: join(dir.path, `store-${files++}.db`), synchronous: 'normal' });
  });
  afterEach(() => store.close());
  after(() => dir.remove());

  function reader(feed: ChangedSince<string>, batchSize = 2): ChangeReader {
    return new ChangeReader({ feed, store, watermark: WATERMARK, batchSize, system: 'test' });
  }

  it('keeps records changed at the same instant in one batch, across pages', async () => {
    const changes = reader(feedOf(['T1', 'T2', 'T2', 'T2', 'T3']));
    const first = await changes.start();
    assert.deepEqual(idsOf(first), ['r0', 'r1', 'r2', 'r3']);
    assert.deepEqual(
      first.kind === 'batch' && (({ from, to, count, last }) => ({ from, to, count, last }))(first.batch.info),
      { from: 'T1', to: 'T2', count: 4, last: false },
    );
    const second = await changes.release(first.kind === 'batch' ? first.batch.info.token : '');
    assert.deepEqual(idsOf(second), ['r4']);
    assert.equal(second?.kind === 'batch' && second.batch.info.last, true);
    assert.match((await store.getWatermark(WATERMARK))!, /^T2#[0-9a-f]{16}$/, 'moved by the released batch only');
  });

  it('delivers a change stamped with the same instant as the watermark, made after the batch was read', async () => {
    const feed = feedOf(['T1', 'T2', 'T2']);
    const changes = reader(feed, 10);
    assert.deepEqual(await releaseAll(changes, await changes.start()), [['r0', 'r1', 'r2']]);
    // r0 changes again within the same second as the last batch: the system stamps it T2 too.
    change(feed, 'r0', 'T2');
    assert.deepEqual(await releaseAll(changes, await changes.start()), [['r0', 'r1', 'r2']]);
    assert.deepEqual(await releaseAll(changes, await changes.start()), [], 'and then nothing, in a new run too');
  });

  it('leaves out, in the next run, what it delivered at the watermark; nothing is delivered twice', async () => {
    const feed = feedOf(['T1', 'T2', 'T2', 'T3']);
    const changes = reader(feed, 1);
    assert.deepEqual(await releaseAll(changes, await changes.start()), [['r0'], ['r1', 'r2'], ['r3']]);
    assert.deepEqual(await releaseAll(changes, await changes.start()), []);
    change(feed, 'r1', 'T4');
    assert.deepEqual(await releaseAll(changes, await changes.start()), [['r1']]);
  });

  it('delivers the group at a watermark of an older format again, rather than risk losing a change', async () => {
    const changes = reader(feedOf(['T1', 'T2', 'T2']), 10);
    await store.setWatermark(WATERMARK, 'T2');
    assert.deepEqual(await releaseAll(changes, await changes.start()), [['r1', 'r2']]);
    assert.deepEqual(await releaseAll(changes, await changes.start()), []);
  });

  it('ends a run whose read fails; the next run starts again at the stored watermark', async () => {
    let failures = 1;
    const changes = reader(
      feedOf(['T1', 'T2', 'T3'], async () => {
        if (failures-- > 0) throw new Error('connection reset');
      }),
    );
    await assert.rejects(changes.start(), /connection reset/);
    assert.equal(changes.running, false);
    assert.deepEqual(idsOf(await changes.start()), ['r0', 'r1']);
  });

  it('lets an abandoned run end quietly, even when its read fails after a reset', async () => {
    let calls = 0;
    const changes = reader(
      feedOf(['T1', 'T2'], async () => {
        if (++calls === 1) {
          await sleep(50);
          throw new Error('too late to matter');
        }
      }),
    );
    await store.setWatermark(WATERMARK, 'T1');
    const abandoned = changes.start();
    await sleep(10); // the first run is inside its read now
    const fresh = await changes.start(true);
    assert.deepEqual(idsOf(fresh), ['r0', 'r1'], 'the reset reads from the beginning');
    assert.deepEqual(await abandoned, { kind: 'abandoned' });
    assert.equal(changes.running, true, 'the fresh run still waits for its batch');
  });

  it('ignores a token that is not the batch in flight', async () => {
    const changes = reader(feedOf(['T1']));
    const first = await changes.start();
    assert.equal(await changes.release('someone-else'), undefined);
    const token = first.kind === 'batch' ? first.batch.info.token : '';
    assert.deepEqual(await changes.release(token), { kind: 'upToDate' });
    assert.equal(await changes.release(token), undefined, 'a repeated acknowledgement');
  });
});
