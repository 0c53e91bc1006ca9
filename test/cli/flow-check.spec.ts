import assert from 'node:assert/strict';
import { checkFlowSet, type CheckContext, type Finding } from '../../nodes/lib/flow-check/check';
import { CORE_NODE_TYPES } from '../../nodes/lib/flow-check/core-types';
import { editorDefinitions, registeredTypes } from '../../nodes/lib/flow-check/editor-defaults';
import { formatFinding, summary } from '../../nodes/lib/flow-check/format';
import { NODE_SETTINGS } from '../../nodes/lib/flow-check/node-settings';
import { checkSchema, checkSchemaText } from '../../nodes/lib/flow-check/schema-check';
import { findSecrets, isSecretName, looksRandom, mask } from '../../nodes/lib/flow-check/secrets';

const context: CheckContext = {
  knownTypes: new Set([...CORE_NODE_TYPES, ...Object.keys(NODE_SETTINGS)]),
  settings: NODE_SETTINGS,
  readFile: (path) => (path === '/flows/schemas/x.json' ? '{"$ref": "link.schema.json"}' : undefined),
};

function check(...files: unknown[][]): Finding[] {
  return checkFlowSet(
    files.map((items, i) => ({ path: `f${i}.json`, dir: '/flows', items })),
    context,
  );
}

function kinds(findings: Finding[]): string[] {
  return findings.map((f) => `${f.node?.id ?? '-'} ${f.kind}`);
}

const TAB = { id: 't1', type: 'tab', label: 'Main' };
const STORE = { id: 's1', type: 'crmerp-store', name: 'store', backend: 'sqlite', file: 'x.db' };
const CONNECTION = { id: 'c1', type: 'crmerp-connection', system: 'erp', driver: 'bc-api', baseUrl: '${ERP_URL}' };

