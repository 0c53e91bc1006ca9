import type { Node, NodeAPI, NodeDef } from 'node-red';
import { SyncError, toSyncError, type ErrorInfo } from './lib/errors';
import type { NaturalKey } from './lib/ports';
import { parseOwnership } from './lib/sync/ownership';
import { CustomerUpsert, type UpsertResult } from './lib/sync/upsert-customer';
import type { ConnectionNode } from './runtime/connection-config';
import { checkReplayTarget, deadLettersFor, NO_DEAD_LETTERS, type DeadLetters } from './runtime/dead-letters';
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
  /** Keep records that fail for good as dead letters; absent in flows from before the setting: on. */
  deadLetters?: boolean;
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
      let letters: DeadLetters = NO_DEAD_LETTERS;
      let input: unknown;
      try {
        checkReplayTarget(msg, 'upsert-customer');
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
        // A flow may ask for a plan; it can never force a write on a node set to dry run.
        const dryRun = def.dryRun === true || (msg as { dryRun?: unknown }).dryRun === true;
        const upsert = new CustomerUpsert(target, store, {
          source,
          ownership: parseOwnership(def.ownership, system),
          createWritesAll: def.createWritesAll !== false,
          ...(def.naturalKey && def.naturalKey !== 'none' ? { naturalKey: def.naturalKey } : {}),
          dryRun,
          skipProspects: def.skipProspects === true,
          lang,
        });
        input = await evaluate(RED, node, msg, def.property || 'payload', def.propertyType || 'msg');
        letters = deadLettersFor({
          enabled: dryRun ? false : def.deadLetters,
          store,
          operation: 'upsert-customer',
          source,
          node,
          message: { topic: msg.topic },
        });
        setStatus(node, 'working', '');
        if (!Array.isArray(input)) {
          const result = await upsert.one(input);
          tally.add(result.result);
          tally.show();
          msg.payload = plain(result);
          if (result.result === 'rejected') {
            sendFailure(ctx, def.errorHandling, await letters.keep(input, result.error!), system);
            return;
          }
          await letters.resolve([input]);
          sendResult(ctx, def.errorHandling, msg);
          done();
          return;
        }
        const records = input;
        const outcomes = await upsert.many(records);
        const failures: SyncError[] = [];
        const results: ResultEntry[] = [];
        const written: unknown[] = [];
        for (const [index, outcome] of outcomes.entries()) {
          if (outcome instanceof SyncError) {
            const failure = await letters.keep(records[index], outcome);
            failures.push(failure);
            tally.add('failed');
            results.push({ index, ok: false, result: 'failed', error: failure.toInfo() });
            continue;
          }
          tally.add(outcome.result);
          if (outcome.error) {
            const failure = await letters.keep(records[index], outcome.error);
            failures.push(failure);
            results.push({ index, ok: false, ...plain(outcome), error: failure.toInfo() });
            continue;
          }
          written.push(records[index]);
          results.push({ index, ok: true, ...plain(outcome) });
        }
        await letters.resolve(written);
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
        const failure = await letters.keepInput(input, toSyncError(error, system));
        sendFailure(ctx, def.errorHandling, failure, system);
      }
    });
  }

  RED.nodes.registerType('crmerp-upsert-customer', CrmErpUpsertCustomerNode);
};
