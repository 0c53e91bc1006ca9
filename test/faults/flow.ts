/**
 * The flow under test: the customer tab and the signed-orders tab of flows/ (read changes → writer, the
 * batch acknowledged by a Complete node), their connections and sync store as flows/ has them, with the
 * debug nodes replaced by reporting function nodes (`global.get('faults')`, see node-red-settings.ts), the
 * five-minute schedule by a short one, and a replay of the dead letters into separate writer nodes of the
 * same settings.
 */
import { flowFiles, mergeFlows, type FlowNode } from '../../dev/flows';
import type { Feed, WriterOperation } from './protocol';

export const FAULTS_TAB = 'fx-tab';

/** Seconds between two runs of each feed. */
const TICK_SECONDS = 3;

interface ShippedTab {
  readChanges: FlowNode;
  writer: FlowNode;
}

/** The read changes node of flows/ that feeds a writer of `writerType`, and that writer. */
function shippedTab(nodes: readonly FlowNode[], writerType: string): ShippedTab {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  for (const readChanges of nodes.filter((node) => node.type === 'crmerp-read-changes')) {
    const targets = ((readChanges.wires as string[][] | undefined)?.[0] ?? []).map((id) => byId.get(id));
    const writer = targets.find((node) => node?.type === writerType);
    if (writer !== undefined) return { readChanges, writer };
  }
  throw new Error(`flows/ has no tab where read changes feeds ${writerType}`);
}

/** The configuration nodes that these nodes name (connections, sync store). */
function configNodesOf(nodes: readonly FlowNode[], users: readonly FlowNode[]): FlowNode[] {
  const ids = new Set(
    users.flatMap((node) => [node.connection, node.store, node.crmConnection].filter((id) => typeof id === 'string')),
  );
  return nodes.filter((node) => ids.has(node.id));
}

function functionNode(id: string, name: string, code: string, wires: string[][], initialize = ''): FlowNode {
  return {
    id,
    type: 'function',
    z: FAULTS_TAB,
    name,
    func: code,
    outputs: wires.length,
    timeout: 0,
    noerr: 0,
    initialize,
    finalize: '',
    libs: [],
    x: 0,
    y: 0,
    wires,
  };
}

const report = (event: string): string => `global.get('faults').event(${event});\nreturn null;`;

/**
 * Counts a writer's results by kind and error code: the entries of a list, or the one result; an input that
 * failed as a whole counts each of its records with the message's error.
 */
const COUNT_RESULTS = `const entries = Array.isArray(msg.payload) ? msg.payload : [msg.payload];
const kinds = {};
for (const entry of entries) {
  const result = entry && typeof entry.result === 'string' ? entry : { result: 'failed', error: msg.error };
  const kind = result.result + (result.error && result.error.code ? ' ' + result.error.code : '');
  kinds[kind] = (kinds[kind] || 0) + 1;
}
const message = msg.error ? String(msg.error.message) : undefined;`;

/** One feed: a schedule (through a gate for orders), read changes, the writer, the acknowledgement and reports. */
function feedNodes(feed: Feed, operation: WriterOperation, shipped: ShippedTab, gated: boolean): FlowNode[] {
  const { readChanges, writer } = shipped;
  const id = (suffix: string): string => `fx-${feed}-${suffix}`;
  return [
    {
      id: id('tick'),
      type: 'inject',
      z: FAULTS_TAB,
      name: `every ${TICK_SECONDS} s`,
      props: [{ p: 'payload' }],
      repeat: String(TICK_SECONDS),
      crontab: '',
      once: true,
      onceDelay: 0.5,
      topic: '',
      payload: '',
      payloadType: 'date',
      x: 0,
      y: 0,
      wires: [[gated ? id('gate') : readChanges.id]],
    },
    ...(gated
      ? [
          functionNode(id('gate'), 'orders open?', "return global.get('faults').ordersEnabled() ? msg : null;", [
            [readChanges.id],
          ]),
        ]
      : []),
    { ...readChanges, z: FAULTS_TAB, wires: [[writer.id, id('batch')], [id('read-failed')]] },
    { ...writer, z: FAULTS_TAB, wires: [[id('written')], [id('failed')]] },
    functionNode(
      id('batch'),
      'batch sent',
      report(`{ type: 'batch', feed: '${feed}', count: Array.isArray(msg.payload) ? msg.payload.length : 1 }`),
      [],
    ),
    functionNode(
      id('read-failed'),
      'read failed',
      report(`{ type: 'readFailed', feed: '${feed}', message: String(msg.error && msg.error.message) }`),
      [],
    ),
    functionNode(
      id('written'),
      'written',
      `${COUNT_RESULTS}\n${report(`{ type: 'results', operation: '${operation}', replay: false, kinds, message }`)}`,
      [],
    ),
    functionNode(
      id('failed'),
      'failed',
      `${COUNT_RESULTS}\n${report(`{ type: 'results', operation: '${operation}', replay: false, kinds, message }`)}`,
      [],
    ),
    {
      id: id('ack'),
      type: 'complete',
      z: FAULTS_TAB,
      name: 'batch done',
      scope: [writer.id],
      uncaught: false,
      x: 0,
      y: 0,
      wires: [[readChanges.id, id('acked')]],
    },
    functionNode(
      id('acked'),
      'acknowledged',
      report(
        `{ type: 'acked', feed: '${feed}', count: msg.changes ? msg.changes.count : 0, to: msg.changes ? String(msg.changes.to) : '' }`,
      ),
      [],
    ),
    {
      id: id('status'),
      type: 'status',
      z: FAULTS_TAB,
      name: 'read changes status',
      scope: [readChanges.id],
      x: 0,
      y: 0,
      wires: [[id('status-report')]],
    },
    functionNode(
      id('status-report'),
      'status',
      report(`{ type: 'status', feed: '${feed}', fill: String(msg.status.fill), text: String(msg.status.text) }`),
      [],
    ),
  ];
}

