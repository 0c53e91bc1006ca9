import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow } from 'node-red';
import { toSyncError, type ErrorInfo } from '../lib/errors';
import { langFromLocale, type Lang } from '../lib/i18n';

/** What every input handler gets from Node-RED. */
export interface InputContext {
  node: Node;
  msg: NodeMessageInFlow & { error?: ErrorInfo | unknown };
  send: (msg: NodeMessage | Array<NodeMessage | null>) => void;
  done: (err?: Error) => void;
}

export type StatusKind = 'connecting' | 'working' | 'ok' | 'warning' | 'error' | 'clear';

const STATUS_STYLE: Record<
  Exclude<StatusKind, 'clear'>,
  { fill: 'yellow' | 'blue' | 'green' | 'red'; shape: 'ring' | 'dot' }
> = {
  connecting: { fill: 'yellow', shape: 'ring' },
  working: { fill: 'blue', shape: 'dot' },
  ok: { fill: 'green', shape: 'dot' },
  warning: { fill: 'yellow', shape: 'dot' },
  error: { fill: 'red', shape: 'ring' },
};

/** The one status helper: short texts, one colour per state. */
export function setStatus(node: Node, kind: StatusKind, text = ''): void {
  if (kind === 'clear') {
    node.status({});
    return;
  }
  node.status({ ...STATUS_STYLE[kind], text: text.length > 32 ? `${text.slice(0, 31)}…` : text });
}

/**
 * The one error path. The failure goes on `msg.error` in the contract's shape; then either to the
 * node's error output (when it has one) or to Catch nodes through `done(err)`.
 * At a Catch node Node-RED rewrites `msg.error` to `{ message, source, code }` and keeps ours in `msg._error`.
 */
export function fail(
  ctx: InputContext,
  error: unknown,
  system: string,
  errorOutput?: { index: number; outputs: number },
): void {
  const syncError = toSyncError(error, system);
  setStatus(ctx.node, 'error', `${syncError.code}`);
  // Node-RED copies a message for Catch and Complete nodes and for a second wire, and its copy overflows
  // the stack on one nested a few thousand levels deep. Such a message is logged; it cannot travel on, and
  // a throw here would reach the runtime as an unhandled rejection.
  if (overflowedStack(error)) {
    ctx.node.error(undeliverable(syncError.message));
    return;
  }
  ctx.msg.error = syncError.toInfo();
  try {
    if (errorOutput) {
      const out: Array<NodeMessage | null> = new Array<NodeMessage | null>(errorOutput.outputs).fill(null);
      out[errorOutput.index] = ctx.msg;
      ctx.send(out);
      ctx.done();
    } else {
      ctx.done(syncError);
    }
  } catch (copyError) {
    ctx.node.error(undeliverable(`${syncError.message}; ${(copyError as Error).message}`));
  }
}

/** A stack overflow, also when wrapped as the cause of a SyncError (up to a few levels). */
function overflowedStack(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) return true;
  }
  return false;
}

function undeliverable(reason: string): string {
  return `the message was not passed on: Node-RED cannot copy it, is it nested too deeply? (${reason})`;
}

/** Resolves a typedInput (msg, flow, global, env, str, json, jsonata, …) with Node-RED's own evaluator. */
export function evaluate(RED: NodeAPI, node: Node, msg: NodeMessage, value: string, type: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    RED.util.evaluateNodeProperty(value, type, node, msg, (err: Error | null, result: unknown) => {
      if (err) reject(err);
      else resolve(result);
    });
  });
}

/** The language of our own message texts: the node's choice, else Node-RED's, else the OS locale. */
export function messageLang(RED: NodeAPI, choice: string | undefined): Lang {
  if (choice === 'en' || choice === 'de') return choice;
  const settingsLang = (RED.settings as unknown as { lang?: string }).lang;
  // POSIX order; an empty variable counts as unset.
  return langFromLocale(settingsLang || process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG);
}

/** Translates a key of our message catalogues; in unit tests RED._ returns the key itself. */
export function t(RED: NodeAPI, key: string, values?: Record<string, string | number>): string {
  return RED._(key, values);
}
