import type { NodeAPI } from 'node-red';
import { flowFiles, mergeFlows, type FlowNode } from '../../dev/flows';
import { sandboxEnvironment } from '../../sandbox/environment';
import type { Sandbox } from '../../sandbox/run';
import connectionNode from '../../nodes/crmerp-connection';
import createOrderNode from '../../nodes/crmerp-create-order';
import invoiceStatusNode from '../../nodes/crmerp-invoice-status';
import linkIdsNode from '../../nodes/crmerp-link-ids';
import readChangesNode from '../../nodes/crmerp-read-changes';
import storeNode from '../../nodes/crmerp-store';
import upsertCustomerNode from '../../nodes/crmerp-upsert-customer';
import validateNode from '../../nodes/crmerp-validate';

type NodeModule = (RED: NodeAPI) => void;

let httpNodeApp: unknown;

/** The express app `http in` nodes of the loaded flow listen on (the helper does not expose it). */
export function httpNode(): unknown {
  if (!httpNodeApp) throw new Error('load the flows with flowNodeModules() first');
  return httpNodeApp;
}

function captureHttpNode(RED: NodeAPI): void {
  httpNodeApp = RED.httpNode;
}

/** Our node modules and the core ones the flows in flows/ use, for node-red-node-test-helper. */
export function flowNodeModules(): NodeModule[] {
  const core = [
    'common/20-inject',
    'common/21-debug',
    'common/90-comment',
    'common/60-link',
    'function/10-function',
    'function/10-switch',
    'function/15-change',
    'network/21-httpin',
  ];
  return [
    // Node-RED's core nodes are plain CommonJS files addressed by path.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ...core.map((name) => require(`@node-red/nodes/core/${name}.js`) as NodeModule),
    connectionNode,
    storeNode,
    validateNode,
    linkIdsNode,
    upsertCustomerNode,
    readChangesNode,
    createOrderNode,
    invoiceStatusNode,
    captureHttpNode,
  ];
}

/**
 * The flows of flows/, ready for the test helper: inject nodes that fire at start are kept, so the
 * flow runs as it does under `npm start`; `overrides` patch nodes by id (e.g. a store file path).
 */
/** The sandbox's addresses and credentials, as `npm start` hands them to Node-RED, for the connections in flows/. */
export function useSandbox(sandbox: Pick<Sandbox, 'bc' | 'dataverse'>): () => void {
  const environment = sandboxEnvironment(sandbox, {});
  const previous = Object.fromEntries(Object.keys(environment).map((key) => [key, process.env[key]]));
  Object.assign(process.env, environment);
  return () => {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

export function loadRepositoryFlows(overrides: Record<string, Record<string, unknown>> = {}): FlowNode[] {
  return mergeFlows(flowFiles()).map((node) => ({ ...node, ...(overrides[node.id] ?? {}) }));
}
