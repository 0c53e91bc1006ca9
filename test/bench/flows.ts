/**
 * The flows the benchmark deploys: the repository's customer tab (flows/ read changes → upsert customer,
 * acknowledged by a Complete node) and the same load wired by hand from core Node-RED nodes, one HTTP call
 * per record. Debug nodes and the schedule are replaced by the benchmark's start and counter nodes
 * (`global.get('bench')`, see node-red-settings.ts); everything else is taken from flows/ as it is.
 */
import { flowFiles, mergeFlows, type FlowNode } from '../../dev/flows';

export const BENCH_TAB = 'bench-tab';

/** Settings that differ between runs of our flow. */
export interface OurFlowOptions {
  /** Records per batch; undefined keeps the value in flows/. */
  batchSize?: number;
  /** Natural key to match by; undefined keeps the value in flows/. */
  naturalKey?: string;
  /** Client-side limits of both connections; undefined keeps them empty (the documented defaults). */
  connectionLimits?: { requests: number; windowSeconds: number; concurrent?: number };
  /** Durability of the SQLite sync store; undefined keeps the value in flows/. */
  storeDurability?: 'full' | 'normal';
}

/** The shipped tab's read changes and upsert customer nodes, and the configuration nodes they use. */
export interface ShippedCustomerFlow {
  readChanges: FlowNode;
  upsert: FlowNode;
  /** The sync store the upsert node uses. */
  store: FlowNode;
  configNodes: FlowNode[];
}

export function shippedCustomerFlow(): ShippedCustomerFlow {
  const nodes = mergeFlows(flowFiles());
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const readChanges = nodes.find(
    (node) =>
      node.type === 'crmerp-read-changes' &&
      ((node.wires as string[][] | undefined)?.[0] ?? []).some((id) => byId.get(id)?.type === 'crmerp-upsert-customer'),
  );
  const upsertId = ((readChanges?.wires as string[][] | undefined)?.[0] ?? []).find(
    (id) => byId.get(id)?.type === 'crmerp-upsert-customer',
  );
  const upsert = upsertId === undefined ? undefined : byId.get(upsertId);
  if (readChanges === undefined || upsert === undefined) {
    throw new Error('flows/ has no tab where read changes feeds upsert customer');
  }
  const configIds = new Set([readChanges.connection, readChanges.store, upsert.connection, upsert.store]);
  const configNodes = nodes.filter((node) => configIds.has(node.id));
  const store = configNodes.find((node) => node.id === upsert.store);
  if (store === undefined) throw new Error('flows/: the upsert customer node names no sync store');
  return { readChanges, upsert, store, configNodes };
}

function functionNode(
  id: string,
  name: string,
  code: string,
  wires: string[][],
  extra: Record<string, unknown> = {},
): FlowNode {
  return {
    id,
    type: 'function',
    z: BENCH_TAB,
    name,
    func: code,
    outputs: wires.length,
    timeout: 0,
    noerr: 0,
    initialize: '',
    finalize: '',
    libs: [],
    x: 0,
    y: 0,
    wires,
    ...extra,
  };
}

const TAB: FlowNode = { id: BENCH_TAB, type: 'tab', label: 'Benchmark', disabled: false, info: '' };

/** Starts the load when run.ts says so: the bridge calls back, the node sends one message. */
function startNode(wire: string): FlowNode {
  return functionNode('bench-start', 'start', 'return msg;', [[wire]], {
    initialize: "global.get('bench').onStart(() => node.send({ payload: Date.now() }));",
  });
}

