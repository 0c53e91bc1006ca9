/**
 * Reading a change feed in batches behind a watermark, for the read changes node. A run reads the
 * records changed after the stored watermark, one batch at a time; the watermark moves to a batch's
 * last change only once the caller releases the batch (acknowledged, or sent), never before, so a
 * crash means the batch is read again, never that it is lost.
 */
import { createHash, randomUUID } from 'node:crypto';
import { SyncError } from '../errors';
import type { ChangedSince, SystemDriver, SystemRecord } from '../ports';
import type { SyncStore } from '../store/ports';

export const CHANGE_ENTITIES = ['customer', 'order', 'invoice'] as const;
export type ChangeEntity = (typeof CHANGE_ENTITIES)[number];

/** What a batch says about itself (`msg.changes`). */
export interface BatchInfo {
  /** The watermark's name. */
  watermark: string;
  /** 1-based within the run. */
  batch: number;
  count: number;
  /** Modification time of the first and of the last record. */
  from: string;
  to: string;
  /** Identifies the batch when it comes back as an acknowledgement. */
  token: string;
  /** Nothing further was waiting when the batch was read. */
  last: boolean;
}

export interface ChangeBatch {
  records: Array<SystemRecord<unknown>>;
  info: BatchInfo;
  /** Records read in this run so far, this batch included. */
  total: number;
}

/** The outcome of a step of a run: a batch to deliver, the end of the run, or a run reset or stopped meanwhile. */
export type RunStep = { kind: 'batch'; batch: ChangeBatch } | { kind: 'upToDate' } | { kind: 'abandoned' };

export type WatermarkStore = Pick<SyncStore, 'getWatermark' | 'setWatermark' | 'clearWatermark'>;

export interface ChangeReaderOptions {
  feed: ChangedSince<unknown>;
  store: WatermarkStore;
  /** The watermark's name in the store. */
  watermark: string;
  batchSize: number;
  /** The system read, for messages. */
  system: string;
}

const ABANDONED = Symbol('abandoned');

interface Run {
  since?: Boundary;
  batch: number;
  total: number;
  inFlight?: { token: string; boundary: Boundary; last: boolean };
}

/** The entity a node is set to read; CONFIG for one this version does not know. */
export function changeEntity(value: string, system: string): ChangeEntity {
  const known: readonly string[] = CHANGE_ENTITIES;
  if (known.includes(value)) return value as ChangeEntity;
  throw new SyncError({
    code: 'CONFIG',
    system,
    message: `changes of ${JSON.stringify(value)} cannot be read; entities: ${CHANGE_ENTITIES.join(', ')}`,
  });
}

/** The change feed of an entity in a system; CONFIG when its driver has none. */
export function changeFeedOf(driver: SystemDriver, entity: ChangeEntity): ChangedSince<unknown> {
  const port = entity === 'customer' ? driver.customers : entity === 'order' ? driver.orders : driver.invoices;
  const feed: ChangedSince<unknown> | undefined = port?.changedSince?.bind(port);
  if (feed === undefined) {
    throw new SyncError({
      code: 'CONFIG',
      system: driver.system,
      message: `${driver.system}: the ${driver.driver} driver cannot read changed ${entity}s`,
    });
  }
  return feed;
}

/** A batch as read: its records and the modification times of the first and the last. */
export interface ReadBatch<T> {
  records: Array<SystemRecord<T>>;
  from: string;
  to: string;
  /** Nothing further was waiting. */
  last: boolean;
  /** What was read at the batch's last instant, so the next read can tell it from later changes there. */
  boundary: Boundary;
}

/**
 * The records read at a watermark's instant. Systems stamp changes in whole seconds (Dataverse) or
 * milliseconds, so a later change can carry the same time as the watermark: feeds are read from the
 * watermark inclusively, and what was delivered there is recognised and left out. Within a run the
 * keys are known; across runs only their digest, kept in the watermark after its time.
 */
export interface Boundary {
  at: string;
  /** `id@etag` of each record read at `at`; known within a run. */
  keys?: ReadonlySet<string>;
  /** Digest of those keys, as stored in the watermark. */
  digest?: string;
}

const DIGEST_SEPARATOR = '#';

/** The watermark text for a boundary: its time, then the digest of what was read there. */
export function watermarkOf(boundary: Boundary): string {
  const digest = boundary.digest ?? (boundary.keys ? digestOf(boundary.keys) : undefined);
  return digest === undefined ? boundary.at : `${boundary.at}${DIGEST_SEPARATOR}${digest}`;
}

/** Reads a stored watermark; one without a digest (older versions, set by hand) is just a time. */
export function boundaryOf(watermark: string): Boundary {
  const cut = watermark.lastIndexOf(DIGEST_SEPARATOR);
  return cut < 0 ? { at: watermark } : { at: watermark.slice(0, cut), digest: watermark.slice(cut + 1) };
}

function keyOf(record: SystemRecord<unknown>): string {
  return `${record.id}@${record.etag ?? ''}`;
}

function digestOf(keys: Iterable<string>): string {
  return createHash('sha256')
    .update([...keys].sort().join('\n'))
    .digest('hex')
    .slice(0, 16);
}

function sameInstant(a: string, b: string): boolean {
  if (a === b) return true;
  const [left, right] = [Date.parse(a), Date.parse(b)];
  return !Number.isNaN(left) && left === right;
}

/**
 * The next batch after `since`, undefined when nothing changed: `batchSize` records, or more when the
 * records after the cut share the last one's modification time. The watermark is a time, so a batch
 * that ended inside such a group would make the next read skip the rest of it. Records at the
 * boundary's instant that were delivered before are left out; when only a digest is known and it no
 * longer matches (something changed there since), the whole group there is delivered again, which the
 * idempotent writers take as unchanged.
 */
