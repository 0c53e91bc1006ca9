import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { SyncError, toSyncError } from './lib/errors';
import { quoteValue, recordIdentity, valueKind } from './lib/model/describe';
import type { LinkGroup, LinkOutcome } from './lib/store';
import { linkRequestFrom } from './lib/store/link-input';
import { checkEntity } from './lib/store/relational-store';
import { sendListResults } from './runtime/operation';
import { evaluate, fail, setStatus, t, type InputContext } from './runtime/red';
import type { StoreNode } from './runtime/store-config';

type Operation = 'link' | 'lookup' | 'unlink' | 'list';
const OPERATIONS: readonly Operation[] = ['link', 'lookup', 'unlink', 'list'];

interface LinkIdsNodeDef extends NodeDef {
  store: string;
  operation: Operation | 'msg';
  entity: string;
  entityType: string;
  system: string;
  systemType: string;
  recordId: string;
  recordIdType: string;
  targetSystem: string;
  onConflict: 'error' | 'replace';
  onMiss: 'output2' | 'null';
  pageSize: string;
}

interface LinkResult {
  index: number;
  ok: boolean;
  link?: LinkGroup;
  created?: boolean;
  changed?: boolean;
  error?: unknown;
}

type Msg = NodeMessageInFlow & { operation?: unknown; cursor?: unknown; link?: unknown; results?: unknown };

/** The editor's choice lists (entity names, system names of connection nodes) are plain strings at run time. */
function typeOf(editorType: string | undefined): string {
  return !editorType || editorType === 'entity' || editorType === 'system' ? 'str' : editorType;
}

function textOf(value: unknown, what: string): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value !== '') return value;
  const got = valueKind(value);
  throw new SyncError({ code: 'VALIDATION', system: 'input', message: `${what} must be text or a number, got ${got}` });
}

/** Only a lookup can miss, so only a node that may look up has the second output. */
function hasMissOutput(def: { operation: string; onMiss: string }): boolean {
  return def.onMiss === 'output2' && (def.operation === 'lookup' || def.operation === 'msg');
}

export = function register(RED: NodeAPI): void {
  function CrmErpLinkIdsNode(this: Node, def: LinkIdsNodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const storeNode = RED.nodes.getNode(def.store) as StoreNode | null;
    const outputs = hasMissOutput(def) ? 2 : 1;
    const pageSize = Math.max(1, Math.min(1000, Number.parseInt(def.pageSize, 10) || 100));
    const counts = { done: 0, missed: 0 };
    if (!storeNode) setStatus(node, 'error', t(RED, 'crmerp-link-ids.status.no-store'));

    async function operationOf(msg: Msg): Promise<Operation> {
      const op = def.operation === 'msg' ? msg.operation : def.operation;
      if (typeof op === 'string' && (OPERATIONS as readonly string[]).includes(op)) return op as Operation;
      throw new SyncError({
        code: 'VALIDATION',
        system: 'input',
        message: `msg.operation must be one of ${OPERATIONS.join(', ')}, got ${quoteValue(op)}`,
      });
    }

    /** Links one record or a list of them, each in its own transaction. */
    async function link(
      msg: Msg,
      entity: string,
      input: unknown,
    ): Promise<{ payload: unknown; failures: SyncError[] }> {
      const store = await storeNode!.getStore();
      const replace = def.onConflict === 'replace';
      const one = async (value: unknown, label: string): Promise<LinkOutcome> =>
        store.link(linkRequestFrom(value, entity, label), { replace });
      if (!Array.isArray(input)) {
        const outcome = await one(input, `${entity} ${recordIdentity(input) ?? ''}`.trim());
        msg.link = outcome;
        return { payload: outcome.link, failures: [] };
      }
      const results: LinkResult[] = [];
      const failures: SyncError[] = [];
      for (const [index, value] of input.entries()) {
        try {
          const outcome = await one(
            value,
            `${entity} record ${index}${recordIdentity(value) ? ` (${recordIdentity(value)})` : ''}`,
          );
          results.push({ index, ok: true, link: outcome.link, created: outcome.created, changed: outcome.changed });
        } catch (error) {
          const syncError = toSyncError(error, 'store');
          failures.push(syncError);
          results.push({ index, ok: false, error: syncError.toInfo() });
        }
      }
      msg.results = results;
      return { payload: results, failures };
    }

    node.on('input', async (msg: Msg, send, done) => {
      const ctx: InputContext = { node, msg, send, done };
      try {
        if (!storeNode)
          throw new SyncError({ code: 'CONFIG', system: 'store', message: 'no sync store is configured on this node' });
        setStatus(node, 'working', '');
        const operation = await operationOf(msg);
        const entity = checkEntity(await evaluate(RED, node, msg, def.entity || 'customer', typeOf(def.entityType)));
        const store = await storeNode.getStore();
        let payload: unknown;
        let missed = false;
        if (operation === 'link') {
          const input = await evaluate(RED, node, msg, def.recordId || 'payload', def.recordIdType || 'msg');
          const { payload: result, failures } = await link(msg, entity, input);
          payload = result;
          if (failures.length > 0) {
            sendListResults(
              RED,
              ctx,
              'catch',
              result as LinkResult[],
              failures,
              (n, total) => `${n} of ${total} links failed`,
            );
            return;
          }
        } else if (operation === 'list') {
          const after = typeof msg.cursor === 'string' && msg.cursor !== '' ? msg.cursor : undefined;
          const system = def.system
            ? textOf(await evaluate(RED, node, msg, def.system, typeOf(def.systemType)), 'the system name')
            : undefined;
          const page = await store.list(entity, {
            limit: pageSize,
            ...(after ? { after } : {}),
            ...(system ? { system } : {}),
          });
          payload = page.links;
          if (page.next === undefined) delete msg.cursor;
          else msg.cursor = page.next;
        } else {
          const system = textOf(await evaluate(RED, node, msg, def.system, typeOf(def.systemType)), 'the system name');
          const recordId = textOf(
            await evaluate(RED, node, msg, def.recordId || 'payload', def.recordIdType || 'msg'),
            `the ${system} record id`,
          );
          const group =
            operation === 'lookup'
              ? await store.lookup(entity, system, recordId)
              : await store.unlinkRecord(entity, system, recordId);
          msg.link = group ?? null;
          if (operation === 'lookup' && def.targetSystem) {
            payload = group?.ids[def.targetSystem] ?? null;
            missed = payload === null;
          } else {
            payload = group ?? null;
            missed = operation === 'lookup' && !group;
          }
        }
        msg.payload = payload;
        if (missed) counts.missed++;
        else counts.done++;
        setStatus(node, 'ok', t(RED, 'crmerp-link-ids.status.counts', { done: counts.done, missed: counts.missed }));
        if (missed && outputs === 2) send([null, msg]);
        else send(outputs === 2 ? [msg, null] : msg);
        done();
      } catch (error) {
        fail(ctx, error, 'store');
      }
    });
  }

  RED.nodes.registerType('crmerp-link-ids', CrmErpLinkIdsNode);
};
