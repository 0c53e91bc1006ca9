import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  declaredCredentials,
  editorDefinitions,
  type EditorDefinition,
} from '../../nodes/lib/flow-check/editor-defaults';
import { NODE_SETTINGS } from '../../nodes/lib/flow-check/node-settings';
import { BUILT_IN_SCHEMA_IDS } from '../../nodes/lib/flow-check/schema-check';

const ROOT = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  'node-red': { nodes: Record<string, string> };
};
const TYPES = Object.keys(pkg['node-red'].nodes);

function editorDefinition(type: string): EditorDefinition {
  const html = readFileSync(join(ROOT, 'nodes', `${type}.html`), 'utf8');
  const definitions = editorDefinitions(html).filter((d) => d.type === type);
  assert.equal(definitions.length, 1, `one registerType('${type}', { … }) in nodes/${type}.html`);
  return definitions[0]!;
}

/**
 * The checker's table of our nodes' settings is written by hand; these tests hold it to the editor
 * files (what the editor enforces) and to the runtime's credential definitions.
 */
describe('flow checker: the table of our nodes’ settings', () => {
  it('describes exactly the node types of package.json', () => {
    assert.deepEqual(Object.keys(NODE_SETTINGS).sort(), [...TYPES].sort());
  });

  it('knows every built-in schema as a $ref target', () => {
    const dir = join(ROOT, 'nodes', 'lib', 'model', 'schemas');
    const ids = readdirSync(dir)
      .filter((f) => f.endsWith('.schema.json'))
      .map((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { $id: string }).$id)
      .sort();
    assert.deepEqual([...BUILT_IN_SCHEMA_IDS], ids);
  });

  for (const type of TYPES) {
    describe(type, () => {
      const described = NODE_SETTINGS[type];
      const settings = described ?? {
        required: {},
        configRefs: [],
        rules: [],
        validatorsElsewhere: {},
        credentials: {},
      };
      const editor = editorDefinition(type);
      beforeEach(() =>
        assert.ok(described, `describe ${type} in NODE_SETTINGS (nodes/lib/flow-check/node-settings.ts)`),
      );
      const defaults = Object.entries(editor.defaults);

      it('has the required settings the editor marks `required: true`, with their default values', () => {
        const required = Object.fromEntries(
          defaults.filter(([, d]) => d.required && d.configType === undefined).map(([name, d]) => [name, d.value]),
        );
        assert.deepEqual(settings.required, required);
      });

      it('has the config references the editor declares with `type:`', () => {
        const refs = defaults
          .filter(([, d]) => d.configType !== undefined)
          .map(([property, d]) => ({ property, type: d.configType, required: d.required }));
        assert.deepEqual(
          [...settings.configRefs].sort((a, b) => a.property.localeCompare(b.property)),
          refs.sort((a, b) => a.property.localeCompare(b.property)),
        );
        for (const ref of settings.configRefs) assert.ok(TYPES.includes(ref.type), `${ref.property}: ${ref.type}`);
      });

      it('repeats every editor validator as a rule, or says where it is checked instead', () => {
        for (const [name, d] of defaults) {
          if (!d.hasValidator) continue;
          const ruled = settings.rules.some((rule) => rule.property === name);
          assert.ok(
            ruled || name in settings.validatorsElsewhere,
            `validator of "${name}" is neither a rule nor noted`,
          );
        }
      });

      it('has rules only for settings the editor has', () => {
        const names = new Set(defaults.map(([name]) => name));
        for (const rule of settings.rules) assert.ok(names.has(rule.property), rule.property);
        for (const name of Object.keys(settings.validatorsElsewhere)) assert.ok(names.has(name), name);
      });

      it('names the credentials of the editor and the runtime', () => {
        assert.deepEqual(settings.credentials, editor.credentials);
        const runtime = declaredCredentials(readFileSync(join(ROOT, 'nodes', `${type}.ts`), 'utf8'));
        assert.deepEqual(settings.credentials, runtime);
      });
    });
  }
});