export async function readBatch<T>(
  feed: ChangedSince<T>,
  boundary: Boundary | undefined,
  batchSize: number,
  system: string,
): Promise<ReadBatch<T> | undefined> {
  const records: Array<SystemRecord<T>> = [];
  /** The records at the boundary's instant, leading the feed, until it is known which are new. */
  let leading: Array<SystemRecord<T>> | undefined = boundary ? [] : undefined;
  const atTo = new Set<string>();
  let to: string | undefined;
  let last = true;

  const settleLeading = (): void => {
    if (leading === undefined || boundary === undefined) return;
    const group = leading;
    leading = undefined;
    if (group.length === 0) return;
    const seen = boundary.keys;
    const fresh = seen
      ? group.filter((record) => !seen.has(keyOf(record)))
      : boundary.digest === digestOf(group.map(keyOf))
        ? []
        : group;
    for (const record of group) atTo.add(keyOf(record));
    if (fresh.length > 0) {
      records.push(...fresh);
      to = boundary.at;
    }
  };

  // One record more than a batch tells whether more follow, usually within the same request.
  reading: for await (const page of feed(boundary?.at, batchSize + 1)) {
    for (const record of page) {
      const { modifiedAt } = record;
      if (modifiedAt === undefined) {
        throw new SyncError({
          code: 'TRANSIENT',
          system,
          retryable: false,
          message: `${system}: record ${record.number ?? record.id} came without its modification time`,
        });
      }
      if (leading !== undefined && boundary !== undefined && sameInstant(modifiedAt, boundary.at)) {
        leading.push(record);
        continue;
      }
      settleLeading();
      if (records.length >= batchSize && to !== undefined && !sameInstant(modifiedAt, to)) {
        last = false;
        break reading;
      }
      if (to === undefined || !sameInstant(modifiedAt, to)) atTo.clear();
      records.push(record);
      atTo.add(keyOf(record));
      to = modifiedAt;
    }
  }
  settleLeading();
  const first = records[0];
  if (first === undefined || to === undefined) return undefined;
  return { records, from: first.modifiedAt!, to, last, boundary: { at: to, keys: new Set(atTo) } };
}

/** One node's runs over one change feed: at most one at a time, one batch in flight. */
export class ChangeReader {
  private run: Run | undefined;
  /** The watermark write under way, which a reset waits for so it cannot land after the clearing. */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ChangeReaderOptions) {}

  /** A run is under way (reading, or waiting for its batch in flight to be released). */
  get running(): boolean {
    return this.run !== undefined;
  }

  /**
   * Starts a run from the stored watermark and reads its first batch; any run under way is abandoned.
   * `fromScratch` clears the watermark first: an initial load again.
   */
  async start(fromScratch = false): Promise<RunStep> {
    const run: Run = { batch: 0, total: 0 };
    this.run = run;
    const { store, watermark } = this.options;
    const since = fromScratch
      ? await this.within(
          run,
          this.writing.then(() => store.clearWatermark(watermark)),
        )
      : await this.within(run, store.getWatermark(watermark));
    if (since === ABANDONED) return { kind: 'abandoned' };
    if (typeof since === 'string') run.since = boundaryOf(since);
    return this.readNext(run);
  }

  /**
   * Releases the batch in flight: its last change becomes the watermark, then the next batch is read.
   * Undefined when `token` is not the batch in flight (a repeated or stale acknowledgement).
   */
  async release(token: string): Promise<RunStep | undefined> {
    const run = this.run;
    const inFlight = run?.inFlight;
    if (run === undefined || inFlight === undefined || inFlight.token !== token) return undefined;
    delete run.inFlight;
    const write = this.options.store.setWatermark(this.options.watermark, watermarkOf(inFlight.boundary));
    this.writing = write.catch(() => undefined);
    if ((await this.within(run, write)) === ABANDONED) return { kind: 'abandoned' };
    if (inFlight.last) {
      this.end(run);
      return { kind: 'upToDate' };
    }
    run.since = inFlight.boundary;
    return this.readNext(run);
  }

  /** Abandons the run; a batch in flight is read again by the next run. */
  stop(): void {
    this.run = undefined;
  }

  private async readNext(run: Run): Promise<RunStep> {
    const { feed, batchSize, system, watermark } = this.options;
    const found = await this.within(run, readBatch(feed, run.since, batchSize, system));
    if (found === ABANDONED) return { kind: 'abandoned' };
    if (found === undefined) {
      this.end(run);
      return { kind: 'upToDate' };
    }
    const { records, from, to, last, boundary } = found;
    run.batch += 1;
    run.total += records.length;
    const info: BatchInfo = { watermark, batch: run.batch, count: records.length, from, to, token: randomUUID(), last };
    run.inFlight = { token: info.token, boundary, last };
    return { kind: 'batch', batch: { records, info, total: run.total } };
  }

  /**
   * Awaits a piece of the run's work. A failure ends the run and is thrown, unless the run was abandoned
   * meanwhile (a reset, the node closed): then nobody waits for its outcome any more.
   */
  private async within<T>(run: Run, work: Promise<T>): Promise<T | typeof ABANDONED> {
    try {
      const result = await work;
      return this.run === run ? result : ABANDONED;
    } catch (error) {
      if (this.run !== run) return ABANDONED;
      this.run = undefined;
      throw error;
    }
  }

  private end(run: Run): void {
    if (this.run === run) this.run = undefined;
  }
}
