import type { Node, NodeAPI, NodeMessage } from 'node-red';
import { SyncError } from '../lib/errors';
import { DeadLetteredError, listNote, noteOf } from './dead-letters';
import { fail, setStatus, type InputContext } from './red';

/** Where an operation node's failures go: a second output, or Catch nodes only. */
export type ErrorHandling = 'outputs' | 'catch';

export function outputCount(errorHandling: ErrorHandling | undefined): 1 | 2 {
  return errorHandling === 'catch' ? 1 : 2;
}

function errorOutputOf(errorHandling: ErrorHandling | undefined) {
  return outputCount(errorHandling) === 2 ? { index: 1, outputs: 2 } : undefined;
}

/** Sends a result on the first output. */
export function sendResult(ctx: InputContext, errorHandling: ErrorHandling | undefined, msg: NodeMessage): void {
  ctx.send(outputCount(errorHandling) === 2 ? [msg, null] : msg);
}

/** Sends a failure down the node's error path (error output or Catch). */
export function sendFailure(
  ctx: InputContext,
  errorHandling: ErrorHandling | undefined,
  error: unknown,
  system: string,
) {
  fail(ctx, error, system, errorOutputOf(errorHandling));
}

/**
 * The results of a list, none dropped: the successful entries go on in a copy of the message; the message
 * itself takes the failed entries down the error path (done(err) reports the message Node-RED handed us).
 */
export function sendListResults<T extends { ok: boolean }>(
  RED: NodeAPI,
  ctx: InputContext,
  errorHandling: ErrorHandling | undefined,
  results: T[],
  failures: SyncError[],
  describe: (failed: number, total: number) => string,
): void {
  const succeeded = results.filter((r) => r.ok);
  if (failures.length === 0) {
    ctx.msg.payload = results;
    sendResult(ctx, errorHandling, ctx.msg);
    ctx.done();
    return;
  }
  if (succeeded.length > 0) {
    const ok = RED.util.cloneMessage(ctx.msg);
    ok.payload = succeeded;
    sendResult(ctx, errorHandling, ok);
  }
  ctx.msg.payload = results.filter((r) => !r.ok);
  const first = failures[0]!;
  const batchError = new SyncError({
    code: first.code,
    system: first.system,
    retryable: failures.every((f) => f.retryable),
    message: `${describe(failures.length, results.length)}: ${failures
      .slice(0, 3)
      .map((f) => f.message)
      .join(' | ')}${failures.length > 3 ? ' | …' : ''}`,
    details: { items: failures.map((f) => f.toInfo()) },
  });
  // Each item names its own dead letter; the list error names them all.
  const kept = listNote(failures.map(noteOf));
  sendFailure(ctx, errorHandling, kept ? new DeadLetteredError(batchError, kept) : batchError, first.system);
}

/** Counts outcomes since deploy and shows them as the node's status, e.g. "3 created, 1 updated". */
export class StatusTally {
  private readonly counts = new Map<string, number>();

  constructor(private readonly node: Node) {}

  add(kind: string, by = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + by);
  }

  show(): void {
    const text = [...this.counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
    const failed = (this.counts.get('rejected') ?? 0) + (this.counts.get('failed') ?? 0) > 0;
    setStatus(this.node, failed ? 'warning' : 'ok', text);
  }
}

/** A config node the operation needs; a missing one is a CONFIG error naming the setting. */
export function requireConfigNode<T>(RED: NodeAPI, id: string | undefined, setting: string, system: string): T {
  const node = id ? (RED.nodes.getNode(id) as T | null) : null;
  if (!node) throw new SyncError({ code: 'CONFIG', system, message: `no ${setting} is selected on this node` });
  return node;
}
