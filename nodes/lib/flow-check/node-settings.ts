/**
 * What the flow checker knows about the settings of our own node types: required settings, references
 * to config nodes, the editor's validators it repeats, and the credential names. It mirrors the
 * `defaults` and `credentials` of the editor files nodes/crmerp-*.html; test/cli/node-settings.spec.ts
 * compares the two, so a setting added to an editor file fails the tests until it is described here.
 */
import { ENTITY_SCHEMAS } from '../model/validator';

export type FlowNode = Record<string, unknown> & { id: string; type: string };

/** Finds a node of the checked flows by id. */
export type NodeLookup = (id: unknown) => FlowNode | undefined;

/** When a rule applies; `text` says it in a message ("when Write back is on"). */
export interface Condition {
  holds: (node: FlowNode, lookup: NodeLookup) => boolean;
  text: string;
}

export interface ConfigReference {
  property: string;
  /** The config node type it must point to. */
  type: string;
  required: boolean;
}

interface RuleBase {
  property: string;
  when?: Condition;
}

export type SettingRule = RuleBase &
  (
    | { kind: 'required' }
    | { kind: 'pattern'; pattern: RegExp; expected: string }
    | { kind: 'number'; blankAllowed: boolean }
    | { kind: 'integer'; min: number; max: number }
    | { kind: 'jsonObject' }
    | { kind: 'nonEmptyList' }
    | { kind: 'oneOf'; values: readonly string[] }
  );

export interface NodeSettings {
  /** Settings marked `required: true` (config references aside), with the editor's default value. */
  required: Readonly<Record<string, string | number | boolean>>;
  configRefs: readonly ConfigReference[];
  rules: readonly SettingRule[];
  /** Editor validators that are not rules here, and where they are checked instead. */
  validatorsElsewhere: Readonly<Record<string, string>>;
  /** The node's credentials (name → `text` or `password`); in a flow they never appear as plain properties. */
  credentials: Readonly<Record<string, 'text' | 'password'>>;
}

/** The editor's placeholder for "add a new config node", which selects nothing. */
export const ADD_CONFIG_PLACEHOLDER = '_ADD_';

const NAME = /^([A-Za-z_][A-Za-z0-9_]*)?$/;
const is = (property: string, value: unknown, text: string): Condition => ({
  holds: (node) => node[property] === value,
  text,
});

/** Connections over an API (every driver but the SQL Server one) need a base URL. */
const API_CONNECTION: Condition = {
  holds: (node) => (node.driver ?? 'bc-api') !== 'nav-sql',
  text: 'for an API connection',
};

function needsStoreForInvoices(node: FlowNode, lookup: NodeLookup): boolean {
  if (node.writeSummary === true) return true;
  if (node.systemType !== 'str' && node.systemType !== 'system') return false;
  const erp = lookup(node.erp);
  return !!node.system && !!erp && node.system !== erp.system;
}

