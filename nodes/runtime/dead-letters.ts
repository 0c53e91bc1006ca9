import { createHash } from 'node:crypto';
import type { Node } from 'node-red';
import { SyncError, toSyncError, type ErrorInfo } from '../lib/errors';
import { clipText, quoteValue } from '../lib/model/describe';
import type { SyncStore } from '../lib/store/ports';

/** The writer nodes that keep dead letters, by the operation name their dead letters carry. */
export const WRITER_OPERATIONS = {
  'upsert-customer': 'customer',
  'create-order': 'order',
} as const;

export type WriterOperation = keyof typeof WRITER_OPERATIONS;

/**
 * What `msg.error.deadLetter` says: the dead letter kept for one record, or why keeping it failed; for a
 * list, the dead letters kept and the first failure to keep one.
 */
export type DeadLetterNote = { id: string } | { error: ErrorInfo } | { ids: string[]; error?: ErrorInfo };

/**
 * A record's failure with the note on its dead letter. The error itself is unchanged (same code, message,
 * system); the note travels along in `msg.error.deadLetter` and in each entry of a list's `details.items`.
 */
export class DeadLetteredError extends SyncError {
  constructor(
    original: SyncError,
    readonly deadLetter: DeadLetterNote,
  ) {
    super({
      code: original.code,
      system: original.system,
      message: original.message,
      retryable: original.retryable,
      ...(original.status !== undefined && { status: original.status }),
      ...(original.details !== undefined && { details: original.details }),
      cause: original,
    });
  }

  override toInfo(): ErrorInfo & { deadLetter: DeadLetterNote } {
    return { ...super.toInfo(), deadLetter: this.deadLetter };
  }
}

/** The note of a list: the dead letters kept for its records, and the first failure to keep one. */
export function listNote(notes: ReadonlyArray<DeadLetterNote | undefined>): DeadLetterNote | undefined {
  const ids: string[] = [];
  let error: ErrorInfo | undefined;
  for (const note of notes) {
    if (note === undefined) continue;
    if ('id' in note) ids.push(note.id);
    if ('ids' in note) ids.push(...note.ids);
    if ('error' in note && note.error !== undefined) error ??= note.error;
  }
  if (ids.length === 0 && error === undefined) return undefined;
  return { ids, ...(error !== undefined && { error }) };
}

/** The note on a failure, when it was kept (or failed to be kept) as a dead letter. */
export function noteOf(failure: SyncError): DeadLetterNote | undefined {
  return failure instanceof DeadLetteredError ? failure.deadLetter : undefined;
}

/** The idempotency key of a record under each operation; undefined when the record lacks the field. */
function naturalKeyOf(operation: WriterOperation, source: string, record: unknown): string | undefined {
  if (record === null || typeof record !== 'object') return undefined;
  const text = (value: unknown) =>
    typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
  if (operation === 'create-order') return text((record as { sourceId?: unknown }).sourceId);
  const id = text((record as { ids?: Record<string, unknown> }).ids?.[source]);
  return id === undefined ? undefined : `${source}:${id}`;
}

/**
 * The key a dead letter is kept under: customer `<source>:<source id>`, order its source id. A record
 * without that id (it failed validation for it) is keyed by a hash of its content, so the same record
 * failing again still finds its dead letter.
 */
