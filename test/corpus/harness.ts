/**
 * Runs corpus cases through one node in a real flow and records, per message, everything that came out:
 * its outputs, a Catch node, a Complete node. The checks then hold each message to the contract: exactly
 * one outcome, a clear error (known code, names the record and the field, short, no stack trace) or an
 * accepted record that the test reads back.
 */
import assert from 'node:assert/strict';
import type { EventEmitter } from 'node:events';
import type { Node } from 'node-red';
import { ERROR_CODES, type ErrorInfo } from '../../nodes/lib/errors';
import { helper, type ReceivedMsg } from '../support/node-red';
import type { CorpusCase } from './generate';

/** The longest error message a bad input may produce; echoing a 1 MB value back is a defect. */
export const MAX_MESSAGE_LENGTH = 2000;

/** Codes a bad input may be answered with: never TRANSIENT (that says "try again"), AUTH or RATE_LIMIT. */
export const INPUT_CODES: ReadonlySet<string> = new Set(['VALIDATION', 'REJECTED', 'NOT_FOUND', 'CONFLICT', 'CONFIG']);

/** A message that never completes is a hang; generous, since only a broken node ever waits this long. */
const HANG_MS = 15_000;

export interface Outcome {
  case: CorpusCase;
  /** The message as sent (its payload is the case's). */
  sent: Record<string, unknown>;
  out1: ReceivedMsg[];
  out2: ReceivedMsg[];
  caught: ReceivedMsg[];
  completed: number;
  /** Neither completed nor (for a message Node-RED cannot copy) logged as an error. */
  hung: boolean;
}

/** Problems found, as `case id: what`, reported together so one run shows every defect. */
export class Findings {
  readonly list: string[] = [];

  add(outcome: Outcome | string, problem: string): void {
    const id = typeof outcome === 'string' ? outcome : outcome.case.id;
    this.list.push(`${id}: ${problem}`);
  }

  assertNone(what: string): void {
    assert.deepEqual(this.list, [], `${what}: ${this.list.length} problem(s)`);
  }
}

function listen(nodeId: string, into: Map<string, ReceivedMsg[]>): void {
  const node = helper.getNode(nodeId) as Node | null;
  if (!node) return;
  node.on('input', (msg: ReceivedMsg) => {
    const id = String(msg._msgid);
    const list = into.get(id) ?? [];
    list.push(msg);
    into.set(id, list);
  });
}

/**
 * Sends each case to `nodeId`, one at a time, waiting for its completion (Complete or Catch) before the next.
 * `message` builds the message from the case (payload and further properties).
 */
export async function runCases(
  nodeId: string,
  cases: readonly CorpusCase[],
  label: string,
  message: (c: CorpusCase) => Record<string, unknown> = (c) => ({ payload: c.payload, ...c.message }),
): Promise<Outcome[]> {
  const seen = { out1: new Map(), out2: new Map(), caught: new Map(), completed: new Map() } as Record<
    'out1' | 'out2' | 'caught' | 'completed',
    Map<string, ReceivedMsg[]>
  >;
  for (const [key, map] of Object.entries(seen)) listen(key, map);
  const waiting = new Map<string, () => void>();
  for (const id of ['completed', 'caught']) {
    (helper.getNode(id) as Node | null)?.on('input', (msg: ReceivedMsg) => waiting.get(String(msg._msgid))?.());
  }
  const node = helper.getNode(nodeId) as Node;
  // A message Node-RED cannot copy may never reach Catch or Complete; then the node logs it instead.
  let current: { case: CorpusCase; msgid: string } | undefined;
  (node as unknown as EventEmitter).on('call:error', () => {
    if (current?.case.beyondNodeRed) waiting.get(current.msgid)?.();
  });
  const outcomes: Outcome[] = [];
  for (const [index, c] of cases.entries()) {
    const msgid = `${label}-${index}`;
    const sent = { ...message(c), _msgid: msgid };
    let hung = false;
    current = { case: c, msgid };
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        hung = true;
        resolve();
      }, HANG_MS);
      waiting.set(msgid, () => {
        clearTimeout(timer);
        resolve();
      });
      node.receive(sent as never);
    });
    waiting.delete(msgid);
    outcomes.push({ case: c, sent, out1: [], out2: [], caught: [], completed: 0, hung });
  }
  // Outputs are sent before done() is called, and delivered in order; one more turn lets the last arrive.
  await new Promise((resolve) => setTimeout(resolve, 20));
  for (const [index, outcome] of outcomes.entries()) {
    const msgid = `${label}-${index}`;
    outcome.out1 = seen.out1.get(msgid) ?? [];
    outcome.out2 = seen.out2.get(msgid) ?? [];
    outcome.caught = seen.caught.get(msgid) ?? [];
    outcome.completed = (seen.completed.get(msgid) ?? []).length;
  }
  return outcomes;
}

/** The error contract of a failure, from the error output (msg.error) or a Catch node (msg._error). */
export function errorOf(msg: ReceivedMsg): ErrorInfo | undefined {
  const info = (msg._error ?? msg.error) as ErrorInfo | undefined;
  return info !== null && typeof info === 'object' ? info : undefined;
}