export const NODE_SETTINGS: Readonly<Record<string, NodeSettings>> = {
  'crmerp-connection': {
    required: { system: '', driver: 'bc-api' },
    configRefs: [],
    rules: [
      {
        property: 'system',
        kind: 'pattern',
        pattern: /^[A-Za-z][A-Za-z0-9_.-]{0,39}$/,
        expected: 'a name of up to 40 letters, digits, "_", "." or "-" that starts with a letter, e.g. erp',
      },
      { property: 'baseUrl', kind: 'required', when: API_CONNECTION },
      {
        property: 'baseUrl',
        kind: 'pattern',
        pattern: /^(https?:\/\/\S+|\$\{\w+\})$/,
        expected: 'an http(s) URL or ${VARIABLE}',
        when: API_CONNECTION,
      },
      { property: 'timeout', kind: 'number', blankAllowed: true },
      { property: 'maxConcurrency', kind: 'number', blankAllowed: true },
      { property: 'rateRequests', kind: 'number', blankAllowed: true },
      { property: 'rateWindow', kind: 'number', blankAllowed: true },
      { property: 'rateConcurrent', kind: 'number', blankAllowed: true },
      { property: 'customFields', kind: 'jsonObject' },
      { property: 'envPrefix', kind: 'pattern', pattern: NAME, expected: 'an environment variable prefix, e.g. CRM' },
      { property: 'port', kind: 'pattern', pattern: /^(\d{1,5})?$/, expected: 'a port number, e.g. 1433' },
      { property: 'connectTimeout', kind: 'number', blankAllowed: true },
      { property: 'stagingWait', kind: 'number', blankAllowed: true },
      {
        property: 'localCurrency',
        kind: 'pattern',
        pattern: /^([A-Za-z]{3})?$/,
        expected: 'a three-letter currency code, e.g. EUR',
      },
      { property: 'sqlMapping', kind: 'jsonObject' },
    ],
    validatorsElsewhere: {},
    credentials: { clientId: 'text', clientSecret: 'password', token: 'password', user: 'text', password: 'password' },
  },
  'crmerp-store': {
    required: { backend: 'sqlite' },
    configRefs: [],
    rules: [
      {
        property: 'server',
        kind: 'required',
        when: { holds: (node) => node.backend !== 'sqlite', text: 'for SQL Server' },
      },
      {
        property: 'database',
        kind: 'required',
        when: { holds: (node) => node.backend !== 'sqlite', text: 'for SQL Server' },
      },
      {
        property: 'schema',
        kind: 'pattern',
        pattern: /^[^\][]{0,128}$/,
        expected: 'a schema name of at most 128 characters without "[" or "]"',
      },
    ],
    validatorsElsewhere: {},
    credentials: { user: 'text', password: 'password' },
  },
  'crmerp-validate': {
    required: { property: 'payload' },
    configRefs: [],
    rules: [
      { property: 'schemaFile', kind: 'required', when: is('schemaSource', 'file', 'when the schema is a file') },
      {
        property: 'entity',
        kind: 'oneOf',
        values: ENTITY_SCHEMAS,
        when: is('schemaSource', 'builtin', 'with the built-in schema'),
      },
    ],
    validatorsElsewhere: {
      property: 'the editor checks the msg/flow/global property path',
      schemaJson: 'the schema check parses it and resolves its $refs',
    },
    credentials: {},
  },
  'crmerp-link-ids': {
    required: { entity: 'customer' },
    configRefs: [{ property: 'store', type: 'crmerp-store', required: true }],
    rules: [
      {
        property: 'system',
        kind: 'required',
        when: {
          holds: (node) =>
            ['lookup', 'unlink', 'msg'].includes(String(node.operation ?? 'lookup')) &&
            (node.systemType ?? 'str') === 'str',
          text: 'for lookup and unlink',
        },
      },
      { property: 'pageSize', kind: 'number', blankAllowed: false },
    ],
    validatorsElsewhere: {},
    credentials: {},
  },
  'crmerp-read-changes': {
    required: { entity: 'customer', batchSize: 100 },
    configRefs: [
      { property: 'connection', type: 'crmerp-connection', required: true },
      { property: 'store', type: 'crmerp-store', required: true },
    ],
    rules: [{ property: 'batchSize', kind: 'integer', min: 1, max: 1000 }],
    validatorsElsewhere: {},
    credentials: {},
  },
  'crmerp-upsert-customer': {
    required: { source: 'crm', property: 'payload' },
    configRefs: [
      { property: 'connection', type: 'crmerp-connection', required: true },
      { property: 'store', type: 'crmerp-store', required: true },
    ],
    rules: [],
    validatorsElsewhere: {},
    credentials: {},
  },
  'crmerp-create-order': {
    required: { source: 'crm', property: 'payload' },
    configRefs: [
      { property: 'connection', type: 'crmerp-connection', required: true },
      { property: 'store', type: 'crmerp-store', required: true },
      { property: 'crmConnection', type: 'crmerp-connection', required: false },
    ],
    rules: [
      { property: 'statuses', kind: 'nonEmptyList' },
      { property: 'crmConnection', kind: 'required', when: is('writeBack', true, 'when "write back" is on') },
      { property: 'writeBackField', kind: 'pattern', pattern: NAME, expected: 'a field name, e.g. new_erpordernumber' },
    ],
    validatorsElsewhere: {},
    credentials: {},
  },
  'crmerp-dead-letters': {
    required: {},
    configRefs: [{ property: 'store', type: 'crmerp-store', required: true }],
    rules: [{ property: 'pageSize', kind: 'integer', min: 1, max: 1000 }],
    validatorsElsewhere: {},
    credentials: {},
  },
  'crmerp-invoice-status': {
    required: { lookupBy: 'customer' },
    configRefs: [
      { property: 'erp', type: 'crmerp-connection', required: true },
      { property: 'store', type: 'crmerp-store', required: false },
      { property: 'crm', type: 'crmerp-connection', required: false },
    ],
    rules: [
      {
        property: 'store',
        kind: 'required',
        when: {
          holds: needsStoreForInvoices,
          text: 'when the node writes the summary or looks up ids of a system other than the ERP',
        },
      },
      { property: 'crm', kind: 'required', when: is('writeSummary', true, 'when the node writes the summary') },
    ],
    validatorsElsewhere: {},
    credentials: {},
  },
};
