import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { ERROR_CODES, SyncError, type ErrorCode } from './lib/errors';
import { clipText, quoteValue, valueKind } from './lib/model/describe';
import type { DeadLetter, DeadLetterFilter, SyncStore } from './lib/store/ports';
import { timeOrderedId } from './lib/store/relational-store';
import { fail, setStatus, t, type InputContext } from './runtime/red';
import type { StoreNode } from './runtime/store-config';

type Operation = 'list' | 'replay' | 'discard';
const OPERATIONS: readonly Operation[] = ['list', 'replay', 'discard'];
const FILTER_FIELDS = ['entity', 'operation', 'source', 'code'] as const;
const DEFAULT_PAGE_SIZE = 100;

interface DeadLettersNodeDef extends NodeDef {
  store: string;
  operation: Operation | 'msg';
  /** Filters; empty: any. */
  entity: string;
  writer: string;
  code: string;
  pageSize: string;
}

type Msg = NodeMessageInFlow & { operation?: unknown; filter?: unknown; cursor?: unknown };

/** What a replayed message says about its dead letter (`msg.deadLetter`). */
interface ReplayNote {
  id: string;
  key: string;
  attempts: number;
  reason: string;
  code: ErrorCode;
  entity: string;
  operation: string;
}

function invalid(message: string): SyncError {
  return new SyncError({ code: 'VALIDATION', system: 'input', message });
}

/**
 * The dead letters `msg.payload` names: an id, a dead letter (as *list* sends them), or a list of these.
 * Undefined when it names none (an inject's timestamp, nothing at all): then the filter chooses.
 */
function idsIn(payload: unknown): string[] | undefined {
  const idOf = (value: unknown): string | undefined => {
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    const id = value !== null && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
    return typeof id === 'string' && id !== '' ? id : undefined;
  };
  if (!Array.isArray(payload)) {
    const id = idOf(payload);
    return id === undefined ? undefined : [id];
  }
  return payload.map((value, index) => {
    const id = idOf(value);
    if (id === undefined) {
      throw invalid(`msg.payload[${index}] is not a dead letter or its id (got ${valueKind(value)})`);
    }
    return id;
  });
}

/** Ids for a message: the first ten, then how many there are; `details` keeps them all. */
function listed(ids: readonly string[]): string {
  const shown = ids.slice(0, 10).map((id) => clipText(id));
  return ids.length > shown.length ? `${shown.join(', ')}, … (${ids.length} in all)` : shown.join(', ');
}

function matches(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  return FILTER_FIELDS.every((field) => filter[field] === undefined || filter[field] === letter[field]);
}