/** Every message completes exactly once: a Complete node or a Catch node, never both, never twice, never not. */
export function checkOneOutcome(outcome: Outcome, findings: Findings): void {
  if (outcome.case.beyondNodeRed) {
    // Node-RED cannot copy it for Catch or Complete: it is enough that it is reported, once, without a crash.
    const outputs = outcome.out1.length + outcome.out2.length;
    if (outcome.hung) findings.add(outcome, 'neither completed nor logged');
    if (outputs > 1) findings.add(outcome, `${outputs} output messages for one message`);
    if (outcome.caught.length + outcome.completed > 1) findings.add(outcome, 'completed more than once');
    return;
  }
  if (outcome.hung) findings.add(outcome, 'never completed (hang)');
  const done = outcome.completed + outcome.caught.length;
  if (!outcome.hung && done !== 1) {
    findings.add(outcome, `completed ${outcome.completed} time(s) and reached Catch ${outcome.caught.length} time(s)`);
  }
}

export interface ErrorExpectations {
  /** The field the message must name, as the case breaks it ('' when the case is no field). */
  field?: string;
  /** Words of which the message must contain one, naming the record or the input (e.g. customer, order). */
  names?: readonly RegExp[];
}

/** A failure's contract: a known code for bad input, not retryable, a short message without a stack trace. */
export function checkError(
  outcome: Outcome,
  info: ErrorInfo | undefined,
  findings: Findings,
  expect: ErrorExpectations = {},
) {
  if (!info) {
    findings.add(outcome, 'failed without msg.error');
    return;
  }
  if (!(ERROR_CODES as readonly string[]).includes(info.code))
    findings.add(outcome, `unknown code ${String(info.code)}`);
  else if (!INPUT_CODES.has(info.code)) findings.add(outcome, `code ${info.code} for bad input: ${clip(info.message)}`);
  if (typeof info.message !== 'string' || info.message.trim() === '') {
    findings.add(outcome, 'error without a message');
    return;
  }
  if (info.message.length > MAX_MESSAGE_LENGTH) {
    findings.add(outcome, `message of ${info.message.length} characters: ${clip(info.message)}`);
  }
  if (/\n\s+at .+[:(]\d+/.test(info.message)) findings.add(outcome, `stack trace in message: ${clip(info.message)}`);
  if (/\[object \w+\]/.test(info.message)) findings.add(outcome, `"[object …]" in message: ${clip(info.message)}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]|\p{Cs}/u.test(info.message)) {
    findings.add(outcome, `unescaped control or bidi character in message: ${JSON.stringify(clip(info.message))}`);
  }
  if (info.retryable !== false && INPUT_CODES.has(info.code)) findings.add(outcome, 'bad input marked retryable');
  if (typeof info.system !== 'string' || info.system === '') findings.add(outcome, 'error without a system');
  if (expect.field && info.message.length <= MAX_MESSAGE_LENGTH && !info.message.includes('…')) {
    const missing = expect.field.split(' ').filter((f) => !info.message.includes(f));
    if (missing.length > 0) findings.add(outcome, `message does not name ${missing.join(', ')}: ${clip(info.message)}`);
  } else if (expect.field && !info.message.includes(expect.field.split(' ')[0]!)) {
    findings.add(outcome, `message does not name ${expect.field.split(' ')[0]}: ${clip(info.message)}`);
  }
  if (expect.names && !expect.names.some((name) => name.test(info.message))) {
    findings.add(outcome, `message names neither ${expect.names.join(' nor ')}: ${clip(info.message)}`);
  }
}

/** Status texts stay short and printable; the last one is no "working" or "connecting" left behind. */
export function checkStatuses(statuses: readonly ReceivedMsg[], findings: Findings, label: string): void {
  for (const msg of statuses) {
    const status = msg.status as { text?: unknown; fill?: unknown; shape?: unknown };
    const text = typeof status.text === 'string' ? status.text : '';
    if (text.length > 32) findings.add(label, `status text of ${text.length} characters`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f\u2028\u2029]/.test(text))
      findings.add(label, `control character in status ${JSON.stringify(text)}`);
  }
  const last = statuses.at(-1)?.status as { fill?: string; shape?: string; text?: string } | undefined;
  if (!last) findings.add(label, 'no status at all');
  else if (last.fill === 'blue' || (last.fill === 'yellow' && last.shape === 'ring')) {
    findings.add(label, `status left at ${last.fill} ${last.shape} "${last.text ?? ''}"`);
  }
}

/** A short form of a text for findings. */
export function clip(text: unknown, length = 160): string {
  const value = typeof text === 'string' ? text : String(text);
  return value.length > length ? `${value.slice(0, length)}… (${value.length} chars)` : value;
}

/** A JSON copy of what was sent, to compare with what was stored; undefined for values JSON cannot hold. */
export function snapshot(value: unknown): unknown {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}