export function ourFlow(options: OurFlowOptions = {}): FlowNode[] {
  const shipped = shippedCustomerFlow();
  const readChanges: FlowNode = {
    ...shipped.readChanges,
    z: BENCH_TAB,
    ...(options.batchSize !== undefined && { batchSize: String(options.batchSize) }),
    wires: [[shipped.upsert.id], ['bench-read-failed']],
  };
  const upsert: FlowNode = {
    ...shipped.upsert,
    z: BENCH_TAB,
    ...(options.naturalKey !== undefined && { naturalKey: options.naturalKey }),
    wires: [['bench-written'], ['bench-failed']],
  };
  const limits = options.connectionLimits;
  const configNodes = shipped.configNodes.map((node) => {
    if (node.type === 'crmerp-connection' && limits !== undefined) {
      return {
        ...node,
        rateRequests: String(limits.requests),
        rateWindow: String(limits.windowSeconds),
        rateConcurrent: limits.concurrent === undefined ? '' : String(limits.concurrent),
      };
    }
    if (node.type === 'crmerp-store' && options.storeDurability !== undefined) {
      return { ...node, synchronous: options.storeDurability };
    }
    return node;
  });
  return [
    TAB,
    ...configNodes,
    startNode(readChanges.id),
    readChanges,
    upsert,
    functionNode(
      'bench-written',
      'count written',
      "const bench = global.get('bench');\nfor (const entry of msg.payload) bench.count(entry.result);\nbench.progress(msg.payload.filter((entry) => entry.result === 'created' || entry.result === 'updated').length);\nreturn null;",
      [],
    ),
    functionNode(
      'bench-failed',
      'count failed',
      "const bench = global.get('bench');\nconst entries = Array.isArray(msg.payload) ? msg.payload : [msg.payload];\nfor (const entry of entries) bench.count(entry && entry.result ? entry.result : 'failed');\nbench.failure(msg.error && msg.error.message);\nreturn null;",
      [],
    ),
    functionNode(
      'bench-read-failed',
      'read failed',
      "const bench = global.get('bench');\nbench.count('readFailed');\nbench.failure(msg.error && msg.error.message);\nbench.done();\nreturn null;",
      [],
    ),
    {
      id: 'bench-ack',
      type: 'complete',
      z: BENCH_TAB,
      name: 'batch done',
      scope: [upsert.id],
      uncaught: false,
      x: 0,
      y: 0,
      wires: [[readChanges.id]],
    },
    {
      id: 'bench-read-status',
      type: 'status',
      z: BENCH_TAB,
      name: 'read changes status',
      scope: [readChanges.id],
      x: 0,
      y: 0,
      wires: [['bench-up-to-date']],
    },
    functionNode(
      'bench-up-to-date',
      'up to date?',
      "if (msg.status.fill === 'green') global.get('bench').done();\nreturn null;",
      [],
    ),
  ];
}

function httpRequestNode(id: string, name: string, wire: string): FlowNode {
  return {
    id,
    type: 'http request',
    z: BENCH_TAB,
    name,
    method: 'use',
    ret: 'obj',
    paytoqs: 'ignore',
    url: '',
    tls: '',
    persist: true,
    proxy: '',
    insecureHTTPParser: false,
    authType: '',
    senderr: false,
    headers: [],
    x: 0,
    y: 0,
    wires: [[wire]],
  };
}

/** The columns the hand-wired flow reads and the mapping it applies, as an integrator would write them. */
const ACCOUNT_COLUMNS =
  'accountid,name,emailaddress1,telephone1,websiteurl,address1_line1,address1_line2,address1_city,address1_postalcode,address1_country,creditlimit,customertypecode';

const TOKEN_REQUEST = (prefix: string, scope: string): string => `msg.method = 'POST';
msg.url = env.get('${prefix}_TOKEN_URL');
msg.headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
msg.payload = 'grant_type=client_credentials'
  + '&client_id=' + encodeURIComponent(env.get('${prefix}_CLIENT_ID'))
  + '&client_secret=' + encodeURIComponent(env.get('${prefix}_CLIENT_SECRET'))
  + '&scope=' + encodeURIComponent(${scope});`;

/**
 * Initial load with core nodes: fetch a token for each system, look up the company, then page through
 * the Dataverse accounts; a function node maps each page's accounts to Business Central customers and
 * sends one POST per account; when a page's POSTs have all answered, the next page is fetched.
 */
