import type { NodeAPI } from 'node-red';
import { flowFiles, mergeFlows, type FlowNode } from '../../dev/flows';
import linkIdsNode from '../../nodes/crmerp-link-ids';
import storeNode from '../../nodes/crmerp-store';
import validateNode from '../../nodes/crmerp-validate';

type NodeModule = (RED: NodeAPI) => void;

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
  ];
  return [
    // Node-RED's core nodes are plain CommonJS files addressed by path.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ...core.map((name) => require(`@node-red/nodes/core/${name}.js`) as NodeModule),
    storeNode,
    validateNode,
    linkIdsNode,
  ];
}

/**
 * The flows of flows/, ready for the test helper: inject nodes that fire at start are kept, so the
 * flow runs as it does under `npm start`; `overrides` patch nodes by id (e.g. a store file path).
 */
export function loadRepositoryFlows(overrides: Record<string, Record<string, unknown>> = {}): FlowNode[] {
  return mergeFlows(flowFiles()).map((node) => ({ ...node, ...(overrides[node.id] ?? {}) }));
}
