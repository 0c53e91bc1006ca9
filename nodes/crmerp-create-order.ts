import type { Node, NodeAPI, NodeDef } from 'node-red';
import { SyncError, toSyncError, type ErrorInfo } from './lib/errors';
import {
  createOrder,
  createOrders,
  DEFAULT_TRANSFER_STATUSES,
  parseItemTable,
  parseStatuses,
  type CreateOrderOptions,
  type CreateOrderResult,
  type OrderStatus,
} from './lib/sync/create-order';
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
import { DEFAULT_OWNERSHIP } from './lib/sync/ownership';
import { CustomerUpsert } from './lib/sync/upsert-customer';
import type { StoreNode } from './runtime/store-config';

interface CreateOrderNodeDef extends NodeDef {
  connection: string;
  store: string;
  source: string;
  sourceType: string;
  /** Absent in flows written by hand: then the default. */
  statuses?: string[];
  itemLinks: boolean;
  itemTable: string;
  unknownItem: 'keep' | 'reject';
  useCrmPrices: boolean;
  writeBack: boolean;
  crmConnection: string;
  writeBackField: string;
  property: string;
  propertyType: string;
  errorHandling: ErrorHandling;
  lang: string;
  /** Upsert `msg.customer` into the ERP before the order, so an order of a new customer goes through. */
  upsertCustomer?: boolean;
  /** Keep orders that fail for good as dead letters; absent in flows from before the setting: on. */
  deadLetters?: boolean;
}

type ResultEntry = { index: number } & (
  ({ ok: true } & CreateOrderResult) | { ok: false; result: 'rejected' | 'failed'; error: ErrorInfo }
);

/** The settings that do not depend on the message, read once at deploy. */
interface FixedSettings {
  statuses: OrderStatus[];
  table: Record<string, string>;
}

function outcomeOf(error: SyncError): 'rejected' | 'failed' {
  return error.code === 'REJECTED' ? 'rejected' : 'failed';
}

export = function register(RED: NodeAPI): void {
  function CrmErpCreateOrderNode(this: Node, def: CreateOrderNodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const tally = new StatusTally(node);
    const lang = messageLang(RED, def.lang);
    let fixed: FixedSettings | undefined;
    let configError: SyncError | undefined;
    try {
      fixed = {
        statuses: parseStatuses(def.statuses ?? DEFAULT_TRANSFER_STATUSES, 'input'),
        table: parseItemTable(def.itemTable, 'input'),
      };
    } catch (error) {
      configError = toSyncError(error, 'input');
      node.error(configError.message);
      setStatus(node, 'error', 'CONFIG');
    }

    async function optionsFor(msg: InputContext['msg'], settings: FixedSettings): Promise<CreateOrderOptions> {
      // The editor's list of connection system names is plain text at run time.
      const sourceType = def.sourceType === 'system' ? 'str' : def.sourceType || 'str';
      const source = String(await evaluate(RED, node, msg, def.source || 'crm', sourceType));
      const options: CreateOrderOptions = {
        source,
        statuses: settings.statuses,
        items: { table: settings.table, useLinks: def.itemLinks === true, unknown: def.unknownItem ?? 'keep' },
        useSourcePrices: def.useCrmPrices === true,
        lang,
      };
      if (def.writeBack === true) {
        const crm = requireConfigNode<ConnectionNode>(
          RED,
          def.crmConnection,
          'CRM connection for the write-back',
          source,
        );
        options.writeBack = { crm: crm.getDriver(), ...(def.writeBackField ? { field: def.writeBackField } : {}) };
      }
      return options;
    }

    node.on('input', async (msg, send, done) => {
      const ctx: InputContext = { node, msg, send, done };
      let system = 'input';
      let letters: DeadLetters = NO_DEAD_LETTERS;
      let input: unknown;
      try {
        if (!fixed) throw configError;
        checkReplayTarget(msg, 'create-order');
        const connection = requireConfigNode<ConnectionNode>(RED, def.connection, 'ERP connection', 'input');
        system = connection.system;
        const storeNode = requireConfigNode<StoreNode>(RED, def.store, 'sync store', system);
        setStatus(node, 'connecting', connection.system);
        const [erp, store] = [connection.getDriver(), await storeNode.getStore()];
        const options = await optionsFor(msg, fixed);
        input = await evaluate(RED, node, msg, def.property || 'payload', def.propertyType || 'msg');
        const withCustomer = def.upsertCustomer === true && msg.customer !== undefined;
        letters = deadLettersFor({
          enabled: def.deadLetters,
          store,
          operation: 'create-order',
          source: options.source,
          node,
          // A replayed order brings its customer along, so the customer upsert runs again too.
          message: { topic: msg.topic, ...(withCustomer && !Array.isArray(input) ? { customer: msg.customer } : {}) },
        });
        setStatus(node, 'working', '');
        if (!Array.isArray(input)) {
          if (withCustomer) {
            const customer = await new CustomerUpsert(erp, store, {
              source: options.source,
              ownership: { ...DEFAULT_OWNERSHIP },
              createWritesAll: true,
              naturalKey: 'email',
              dryRun: false,
              skipProspects: false,
              lang,
            }).one(msg.customer);
            (msg as { customerResult?: unknown }).customerResult = { ...customer, error: customer.error?.toInfo() };
            if (customer.error) throw customer.error;
          }
          const result = await createOrder(erp, store, options, input);
          await letters.resolve([input]);
          tally.add(result.result);
          tally.show();
          msg.payload = result;
          sendResult(ctx, def.errorHandling, msg);
          done();
          return;
        }
        // The new orders of a list go to the ERP together (Business Central: one $batch per 100 orders);
        // an order repeated in the list answers existing.
        const outcomes = await createOrders(erp, store, options, input);
        const results: ResultEntry[] = [];
        const failures: SyncError[] = [];
        const created: unknown[] = [];
        for (const [index, outcome] of outcomes.entries()) {
          if (outcome.ok) {
            tally.add(outcome.result.result);
            created.push(input[index]);
            results.push({ index, ok: true, ...outcome.result });
          } else {
            const failure = await letters.keep(input[index], outcome.error);
            tally.add(outcomeOf(failure));
            failures.push(failure);
            results.push({ index, ok: false, result: outcomeOf(failure), error: failure.toInfo() });
          }
        }
        await letters.resolve(created);
        tally.show();
        sendListResults(RED, ctx, def.errorHandling, results, failures, (n, total) => `${n} of ${total} orders failed`);
      } catch (error) {
        const failure = await letters.keepInput(input, toSyncError(error, system));
        tally.add(outcomeOf(failure));
        sendFailure(ctx, def.errorHandling, failure, system);
      }
    });
  }

  RED.nodes.registerType('crmerp-create-order', CrmErpCreateOrderNode);
};
