import helper from 'node-red-node-test-helper';
import type { Node } from 'node-red';

helper.init(require.resolve('node-red'));

/**
 * The helper loads the real catch, status and complete modules once per such node in the flow, so
 * a flow with two Catch nodes (one per tab) fails with "catch already registered". Load each once
 * per `helper.load` instead.
 */
type CoreModule = (red: object) => unknown;
const coreModules = (helper as unknown as { _nodeModules: Record<string, CoreModule> })._nodeModules;
for (const [type, load] of Object.entries(coreModules)) {
  const loadedFor = new WeakSet<object>();
  coreModules[type] = (red) => {
    if (loadedFor.has(red)) return undefined;
    loadedFor.add(red);
    return load(red);
  };
}

export { helper };

export type FlowNode = Record<string, unknown> & { id: string; type: string };

/** A message a helper node received. */
export type ReceivedMsg = Record<string, unknown> & { payload?: unknown; error?: unknown; _error?: unknown };

/** Resolves with the next message that reaches a helper node. */
export function nextMessage(nodeId: string, timeoutMs = 5000): Promise<ReceivedMsg> {
  const node = helper.getNode(nodeId) as Node | null;
  if (!node) throw new Error(`no node ${nodeId} in the flow`);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message reached ${nodeId} within ${timeoutMs} ms`)), timeoutMs);
    node.once('input', (msg: ReceivedMsg) => {
      clearTimeout(timer);
      resolve(msg);
    });
  });
}

/** Collects every message that reaches a helper node. */
export function collect(nodeId: string): ReceivedMsg[] {
  const node = helper.getNode(nodeId) as Node | null;
  if (!node) throw new Error(`no node ${nodeId} in the flow`);
  const received: ReceivedMsg[] = [];
  node.on('input', (msg: ReceivedMsg) => received.push(msg));
  return received;
}

/** Waits until `check` holds, polling; for counts of messages that arrive asynchronously. */
export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A tab plus catch, status and complete nodes (the real core ones) wired to helper nodes, scoped to `target`. */
export function observers(tab: string, target: string): FlowNode[] {
  return [
    { id: tab, type: 'tab', label: 'test' },
    // Ids must not equal type names, or Node-RED takes them for config-node references.
    { id: 'catch-all', type: 'catch', z: tab, scope: [target], uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: tab },
    { id: 'status-all', type: 'status', z: tab, scope: [target], wires: [['statuses']] },
    { id: 'statuses', type: 'helper', z: tab },
    { id: 'complete-all', type: 'complete', z: tab, scope: [target], uncaught: false, wires: [['completed']] },
    { id: 'completed', type: 'helper', z: tab },
  ];
}