export function coreFlow(): FlowNode[] {
  return [
    TAB,
    startNode('core-crm-token'),
    functionNode(
      'core-crm-token',
      'CRM token request',
      `${TOKEN_REQUEST('CRMERP_CRM', "env.get('CRMERP_CRM_URL') + '/.default'")}\nreturn msg;`,
      [['core-http-crm-token']],
    ),
    httpRequestNode('core-http-crm-token', 'CRM token', 'core-erp-token'),
    functionNode(
      'core-erp-token',
      'ERP token request',
      `flow.set('crmToken', msg.payload.access_token);\n${TOKEN_REQUEST('CRMERP_ERP', "'https://api.businesscentral.dynamics.com/.default'")}\nreturn msg;`,
      [['core-http-erp-token']],
    ),
    httpRequestNode('core-http-erp-token', 'ERP token', 'core-companies'),
    functionNode(
      'core-companies',
      'companies request',
      `flow.set('erpToken', msg.payload.access_token);
const api = env.get('CRMERP_ERP_URL') + '/v2.0/' + env.get('CRMERP_ERP_TENANT') + '/production/api/v2.0';
flow.set('erpApi', api);
msg.method = 'GET';
msg.url = api + '/companies';
msg.headers = { Authorization: 'Bearer ' + msg.payload.access_token };
msg.payload = '';
return msg;`,
      [['core-http-companies']],
    ),
    httpRequestNode('core-http-companies', 'companies', 'core-first-page'),
    functionNode(
      'core-first-page',
      'first page of accounts',
      `const company = msg.payload.value.find((c) => c.name === 'CRONUS International Ltd.');
flow.set('customersUrl', flow.get('erpApi') + '/companies(' + company.id + ')/customers');
msg.method = 'GET';
msg.url = env.get('CRMERP_CRM_URL') + '/api/data/v9.2/accounts?$select=${ACCOUNT_COLUMNS}';
msg.headers = { Authorization: 'Bearer ' + flow.get('crmToken'), Accept: 'application/json' };
msg.payload = '';
return msg;`,
      [['core-http-page']],
    ),
    httpRequestNode('core-http-page', 'page of accounts', 'core-map'),
    functionNode(
      'core-map',
      'map accounts to customers',
      `if (msg.statusCode !== 200) {
    const bench = global.get('bench');
    const attempt = (msg.attempt || 1) + 1;
    // A keep-alive socket the server closed meanwhile: fetch the page again, as a careful integrator would.
    if (typeof msg.statusCode !== 'number' && attempt <= 3) {
        bench.count('pageRetries');
        return [null, { method: 'GET', url: msg.url, headers: { Authorization: 'Bearer ' + flow.get('crmToken') }, payload: '', attempt: attempt }];
    }
    bench.count('readFailed');
    bench.failure('page of accounts: ' + msg.statusCode + ' ' + JSON.stringify(msg.payload));
    bench.done();
    return [null, null];
}
const headers = { Authorization: 'Bearer ' + flow.get('erpToken'), 'Content-Type': 'application/json' };
const url = flow.get('customersUrl');
const posts = [];
for (const a of msg.payload.value) {
    if (a.customertypecode === 8) continue; // prospects stay in the CRM
    const customer = { displayName: a.name };
    if (a.emailaddress1) customer.email = a.emailaddress1;
    if (a.telephone1) customer.phoneNumber = a.telephone1;
    if (a.websiteurl) customer.website = a.websiteurl;
    if (a.address1_line1) customer.addressLine1 = a.address1_line1;
    if (a.address1_line2) customer.addressLine2 = a.address1_line2;
    if (a.address1_city) customer.city = a.address1_city;
    if (a.address1_postalcode) customer.postalCode = a.address1_postalcode;
    if (/^[A-Z]{2}$/.test(a.address1_country || '')) customer.country = a.address1_country;
    if (typeof a.creditlimit === 'number') customer.creditLimit = a.creditlimit;
    posts.push({ method: 'POST', url: url, headers: headers, payload: customer, accountId: a.accountid });
}
flow.set('pending', posts.length);
flow.set('nextLink', msg.payload['@odata.nextLink'] || null);
if (posts.length > 0) return [posts, null];
const next = flow.get('nextLink');
if (!next) { global.get('bench').done(); return [null, null]; }
return [null, { method: 'GET', url: next, headers: { Authorization: 'Bearer ' + flow.get('crmToken') }, payload: '' }];`,
      [['core-http-post'], ['core-http-page']],
    ),
    httpRequestNode('core-http-post', 'POST customer', 'core-count'),
    functionNode(
      'core-count',
      'count, then next page',
      `const bench = global.get('bench');
if (msg.statusCode === 201) bench.count('created');
else {
    bench.count('failed');
    bench.failure('account ' + msg.accountId + ': ' + msg.statusCode + ' ' + JSON.stringify(msg.payload));
}
const pending = flow.get('pending') - 1;
flow.set('pending', pending);
if (pending > 0) return null;
const next = flow.get('nextLink');
if (!next) { bench.done(); return null; }
return { method: 'GET', url: next, headers: { Authorization: 'Bearer ' + flow.get('crmToken') }, payload: '' };`,
      [['core-http-page']],
    ),
  ];
}
