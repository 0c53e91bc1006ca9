import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { SyncError, toSyncError } from './lib/errors';
import type { SyncStore } from './lib/store/ports';
import { ChangeReader, changeEntity, changeFeedOf, type RunStep } from './lib/sync/read-changes';
import type { ConnectionNode } from './runtime/connection-config';
import { requireConfigNode, sendFailure, sendResult, type ErrorHandling } from './runtime/operation';
import { setStatus, t, type InputContext } from './runtime/red';
import type { StoreNode } from './runtime/store-config';

interface ReadChangesNodeDef extends NodeDef {
  connection: string;
  store: string;
  entity: string;
  batchSize: string | number;
  watermark: string;
  /** When the watermark moves to a batch's last change: once the batch comes back acknowledged, or once it is sent. */
  advanceOn: 'ack' | 'sent';
  errorHandling: ErrorHandling;
}

type Msg = NodeMessageInFlow & { reset?: unknown; changes?: unknown; pause?: unknown; resume?: unknown };

const DEFAULT_BATCH_SIZE = 100;
const MAX_BATCH_SIZE = 1000;

/** The token of a batch this node sent, when the message comes back as its acknowledgement. */
function acknowledgedToken(msg: Msg): string | undefined {
  const token: unknown = (msg.changes as { token?: unknown } | null | undefined)?.token;
  return typeof token === 'string' ? token : undefined;
}

function batchSizeOf(setting: string | number | undefined): number {
  const size = Math.floor(Number(setting));
  return Number.isFinite(size) && size >= 1 ? Math.min(size, MAX_BATCH_SIZE) : DEFAULT_BATCH_SIZE;
}

/** What a message asks of the pause state: `msg.pause` / `msg.resume` set to true, or that topic. */
function pauseRequestOf(msg: Msg): 'pause' | 'resume' | undefined {
  const pause = msg.pause === true || msg.topic === 'pause';
  const resume = msg.resume === true || msg.topic === 'resume';
  if (pause && resume) {
    throw new SyncError({
      code: 'VALIDATION',
      system: 'input',
      message: 'the message asks to pause and to resume at once; send one of msg.pause, msg.resume',
    });
  }
  return pause ? 'pause' : resume ? 'resume' : undefined;
}

/**
 * Whether a feed is paused, kept in the sync store beside its watermark (as `<watermark>#paused`, holding
 * the time of the pause) so it survives a restart; likewise that a run is waiting for the resume
 * (`<watermark>#pending`).
 */
class PauseState {
  paused = false;
  /** The trigger that came while paused (the latest; a reset among them is kept). */
  private waiting: NodeMessage | undefined;
  private waitingStored = false;
  private readonly pausedName: string;
  private readonly pendingName: string;

  constructor(
    private readonly store: SyncStore,
    watermark: string,
  ) {
    this.pausedName = `${watermark}#paused`;
    this.pendingName = `${watermark}#pending`;
  }

  get pending(): boolean {
    return this.waiting !== undefined || this.waitingStored;
  }

  async load(): Promise<void> {
    const [paused, pending] = await Promise.all([
      this.store.getWatermark(this.pausedName),
      this.store.getWatermark(this.pendingName),
    ]);
    this.paused = paused !== undefined;
    this.waitingStored = pending !== undefined;
  }

  async pause(): Promise<void> {
    if (!this.paused) await this.store.setWatermark(this.pausedName, new Date().toISOString());
    this.paused = true;
  }

  /** Remembers a trigger for the resume; one run starts then, however many came. */
  async remember(trigger: NodeMessage): Promise<void> {
    const reset = (trigger as Msg).reset === true || (this.waiting as Msg | undefined)?.reset === true;
    this.waiting = { ...trigger, ...(reset && { reset: true }) };
    if (!this.waitingStored) await this.store.setWatermark(this.pendingName, new Date().toISOString());
    this.waitingStored = true;
  }

  /** Ends the pause; returns the trigger of the run to start, if one came meanwhile (`{}` after a restart). */
  async resume(): Promise<NodeMessage | undefined> {
    const trigger = this.waiting ?? (this.waitingStored ? {} : undefined);
    await this.store.clearWatermark(this.pendingName);
    await this.store.clearWatermark(this.pausedName);
    this.paused = false;
    this.waiting = undefined;
    this.waitingStored = false;
    return trigger;
  }
}

interface Feed {
  changes: ChangeReader;
  pause: PauseState;
}

/** Local wall-clock time, hh:mm:ss, short enough for a status. */
function clockTime(date = new Date()): string {
  return date.toTimeString().slice(0, 8);
}