/** A dead letters node that replays what one writer kept, into a copy of that writer. */
function replayNodes(feed: Feed, operation: WriterOperation, shipped: ShippedTab, store: string): FlowNode[] {
  const id = (suffix: string): string => `fx-${feed}-replay-${suffix}`;
  const result = (ok: boolean): string =>
    `${COUNT_RESULTS}\nglobal.get('faults').event({ type: 'replayed', operation: '${operation}', ok: ${ok} });\n` +
    report(`{ type: 'results', operation: '${operation}', replay: true, kinds, message }`);
  return [
    {
      id: id('dead-letters'),
      type: 'crmerp-dead-letters',
      z: FAULTS_TAB,
      name: `replay ${operation}`,
      store,
      operation: 'replay',
      entity: '',
      writer: operation,
      code: '',
      pageSize: '100',
      x: 0,
      y: 0,
      wires: [[id('sent')], []],
    },
    functionNode(
      id('sent'),
      'replay sent',
      `global.get('faults').event({ type: 'replaySent', operation: '${operation}' });\nreturn msg;`,
      [[id('writer')]],
    ),
    {
      ...shipped.writer,
      id: id('writer'),
      z: FAULTS_TAB,
      name: `replayed ${operation}`,
      wires: [[id('ok')], [id('failed')]],
    },
    functionNode(id('ok'), 'replayed', result(true), []),
    functionNode(id('failed'), 'replay failed', result(false), []),
    {
      id: id('done'),
      type: 'complete',
      z: FAULTS_TAB,
      name: 'replay done',
      scope: [id('dead-letters')],
      uncaught: false,
      x: 0,
      y: 0,
      wires: [[id('done-report')]],
    },
    functionNode(id('done-report'), 'replay done', report(`{ type: 'replayDone', operation: '${operation}' }`), []),
  ];
}

export interface FaultFlow {
  nodes: FlowNode[];
  /** The watermark names of the two feeds, as the read changes nodes keep them. */
  watermarks: Record<Feed, string>;
}

export function faultFlow(): FaultFlow {
  const shippedNodes = mergeFlows(flowFiles());
  const customers = shippedTab(shippedNodes, 'crmerp-upsert-customer');
  const orders = shippedTab(shippedNodes, 'crmerp-create-order');
  const users = [customers.readChanges, customers.writer, orders.readChanges, orders.writer];
  const config = configNodesOf(shippedNodes, users);
  const store = String(customers.writer.store);
  if (orders.writer.store !== store || customers.readChanges.store !== store || orders.readChanges.store !== store) {
    throw new Error('flows/: the customer and order tabs do not share one sync store');
  }
  const watermarkOf = (readChanges: FlowNode): string => {
    const named = typeof readChanges.watermark === 'string' ? readChanges.watermark.trim() : '';
    if (named !== '') return named;
    const connection = shippedNodes.find((node) => node.id === readChanges.connection);
    return `${String(connection?.system)}.${String(readChanges.entity || 'customer')}`;
  };
  const nodes: FlowNode[] = [
    { id: FAULTS_TAB, type: 'tab', label: 'Fault injection', disabled: false, info: '' },
    ...config,
    ...feedNodes('customers', 'upsert-customer', customers, false),
    ...feedNodes('orders', 'create-order', orders, true),
    ...replayNodes('customers', 'upsert-customer', customers, store),
    ...replayNodes('orders', 'create-order', orders, store),
    functionNode(
      'fx-replay-start',
      'start a replay',
      'return null;',
      [['fx-customers-replay-dead-letters'], ['fx-orders-replay-dead-letters']],
      "global.get('faults').onReplay((operation) => node.send(operation === 'upsert-customer' ? [{ payload: '' }, null] : [null, { payload: '' }]));",
    ),
    functionNode('fx-ready', 'ready', 'return null;', [], "global.get('faults').event({ type: 'ready' });"),
  ];
  return {
    nodes,
    watermarks: { customers: watermarkOf(customers.readChanges), orders: watermarkOf(orders.readChanges) },
  };
}