export function deadLetterKey(operation: WriterOperation, source: string, record: unknown): string {
  const key = naturalKeyOf(operation, source, record);
  if (key !== undefined && key.length <= 300) return key;
  let text: string;
  try {
    text = JSON.stringify(record) ?? String(record);
  } catch {
    text = String(record);
  }
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 40)}`;
}

/** Where a writer keeps and resolves its dead letters; `NO_DEAD_LETTERS` passes failures through. */
export interface DeadLetters {
  /** Keeps one record that failed; returns the failure with its note (CONFIG failures are not kept). */
  keep(record: unknown, failure: SyncError): Promise<SyncError>;
  /**
   * The whole input failed (one record, or a list at once): keeps each record; the failure's note names
   * the dead letter, or every dead letter of the list.
   */
  keepInput(input: unknown, failure: SyncError): Promise<SyncError>;
  /** These records went through: their dead letters, if any, are resolved. Never fails the message. */
  resolve(records: readonly unknown[]): Promise<void>;
}

/** For a message that fails before its store is known, or a node set not to keep dead letters. */
export const NO_DEAD_LETTERS: DeadLetters = {
  keep: async (_record, failure) => failure,
  keepInput: async (_input, failure) => failure,
  resolve: async () => undefined,
};

export interface DeadLetterSettings {
  /** The node's "Keep failed records as dead letters"; absent in flows from before it: on. */
  enabled: boolean | undefined;
  store: SyncStore;
  operation: WriterOperation;
  source: string;
  node: Node;
  /** Message properties restored on replay besides the payload, e.g. `topic`. */
  message: Record<string, unknown>;
}

/**
 * A replayed dead letter must come back to the kind of writer that kept it: a customer replayed into
 * create order would only fail again under a new key.
 */
export function checkReplayTarget(msg: object, operation: WriterOperation): void {
  const replayed = (msg as { deadLetter?: { id?: unknown; operation?: unknown } | null }).deadLetter;
  if (replayed === null || typeof replayed !== 'object' || typeof replayed.operation !== 'string') return;
  if (replayed.operation === operation) return;
  const writer = clipText(replayed.operation);
  throw new SyncError({
    code: 'CONFIG',
    system: 'input',
    message: `dead letter ${typeof replayed.id === 'string' ? clipText(replayed.id) : quoteValue(replayed.id)} was kept by ${writer}, not ${operation}; wire its replay to a ${writer} node (filter the replay by writer)`,
  });
}

/** The dead letters of one message through a writer node; `NO_DEAD_LETTERS` when the setting is off. */
export function deadLettersFor(settings: DeadLetterSettings): DeadLetters {
  if (settings.enabled === false) return NO_DEAD_LETTERS;
  const { store, operation, source, node } = settings;
  const entity = WRITER_OPERATIONS[operation];
  const message = Object.fromEntries(Object.entries(settings.message).filter(([, value]) => value !== undefined));
  const nodeName = (node as Node & { name?: string }).name;

  async function put(record: unknown, failure: SyncError): Promise<{ id: string } | { error: ErrorInfo }> {
    try {
      const kept = await store.putDeadLetter({
        entity,
        operation,
        source,
        key: deadLetterKey(operation, source, record),
        payload: record,
        message,
        code: failure.code,
        reason: failure.message,
        nodeId: node.id,
        ...(nodeName ? { nodeName } : {}),
      });
      return { id: kept.id };
    } catch (error) {
      const problem = toSyncError(error, 'store');
      // The record's own failure still goes its way; this one is logged and noted beside it.
      node.warn(
        `${entity} ${deadLetterKey(operation, source, record)} could not be kept as a dead letter: ${problem.message}`,
      );
      return { error: problem.toInfo() };
    }
  }

  const keepable = (failure: SyncError) => failure.code !== 'CONFIG';

  return {
    async keep(record, failure) {
      if (!keepable(failure)) return failure;
      return new DeadLetteredError(failure, await put(record, failure));
    },
    async keepInput(input, failure) {
      if (!keepable(failure)) return failure;
      if (!Array.isArray(input)) return new DeadLetteredError(failure, await put(input, failure));
      const notes: Array<{ id: string } | { error: ErrorInfo }> = [];
      for (const record of input) notes.push(await put(record, failure));
      return new DeadLetteredError(failure, listNote(notes) ?? { ids: [] });
    },
    async resolve(records) {
      const keys = records
        .map((record) => naturalKeyOf(operation, source, record))
        .filter((key): key is string => key !== undefined);
      if (keys.length === 0) return;
      try {
        await store.resolveDeadLetters(operation, keys);
      } catch (error) {
        node.warn(
          `the dead letters of ${keys.length} ${entity} record(s) that went through could not be resolved: ${toSyncError(error, 'store').message}`,
        );
      }
    },
  };
}