export = function register(RED: NodeAPI): void {
  function CrmErpReadChangesNode(this: Node, def: ReadChangesNodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const batchSize = batchSizeOf(def.batchSize);
    let system = 'input';
    let opening: Promise<Feed> | undefined;
    /** The message that started the current run; each batch goes out as a copy of it. */
    let trigger: NodeMessage = {};

    async function openFeed(): Promise<Feed> {
      const connection = requireConfigNode<ConnectionNode>(RED, def.connection, 'connection', 'input');
      system = connection.system;
      const storeNode = requireConfigNode<StoreNode>(RED, def.store, 'sync store', system);
      const entity = changeEntity(def.entity || 'customer', system);
      const feed = changeFeedOf(connection.getDriver(), entity);
      const store = await storeNode.getStore();
      const watermark = def.watermark?.trim() || `${system}.${entity}`;
      const pause = new PauseState(store, watermark);
      await pause.load();
      return { changes: new ChangeReader({ feed, store, watermark, batchSize, system }), pause };
    }

    /** One reader per node, opened on first use; a failed opening is tried again by the next message. */
    function reader(): Promise<Feed> {
      opening ??= openFeed().catch((error: unknown) => {
        opening = undefined;
        throw error;
      });
      return opening;
    }

    function showPaused(pause: PauseState): void {
      const key = pause.pending ? 'crmerp-read-changes.status.wait' : 'crmerp-read-changes.status.pause';
      setStatus(node, 'warning', t(RED, key));
    }

    /**
     * Sends the step's batch; in `sent` mode releases it at once and goes on until the run ends. While paused
     * nothing more is sent: the run is abandoned (its unsent batch is read again) and waits for the resume.
     */
    async function deliver(ctx: InputContext, { changes, pause }: Feed, first: RunStep): Promise<void> {
      let step: RunStep = first;
      while (step.kind === 'batch') {
        if (pause.paused) {
          changes.stop();
          await pause.remember(trigger);
          showPaused(pause);
          ctx.done();
          return;
        }
        const { records, info, total } = step.batch;
        const msg = RED.util.cloneMessage(trigger);
        msg.payload = records.map((record) => record.data);
        (msg as Msg).changes = info;
        sendResult(ctx, def.errorHandling, msg);
        setStatus(node, 'working', t(RED, 'crmerp-read-changes.status.batch', { count: total, batch: info.batch }));
        if (def.advanceOn !== 'sent') break;
        step = (await changes.release(info.token)) ?? { kind: 'abandoned' };
      }
      if (pause.paused) showPaused(pause);
      else if (step.kind === 'upToDate') {
        setStatus(node, 'ok', t(RED, 'crmerp-read-changes.status.done', { time: clockTime() }));
      }
      ctx.done();
    }

    /** Starts a run for `message`; `reset` starts over with an initial load. */
    async function startRun(ctx: InputContext, feed: Feed, message: NodeMessage, reset: boolean): Promise<void> {
      trigger = RED.util.cloneMessage(message);
      for (const flag of ['reset', 'pause', 'resume'] as const) delete (trigger as Msg)[flag];
      setStatus(node, 'working', t(RED, 'crmerp-read-changes.status.read'));
      await deliver(ctx, feed, await feed.changes.start(reset));
    }

    node.on('input', async (msg: Msg, send, done) => {
      const ctx: InputContext = { node, msg, send, done };
      try {
        const request = pauseRequestOf(msg);
        const reset = msg.reset === true;
        const token = acknowledgedToken(msg);
        if (request === undefined && token !== undefined && !reset) {
          // An acknowledgement never starts a run; a repeated or stale one (from before a restart) is ignored.
          // While paused it still moves the watermark: the batch was delivered.
          const feed = opening && (await opening);
          const step = await feed?.changes.release(token);
          if (feed === undefined || step === undefined) done();
          else await deliver(ctx, feed, step);
          return;
        }
        const feed = await reader();
        if (request === 'pause') {
          await feed.pause.pause();
          showPaused(feed.pause);
          done();
          return;
        }
        if (request === 'resume') {
          const waiting = feed.pause.paused ? await feed.pause.resume() : undefined;
          if (waiting === undefined || feed.changes.running) {
            setStatus(node, 'ok', t(RED, 'crmerp-read-changes.status.go'));
            done();
            return;
          }
          await startRun(ctx, feed, waiting, (waiting as Msg).reset === true);
          return;
        }
        if (feed.pause.paused) {
          await feed.pause.remember(msg);
          showPaused(feed.pause);
          done();
          return;
        }
        if (feed.changes.running && !reset) {
          setStatus(node, 'warning', t(RED, 'crmerp-read-changes.status.busy'));
          done();
          return;
        }
        await startRun(ctx, feed, msg, reset);
      } catch (error) {
        sendFailure(ctx, def.errorHandling, toSyncError(error, system), system);
      }
    });

    // A node paused before a restart says so at once; a failure here is reported by the next message.
    reader().then(
      (feed) => {
        if (feed.pause.paused) showPaused(feed.pause);
      },
      () => undefined,
    );

    node.on('close', () => {
      // A batch still in flight is read again by the next run.
      void opening?.then((feed) => feed.changes.stop()).catch(() => undefined);
    });
  }

  RED.nodes.registerType('crmerp-read-changes', CrmErpReadChangesNode);
};