describe('flow checker core', () => {
  describe('structure', () => {
    it('finds nothing in a sound flow with subflows, links, groups and scoped catch nodes', () => {
      const flow = [
        TAB,
        {
          id: 'sf',
          type: 'subflow',
          name: 'sub',
          in: [{ wires: [{ id: 'sf-fn' }] }],
          out: [{ wires: [{ id: 'sf' }] }],
        },
        { id: 'sf-fn', type: 'function', z: 'sf', func: 'return msg;', wires: [[]] },
        { id: 'g1', type: 'group', z: 't1', nodes: ['i1'] },
        { id: 'i1', type: 'inject', z: 't1', g: 'g1', wires: [['inst', 'lo']] },
        { id: 'inst', type: 'subflow:sf', z: 't1', wires: [['j1']] },
        { id: 'j1', type: 'junction', z: 't1', wires: [['d1']] },
        { id: 'lo', type: 'link out', z: 't1', mode: 'link', links: ['li'] },
        { id: 'li', type: 'link in', z: 't1', links: ['lo'], wires: [['d1']] },
        { id: 'lc', type: 'link call', z: 't1', linkType: 'dynamic', links: [], wires: [[]] },
        { id: 'd1', type: 'debug', z: 't1', wires: [] },
        { id: 'ca', type: 'catch', z: 't1', scope: ['d1'], wires: [['d1']] },
        STORE,
      ];
      assert.deepEqual(check(flow), []);
    });

    it('treats a config node repeated unchanged in two files as one node, and a changed copy as a duplicate', () => {
      const user = { id: 'l1', type: 'crmerp-link-ids', z: 't1', store: 's1', entity: 'customer', operation: 'list' };
      assert.deepEqual(check([TAB, user, STORE], [STORE]), []);
      const changed = check([TAB, user, STORE], [{ ...STORE, file: 'other.db' }]);
      assert.deepEqual(kinds(changed), ['s1 duplicate-id']);
      assert.equal(changed[0]?.file, 'f1.json');
    });

    it('takes a file of selected nodes without their tab as importable, but not a file with tabs', () => {
      const selection = [
        { id: 'i1', type: 'inject', z: 'elsewhere', g: 'some-group', wires: [['d1']] },
        { id: 'd1', type: 'debug', z: 'elsewhere', wires: [] },
      ];
      assert.deepEqual(check(selection), []);
      assert.deepEqual(kinds(check([TAB, ...selection])), ['i1 missing-flow', 'i1 missing-group', 'd1 missing-flow']);
      const twoTabs = [selection[0], { ...selection[1], z: 'other' }];
      assert.deepEqual(kinds(check(twoTabs)), [
        'i1 missing-flow',
        'i1 missing-group',
        'i1 dangling-wire',
        'd1 missing-flow',
      ]);
    });

    it('reports entries that are not nodes', () => {
      const findings = check([TAB, { type: 'inject' }, 'text', { id: 'x', type: 'comment' }]);
      assert.deepEqual(
        findings.map((f) => f.message.slice(0, 20)),
        ['entry 2 of the flow ', 'entry 3 of the flow '],
      );
    });

    it('reports subflow ports wired to missing nodes, wires into tabs and links to the wrong type', () => {
      const findings = check([
        TAB,
        {
          id: 'sf',
          type: 'subflow',
          name: 'sub',
          in: [{ wires: [{ id: 'gone' }] }],
          out: [],
          status: { wires: [{ id: 'gone2' }] },
        },
        { id: 'i1', type: 'inject', z: 't1', wires: [['t1']] },
        { id: 'li', type: 'link in', z: 't1', links: ['i1'], wires: [] },
        { id: 'lc', type: 'link call', z: 't1', links: 'gone3', wires: [] },
      ]);
      assert.deepEqual(kinds(findings), [
        'sf dangling-wire',
        'sf dangling-wire',
        'i1 dangling-wire',
        'li dangling-link',
        'lc dangling-link',
      ]);
      assert.match(findings[2]?.message ?? '', /wired to tab "Main" \(t1\), which cannot receive messages/);
    });
  });

  describe('settings of our nodes', () => {
    it('does not ask for a required setting that is absent but has a default, and does for an empty one', () => {
      const absent = { id: 'v1', type: 'crmerp-validate', z: 't1', schemaSource: 'builtin', entity: 'order' };
      assert.deepEqual(check([TAB, absent]), []);
      const empty = check([TAB, { ...absent, property: '' }]);
      assert.deepEqual(kinds(empty), ['v1 missing-setting']);
      const noSystem = check([TAB, { id: 'c2', type: 'crmerp-connection', driver: 'bc-api', baseUrl: 'http://x' }]);
      assert.deepEqual(kinds(noSystem), ['c2 missing-setting'], 'system has no default');
    });

    it("counts the editor's _ADD_ placeholder as no config node selected", () => {
      const findings = check([TAB, { id: 'l1', type: 'crmerp-link-ids', z: 't1', store: '_ADD_', operation: 'list' }]);
      assert.deepEqual(kinds(findings), ['l1 missing-setting']);
    });

    it('leaves ${VARIABLE} values to the deployment', () => {
      const connection = { ...CONNECTION, timeout: '${ERP_TIMEOUT}', customFields: '${ERP_FIELDS}' };
      assert.deepEqual(check([connection]), []);
    });

    it('asks invoice status for a store only when it looks up ids of a system other than the ERP', () => {
      const node = {
        id: 'is',
        type: 'crmerp-invoice-status',
        z: 't1',
        erp: 'c1',
        lookupBy: 'customer',
        systemType: 'str',
      };
      assert.deepEqual(check([TAB, CONNECTION, { ...node, system: 'erp' }]), []);
      assert.deepEqual(kinds(check([TAB, CONNECTION, { ...node, system: 'crm' }])), ['is missing-setting']);
      assert.deepEqual(check([TAB, CONNECTION, STORE, { ...node, system: 'crm', store: 's1' }]), []);
    });

    it('never quotes a setting that holds a secret', () => {
      const findings = check([{ ...CONNECTION, baseUrl: 'ftp://admin:Xy7pQ2rT9wK4@erp.example.invalid' }]);
      assert.deepEqual(kinds(findings), ['c1 inline-secret', 'c1 invalid-setting']);
      for (const finding of findings) assert.ok(!finding.message.includes('Xy7pQ2rT9wK4'), finding.message);
    });

    it('checks schema files against the flow file’s directory', () => {
      const validate = { id: 'v1', type: 'crmerp-validate', z: 't1', schemaSource: 'file', property: 'payload' };
      assert.deepEqual(check([TAB, { ...validate, schemaFile: 'schemas/x.json' }]), []);
      assert.deepEqual(check([TAB, { ...validate, schemaFile: '/flows/schemas/x.json' }]), []);
      assert.deepEqual(kinds(check([TAB, { ...validate, schemaFile: 'schemas/y.json' }])), ['v1 schema']);
    });
  });

  describe('secrets', () => {
    it('tells secret-like names from names of other things', () => {
      for (const name of ['apiKey', 'client_secret', 'X-Api-Key', 'ACCESS_TOKEN', 'password', 'subscriptionKey']) {
        assert.ok(isSecretName(name), name);
      }
      for (const name of ['tokenUrl', 'keyType', 'keyPath', 'naturalKey_name', 'topic', 'erpNumberColumn']) {
        assert.ok(!isSecretName(name), name);
      }
    });

    it('takes long mixed values as random, words and URLs not', () => {
      assert.ok(looksRandom('a8F3kQ9zL2mN7pR4'));
      assert.ok(!looksRandom('new_erpcustomerno'));
      assert.ok(!looksRandom('https://login.example.invalid/0123456789abcdef/token'));
      assert.ok(!looksRandom('short1A'));
    });

    it('masks to at most two characters and the length', () => {
      assert.equal(mask('a8F3kQ9zL2mN7pR4'), '"a8…", 16 characters');
      assert.equal(mask('hunter2'), '7 characters');
    });

    it('finds a Basic header only when it decodes to user:password', () => {
      const real = findSecrets({ func: "headers.Authorization = 'Basic dXNlcjpwYXNz';" });
      assert.deepEqual(
        real.map((s) => s.kind),
        ['basic authentication credentials'],
      );
      assert.deepEqual(findSecrets({ info: 'Basic authentication needs credentials.' }), []);
    });

    it('ignores references: ${VARIABLE}, {{mustache}}, msg and env typed values', () => {
      const node = {
        url: 'https://u:${PASSWORD}@host/x?password=${PW}',
        headers: [{ keyType: 'Authorization', valueType: 'other', valueValue: 'Bearer ${TOKEN}' }],
        rules: [{ t: 'set', p: 'headers.authorization', to: 'auth', tot: 'msg' }],
        env: [{ name: 'API_KEY', value: 'API_KEY_VARIABLE_NAME_1234', type: 'env' }],
        template: 'Authorization: Bearer {{token}}',
      };
      assert.deepEqual(findSecrets(node), []);
    });

    it('leaves file paths and placeholders in documentation alone', () => {
      const node = {
        key: '/etc/ssl/private/server-2024.key',
        info: 'Connect with https://user:password@host, add ?client_secret=YOUR_SECRET or `password=` to the URL.',
      };
      assert.deepEqual(findSecrets(node), []);
      assert.deepEqual(
        findSecrets({ key: 'a8F3kQ9zL2mN7pR4/x', info: '?client_secret=s3cr3tValue' }).map((s) => s.path),
        ['key', 'info'],
      );
    });

    it('reports plain credentials only for the names it is given, and exported credentials always', () => {
      const node = { id: 'n', type: 'x', user: 'sa', credentials: { password: 'pw-1234' } };
      assert.deepEqual(
        findSecrets(node).map((s) => s.path),
        ['credentials.password'],
      );
      assert.deepEqual(
        findSecrets(node, ['user']).map((s) => s.path),
        ['credentials.password', 'user'],
      );
    });
  });

  describe('schemas', () => {
    it('lists every $ref that resolves nowhere, not just the first', () => {
      const problems = checkSchema({
        properties: { a: { $ref: 'nope.json' }, b: { $ref: '#/$defs/none' }, c: { $ref: 'order.schema.json' } },
      });
      assert.deepEqual(problems, [
        { kind: 'ref', ref: 'nope.json' },
        { kind: 'ref', ref: '#/$defs/none' },
      ]);
    });

    it('refuses the $id of a built-in schema, as the node does', () => {
      assert.equal(checkSchema({ $id: 'customer.schema.json' })[0]?.kind, 'invalid');
    });

    it('reports where JSON breaks without quoting it', () => {
      const [problem] = checkSchemaText('{\n  "type": "object",\n  "secret": hunter2\n}');
      assert.equal(problem?.kind, 'json');
      assert.match(problem?.kind === 'json' ? problem.message : '', /\(line 3, column \d+\)/);
      assert.ok(!JSON.stringify(problem).includes('hunter2'));
    });
  });

  describe('editor files', () => {
    it('reads defaults, required flags, config types and credentials without running the code', () => {
      const html = `<script type="text/javascript">
        RED.nodes.registerType('x-node', {
          category: 'function',
          defaults: {
            // the name
            name: { value: '' },
            code: { value: 'a{1,2}', required: true, validate: RED.validators.regex(/^[a-z]{1,2}(?:x|\\/)$/) },
            conn: { value: '', type: "x-config", required: false },
            list: { value: ['a', 'b'], validate: function (v) { return v.length > 0 && "}" !== v; } },
          },
          credentials: { secret: { type: 'password' } },
          oneditprepare: function () { var o = { defaults: {} }; },
        });
        RED.nodes.registerType("x-config", { category: 'config', defaults: { host: { value: 'h', required: true } } });
      </script>`;
      const [node, config] = editorDefinitions(html);
      assert.equal(node?.type, 'x-node');
      assert.deepEqual(Object.keys(node?.defaults ?? {}), ['name', 'code', 'conn', 'list']);
      assert.deepEqual(node?.defaults.code, {
        value: 'a{1,2}',
        valueSource: "'a{1,2}'",
        required: true,
        hasValidator: true,
      });
      assert.equal(node?.defaults.conn?.configType, 'x-config');
      assert.deepEqual(node?.defaults.list?.value, ['a', 'b']);
      assert.deepEqual(node?.credentials, { secret: 'password' });
      assert.equal(config?.defaults.host?.required, true);
      assert.deepEqual(registeredTypes(html), ['x-node', 'x-config']);
    });
  });

  describe('output', () => {
    it('formats a finding as file: tab › node: message', () => {
      const [finding] = check([TAB, { id: 'i1', type: 'inject', z: 't1', name: 'go', wires: [['gone']] }]);
      assert.ok(finding);
      assert.equal(
        formatFinding(finding),
        'f0.json: tab "Main" › inject "go" (i1): output 1 is wired to "gone", which is not in the checked files; delete the wire or export the node it led to',
      );
      assert.equal(
        summary({ files: ['f0.json'], errors: [], findings: [finding], nodes: 2 }),
        '1 problem in 1 file; checked 1 file (2 nodes).',
      );
    });
  });
});
