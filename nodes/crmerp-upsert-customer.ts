import type { Node, NodeAPI, NodeDef } from 'node-red';
import { SyncError, toSyncError, type ErrorInfo } from './lib/errors';
import type { NaturalKey } from './lib/ports';
import { parseOwnership } from './lib/sync/ownership';
import { CustomerUpsert, type UpsertResult } from './lib/sync/upsert-customer';
import type { ConnectionNode } from './runtime/connection-config';
import {
  requireConfigNode,
  sendFailure,
  sendListResults,
  sendResult,
  StatusTally,
  type ErrorHandling,
} from './runtime/operation';
import { evaluate, messageLang, setStatus, type InputContext } from './runtime/red';
import type { StoreNode } from './runtime/store-config';

interface UpsertNodeDef extends NodeDef {
  connection: string;
  store: string;
  source: string;
  sourceType: string;
  property: string;
  propertyType: string;
  ownership: string;
  createWritesAll: boolean;
  naturalKey: NaturalKey | 'none';
  skipProspects: boolean;
  dryRun: boolean;
  errorHandling: ErrorHandling;
  lang: string;
}

/** A result as it travels in msg.payload: plain JSON, the error in the contract's shape. */
type PlainResult = Omit<UpsertResult, 'error'> & { error?: ErrorInfo };
type ResultEntry = { index: number; ok: boolean } & (PlainResult | { result: 'failed'; error: ErrorInfo });

function plain(result: UpsertResult): PlainResult {
  const { error, ...rest } = result;
  return error ? { ...rest, error: error.toInfo() } : rest;
}

export = function register(RED: NodeAPI): void {
  function CrmErpUpsertCustomerNode(this: Node, def: UpsertNodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const tally = new StatusTally(node);
    const lang = messageLang(RED, def.lang);

    node.on('input', async (msg, send, done) => {
      const ctx: InputContext = { node, msg, send, done };
      let system = 'input';
      try {
        const connection = requireConfigNode<ConnectionNode>(RED, def.connection, 'target connection', 'input');
        system = connection.system;
        const storeNode = requireConfigNode<StoreNode>(RED, def.store, 'sync store', system);
        setStatus(node, 'connecting', connection.system);
        const [target, store] = [connection.getDriver(), await storeNode.getStore()];
        const source = String(
          await evaluate(
            RED,
            node,
            msg,
            def.source || 'crm',
            def.sourceType === 'system' ? 'str' : def.sourceType || 'str',
          ),
        );
        const upsert = new CustomerUpsert(target, store, {
          source,
          ownership: parseOwnership(def.ownership, system),
          createWritesAll: def.createWritesAll !== false,
          ...(def.naturalKey && def.naturalKey !== 'none' ? { naturalKey: def.naturalKey } : {}),
          // A flow may ask for a plan; it can never force a write on a node set to dry run.
          dryRun: def.dryRun === true || (msg as { dryRun?: unknown }).dryRun === true,
          skipProspects: def.skipProspects === true,
          lang,
        });
        const input = await evaluate(RED, node, msg, def.property || 'payload', def.propertyType || 'msg');
        setStatus(node, 'working', '');
        if (!Array.isArray(input)) {
          const result = await upsert.one(input);
          tally.add(result.result);
          tally.show();
          msg.payload = plain(result);
          if (result.result === 'rejected') {
            sendFailure(ctx, def.errorHandling, result.error, system);
            return;
          }
          sendResult(ctx, def.errorHandling, msg);
          done();
          return;
        }
        const outcomes = await upsert.many(input);
        const failures: SyncError[] = [];
        const results: ResultEntry[] = outcomes.map((outcome, index): ResultEntry => {
          if (outcome instanceof SyncError) {
            failures.push(outcome);
            tally.add('failed');
            return { index, ok: false, result: 'failed', error: outcome.toInfo() };
          }
          tally.add(outcome.result);
          if (outcome.error) failures.push(outcome.error);
          return { index, ok: outcome.result !== 'rejected', ...plain(outcome) };
        });
        tally.show();
        sendListResults(
          RED,
          ctx,
          def.errorHandling,
          results,
          failures,
          (n, total) => `${n} of ${total} customers failed`,
        );
      } catch (error) {
        tally.add('failed');
        sendFailure(ctx, def.errorHandling, toSyncError(error, system), system);
      }
    });
  }

  RED.nodes.registerType('crmerp-upsert-customer', CrmErpUpsertCustomerNode);
};
