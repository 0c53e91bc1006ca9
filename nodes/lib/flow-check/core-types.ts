/**
 * The node types Node-RED registers itself, for every release this package supports (3.1 to 5.x).
 *
 * Source: the `RED.nodes.registerType(…)` calls in packages/node_modules/@node-red/nodes/core/ of the
 * node-red repository, read at the tags 3.1.0, 3.1.15, 4.0.0, 4.1.13, 5.0.0 and 5.0.4 (the set did not
 * change between them). A type removed by a later release stays listed: flows written for an older
 * supported release must still pass. test/cli/core-types.spec.ts compares the list with the installed
 * node-red, so a type that a newer release adds fails the tests until it is added here.
 */
export const CORE_NODE_TYPES: readonly string[] = [
  // common
  'inject',
  'debug',
  'complete',
  'catch',
  'status',
  'link in',
  'link out',
  'link call',
  'comment',
  'global-config',
  'junction',
  'unknown',
  // function
  'function',
  'switch',
  'change',
  'range',
  'template',
  'delay',
  'trigger',
  'exec',
  'rbe',
  // network
  'tls-config',
  'http proxy',
  'mqtt in',
  'mqtt out',
  'mqtt-broker',
  'http in',
  'http response',
  'http request',
  'websocket in',
  'websocket out',
  'websocket-listener',
  'websocket-client',
  'tcp in',
  'tcp out',
  'tcp request',
  'udp in',
  'udp out',
  // parsers
  'csv',
  'html',
  'json',
  'xml',
  'yaml',
  // sequence
  'split',
  'join',
  'sort',
  'batch',
  // storage
  'file',
  'file in',
  'watch',
];

/** Entries of a flow that are not nodes of a registered type: the workspace's own structure. */
export const STRUCTURAL_TYPES: readonly string[] = ['tab', 'subflow', 'group'];

/** Prefix of a subflow instance's type: `subflow:<id of the subflow definition>`. */
export const SUBFLOW_INSTANCE_PREFIX = 'subflow:';
