/**
 * What the suite knows about the flow under test, from the events Node-RED reports: how far each feed has
 * got, whether it has caught up, what the writers answered and how a replay is going. Kept in the suite's
 * process, so it survives every kill of Node-RED.
 */
import type { Feed, NodeRedEvent, WriterOperation } from './protocol';

export type Tally = Record<string, number>;

export interface FeedState {
  /** Records in acknowledged batches, over every life of Node-RED (a batch delivered again after a kill counts again). */
  acked: number;
  batches: number;
  /** Latest `to` of an acknowledged batch. */
  ackedTo: string;
  /** "Up to date" reports in the current life, and batches since the last one. */
  greens: number;
  batchesSinceGreen: number;
  /** A whole run found nothing to deliver: the feed has caught up. */
  quiet: boolean;
  readFailures: number;
  firstReadFailure?: string;
}

export interface ReplayState {
  sent: number;
  done: boolean;
  ok: number;
  failed: number;
}

/** Failure messages of each writer kept for the results. */
const FAILURE_EXAMPLES = 10;
/** The guess of the time a batch takes until two acknowledgements were measured. */
const INITIAL_BATCH_INTERVAL_MS = 20_000;

function newFeed(): FeedState {
  return { acked: 0, batches: 0, ackedTo: '', greens: 0, batchesSinceGreen: 0, quiet: false, readFailures: 0 };
}

const WRITERS: readonly WriterOperation[] = ['upsert-customer', 'create-order'];

export class FlowMonitor {
  readonly feeds: Record<Feed, FeedState> = { customers: newFeed(), orders: newFeed() };
  readonly results = Object.fromEntries(WRITERS.map((w) => [w, { feed: {}, replay: {} }])) as Record<
    WriterOperation,
    { feed: Tally; replay: Tally }
  >;
  readonly failures = Object.fromEntries(WRITERS.map((w) => [w, []])) as unknown as Record<WriterOperation, string[]>;
  readonly replays = Object.fromEntries(WRITERS.map((w) => [w, { sent: 0, done: false, ok: 0, failed: 0 }])) as Record<
    WriterOperation,
    ReplayState
  >;
  /** The last batch, acknowledgement or "up to date" of either feed. */
  lastMove = Date.now();
  /** The last message of a replay, or when the suite asked for one. */
  lastReplayEvent = Date.now();
  /** Time between two acknowledgements within one life of Node-RED, smoothed. */
  batchInterval = INITIAL_BATCH_INTERVAL_MS;
  flowsStarted = false;
  /** Batches sent in the current life of Node-RED. */
  batchesThisLife = 0;
  ordersOpen = false;
  private lastAck: number | undefined;

  /**
   * `openOrders` is called once the customer feed is past `orderCustomersChangedBy` (the orders' customers
   * are in the ERP), or has caught up.
   */
  constructor(
    private readonly orderCustomersChangedBy: string,
    private readonly openOrders: () => void,
  ) {}

  /** Records in acknowledged batches of both feeds. */
  get progress(): number {
    return this.feeds.customers.acked + this.feeds.orders.acked;
  }

  /** Both feeds ran once more without finding anything to deliver. */
  get converged(): boolean {
    return this.ordersOpen && this.feeds.customers.quiet && this.feeds.orders.quiet;
  }

  /** Node-RED starts again: nothing is known yet about whether its feeds have caught up. */
  newLife(): void {
    this.flowsStarted = false;
    this.lastAck = undefined;
    this.batchesThisLife = 0;
    this.lastMove = Date.now();
    this.forgetCatchUp();
  }

  /** Whether the feeds have caught up is to be seen anew, e.g. after a replay changed CRM orders. */
  forgetCatchUp(): void {
    for (const feed of Object.values(this.feeds))
      Object.assign(feed, { greens: 0, batchesSinceGreen: 0, quiet: false });
  }

  /** Why the load counts as stuck, or undefined while it moves. */
  stalled(stallMs: number): string | undefined {
    if (Date.now() - this.lastMove < stallMs) return undefined;
    const state = (name: Feed): string => {
      const feed = this.feeds[name];
      const failure = feed.firstReadFailure ? `, first read failure: ${feed.firstReadFailure}` : '';
      return `${name}: ${feed.acked} records acknowledged, last batch to ${feed.ackedTo || '–'}${failure}`;
    };
    return `no batch and no "up to date" for ${stallMs / 60_000} minutes (${state('customers')}; ${state('orders')})`;
  }

  handle(event: NodeRedEvent): void {
    switch (event.type) {
      case 'ready':
        this.flowsStarted = true;
        break;
      case 'batch': {
        const feed = this.feeds[event.feed];
        feed.batches += 1;
        feed.batchesSinceGreen += 1;
        feed.quiet = false;
        this.batchesThisLife += 1;
        this.lastMove = Date.now();
        break;
      }
      case 'acked':
        this.acknowledged(event.feed, event.count, event.to);
        break;
      case 'status': {
        const feed = this.feeds[event.feed];
        if (event.fill !== 'green') break;
        feed.quiet = feed.greens > 0 && feed.batchesSinceGreen === 0;
        feed.greens += 1;
        feed.batchesSinceGreen = 0;
        this.lastMove = Date.now();
        if (event.feed === 'customers' && feed.quiet) this.open();
        break;
      }
      case 'readFailed': {
        const feed = this.feeds[event.feed];
        feed.readFailures += 1;
        feed.firstReadFailure ??= event.message;
        break;
      }
      case 'results': {
        const counts = this.results[event.operation][event.replay ? 'replay' : 'feed'];
        for (const [kind, n] of Object.entries(event.kinds)) counts[kind] = (counts[kind] ?? 0) + n;
        const examples = this.failures[event.operation];
        if (event.message !== undefined && examples.length < FAILURE_EXAMPLES) {
          examples.push(event.message.slice(0, 500));
        }
        break;
      }
      case 'replaySent':
        this.replays[event.operation].sent += 1;
        this.lastReplayEvent = Date.now();
        break;
      case 'replayDone':
        this.replays[event.operation].done = true;
        this.lastReplayEvent = Date.now();
        break;
      case 'replayed':
        this.replays[event.operation][event.ok ? 'ok' : 'failed'] += 1;
        this.lastReplayEvent = Date.now();
        break;
      case 'reply':
        break;
    }
  }

  /** Every replayed record of `operation` came back from its writer, and nothing moved for a second. */
  replayFinished(operation: WriterOperation): boolean {
    const replay = this.replays[operation];
    return replay.done && replay.ok + replay.failed === replay.sent && Date.now() - this.lastReplayEvent > 1000;
  }

  private acknowledged(name: Feed, count: number, to: string): void {
    const feed = this.feeds[name];
    const now = Date.now();
    if (this.lastAck !== undefined) this.batchInterval = 0.8 * this.batchInterval + 0.2 * (now - this.lastAck);
    this.lastAck = now;
    this.lastMove = now;
    feed.acked += count;
    if (to > feed.ackedTo) feed.ackedTo = to;
    if (name === 'customers' && Date.parse(feed.ackedTo) >= Date.parse(this.orderCustomersChangedBy)) this.open();
  }

  private open(): void {
    if (this.ordersOpen) return;
    this.ordersOpen = true;
    this.openOrders();
  }
}
