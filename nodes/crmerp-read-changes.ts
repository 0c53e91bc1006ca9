import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { toSyncError } from './lib/errors';
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

type Msg = NodeMessageInFlow & { reset?: unknown; changes?: unknown };

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
    let opening: Promise<ChangeReader> | undefined;
    /** The message that started the current run; each batch goes out as a copy of it. */
    let trigger: NodeMessage = {};

    async function openReader(): Promise<ChangeReader> {
      const connection = requireConfigNode<ConnectionNode>(RED, def.connection, 'connection', 'input');
      system = connection.system;
      const storeNode = requireConfigNode<StoreNode>(RED, def.store, 'sync store', system);
      const entity = changeEntity(def.entity || 'customer', system);
      const feed = changeFeedOf(connection.getDriver(), entity);
      return new ChangeReader({
        feed,
        store: await storeNode.getStore(),
        watermark: def.watermark?.trim() || `${system}.${entity}`,
        batchSize,
        system,
      });
    }

    /** One reader per node, opened on first use; a failed opening is tried again by the next message. */
    function reader(): Promise<ChangeReader> {
      opening ??= openReader().catch((error: unknown) => {
        opening = undefined;
        throw error;
      });
      return opening;
    }

    /** Sends the step's batch; in `sent` mode releases it at once and goes on until the run ends. */
    async function deliver(ctx: InputContext, changes: ChangeReader, first: RunStep): Promise<void> {
      let step: RunStep = first;
      while (step.kind === 'batch') {
        const { records, info, total } = step.batch;
        const msg = RED.util.cloneMessage(trigger);
        msg.payload = records.map((record) => record.data);
        (msg as Msg).changes = info;
        sendResult(ctx, def.errorHandling, msg);
        setStatus(node, 'working', t(RED, 'crmerp-read-changes.status.batch', { count: total, batch: info.batch }));
        if (def.advanceOn !== 'sent') break;
        step = (await changes.release(info.token)) ?? { kind: 'abandoned' };
      }
      if (step.kind === 'upToDate') {
        setStatus(node, 'ok', t(RED, 'crmerp-read-changes.status.done', { time: clockTime() }));
      }
      ctx.done();
    }

    node.on('input', async (msg: Msg, send, done) => {
      const ctx: InputContext = { node, msg, send, done };
      try {
        const reset = msg.reset === true;
        const token = acknowledgedToken(msg);
        if (token !== undefined && !reset) {
          // An acknowledgement never starts a run; a repeated or stale one (from before a restart) is ignored.
          const changes = opening && (await opening);
          const step = await changes?.release(token);
          if (changes === undefined || step === undefined) done();
          else await deliver(ctx, changes, step);
          return;
        }
        const changes = await reader();
        if (changes.running && !reset) {
          setStatus(node, 'warning', t(RED, 'crmerp-read-changes.status.busy'));
          done();
          return;
        }
        trigger = RED.util.cloneMessage(msg);
        delete (trigger as Msg).reset;
        setStatus(node, 'working', t(RED, 'crmerp-read-changes.status.read'));
        await deliver(ctx, changes, await changes.start(reset));
      } catch (error) {
        sendFailure(ctx, def.errorHandling, toSyncError(error, system), system);
      }
    });

    node.on('close', () => {
      // A batch still in flight is read again by the next run.
      void opening?.then((changes) => changes.stop()).catch(() => undefined);
    });
  }

  RED.nodes.registerType('crmerp-read-changes', CrmErpReadChangesNode);
};