function describeFilter(filter: DeadLetterFilter): string {
  const parts = FILTER_FIELDS.filter((field) => filter[field] !== undefined).map((f) => `${f} ${filter[f]}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** The message a dead letter is replayed as: its payload and message properties as first sent. */
function replayMessage(RED: NodeAPI, letter: DeadLetter): NodeMessage {
  const note: ReplayNote = {
    id: letter.id,
    key: letter.key,
    attempts: letter.attempts,
    reason: letter.reason,
    code: letter.code,
    entity: letter.entity,
    operation: letter.operation,
  };
  return { ...letter.message, _msgid: RED.util.generateId(), payload: letter.payload, deadLetter: note } as NodeMessage;
}

/**
 * Lists, replays and discards dead letters. Replayed records leave on output 1, to be wired back into the
 * writer that kept them; list pages and discard results leave on output 2, so they never reach a writer.
 */
export = function register(RED: NodeAPI): void {
  function CrmErpDeadLettersNode(this: Node, def: DeadLettersNodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const storeNode = RED.nodes.getNode(def.store) as StoreNode | null;
    const pageSize = Math.max(1, Math.min(1000, Number.parseInt(def.pageSize, 10) || DEFAULT_PAGE_SIZE));
    if (!storeNode) setStatus(node, 'error', t(RED, 'crmerp-dead-letters.status.no-store'));

    function operationOf(msg: Msg): Operation {
      const op = def.operation === 'msg' || !def.operation ? msg.operation : def.operation;
      if (typeof op === 'string' && (OPERATIONS as readonly string[]).includes(op)) return op as Operation;
      throw invalid(`msg.operation must be one of ${OPERATIONS.join(', ')}, got ${quoteValue(op)}`);
    }

    /** The node's filter; `msg.filter` fills in what the node leaves open. */
    function filterOf(msg: Msg): { filter: DeadLetterFilter; explicit: boolean } {
      const given = msg.filter;
      if (given !== undefined && (given === null || typeof given !== 'object' || Array.isArray(given))) {
        throw invalid(`msg.filter must be an object such as {"operation": "create-order"}, got ${valueKind(given)}`);
      }
      const fromMsg = (given ?? {}) as Record<string, unknown>;
      // A misspelt key would leave the filter empty, and an empty filter discards every dead letter.
      const unknown = Object.keys(fromMsg).filter((key) => !(FILTER_FIELDS as readonly string[]).includes(key));
      if (unknown.length > 0) {
        throw invalid(
          `msg.filter has an unknown key ${quoteValue(unknown[0])}; the keys are ${FILTER_FIELDS.join(', ')}`,
        );
      }
      const fromNode: Record<string, string> = { entity: def.entity, operation: def.writer, code: def.code };
      const filter: DeadLetterFilter = {};
      for (const field of FILTER_FIELDS) {
        const value = fromNode[field] || fromMsg[field];
        if (value === undefined || value === '') continue;
        if (typeof value !== 'string') throw invalid(`msg.filter.${field} must be text, got ${valueKind(value)}`);
        if (field === 'code' && !(ERROR_CODES as readonly string[]).includes(value)) {
          throw invalid(`msg.filter.code must be one of ${ERROR_CODES.join(', ')}, got ${quoteValue(value)}`);
        }
        (filter as Record<string, string>)[field] = value;
      }
      return { filter, explicit: given !== undefined };
    }

    /** The dead letters the ids name and the filter lets through; the rest are reported as missing. */
    async function named(store: SyncStore, ids: string[], filter: DeadLetterFilter) {
      const found: DeadLetter[] = [];
      const missing: string[] = [];
      for (const id of new Set(ids)) {
        const letter = await store.getDeadLetter(id);
        if (letter && matches(letter, filter)) found.push(letter);
        else missing.push(id);
      }
      return { found, missing };
    }

    async function replay(ctx: InputContext, store: SyncStore, ids: string[] | undefined, filter: DeadLetterFilter) {
      let replayed = 0;
      const emit = (letters: DeadLetter[]) => {
        for (const letter of letters) ctx.send([replayMessage(RED, letter), null]);
        replayed += letters.length;
      };
      let missing: string[] = [];
      if (ids) {
        const chosen = await named(store, ids, filter);
        emit(chosen.found);
        missing = chosen.missing;
      } else {
        // Keyset paging by id: a dead letter that fails again keeps its id and is not met twice. Ids follow
        // time, so dead letters kept after the replay began (with ids past this bound) wait for the next one.
        const bound = timeOrderedId();
        let after: string | undefined;
        do {
          const page = await store.listDeadLetters({ ...filter, limit: pageSize, ...(after ? { after } : {}) });
          const due = page.deadLetters.filter((letter) => letter.id < bound);
          emit(due);
          after = due.length === page.deadLetters.length ? page.next : undefined;
        } while (after);
      }
      setStatus(node, 'ok', t(RED, 'crmerp-dead-letters.status.replayed', { count: replayed }));
      if (missing.length > 0) {
        throw new SyncError({
          code: 'NOT_FOUND',
          system: 'store',
          message: `no dead letter ${listed(missing)}${Object.keys(filter).length > 0 ? ` with filter ${describeFilter(filter)}` : ''}: already resolved, discarded, or never kept`,
          details: { missing },
        });
      }
      ctx.done();
    }

    async function discard(
      ctx: InputContext,
      store: SyncStore,
      ids: string[] | undefined,
      filter: DeadLetterFilter,
      explicit: boolean,
    ) {
      let discarded = 0;
      let notFound: string[] = [];
      if (ids) {
        const chosen = await named(store, ids, filter);
        for (const letter of chosen.found) if (await store.discardDeadLetter(letter.id)) discarded++;
        notFound = chosen.missing;
      } else {
        if (Object.keys(filter).length === 0 && !explicit) {
          throw invalid(
            'discard needs dead letter ids in msg.payload, or a filter; to discard every dead letter send msg.filter = {}',
          );
        }
        discarded = await store.discardDeadLetters(filter);
      }
      ctx.msg.payload = { discarded, ...(notFound.length > 0 && { notFound }) };
      setStatus(node, 'ok', t(RED, 'crmerp-dead-letters.status.discarded', { count: discarded }));
      ctx.send([null, ctx.msg]);
      ctx.done();
    }

    node.on('input', async (msg: Msg, send, done) => {
      const ctx: InputContext = { node, msg, send, done };
      try {
        if (!storeNode) {
          throw new SyncError({ code: 'CONFIG', system: 'store', message: 'no sync store is selected on this node' });
        }
        const operation = operationOf(msg);
        const { filter, explicit } = filterOf(msg);
        setStatus(node, 'working', '');
        const store = await storeNode.getStore();
        if (operation === 'list') {
          const after = typeof msg.cursor === 'string' && msg.cursor !== '' ? msg.cursor : undefined;
          const page = await store.listDeadLetters({ ...filter, limit: pageSize, ...(after ? { after } : {}) });
          msg.payload = page.deadLetters;
          if (page.next === undefined) delete msg.cursor;
          else msg.cursor = page.next;
          setStatus(node, 'ok', t(RED, 'crmerp-dead-letters.status.listed', { count: page.deadLetters.length }));
          send([null, msg]);
          done();
          return;
        }
        const ids = idsIn(msg.payload);
        if (operation === 'replay') await replay(ctx, store, ids, filter);
        else await discard(ctx, store, ids, filter, explicit);
      } catch (error) {
        fail(ctx, error, 'store');
      }
    });
  }

  RED.nodes.registerType('crmerp-dead-letters', CrmErpDeadLettersNode);
};
