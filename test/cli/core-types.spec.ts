import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CORE_NODE_TYPES } from '../../nodes/lib/flow-check/core-types';
import { registeredTypes } from '../../nodes/lib/flow-check/editor-defaults';

function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, pattern) : pattern.test(name) ? [path] : [];
  });
}

describe('flow checker: the list of Node-RED core node types', () => {
  const core = join(dirname(require.resolve('@node-red/nodes/package.json')), 'core');

  it('holds every type the installed node-red registers in its editor files', () => {
    const html = filesUnder(core, /\.html$/);
    assert.ok(html.length > 20, `editor files under ${core}`);
    const types = new Set(html.flatMap((file) => registeredTypes(readFileSync(file, 'utf8'))));
    assert.ok(types.has('inject') && types.has('http request') && types.has('link call'), 'the scan finds core types');
    const missing = [...types].filter((type) => !CORE_NODE_TYPES.includes(type));
    assert.deepEqual(missing, [], 'types of the installed node-red missing from core-types.ts');
  });

  it('holds the types registered only by runtime files too (e.g. junction)', () => {
    const types = new Set(filesUnder(core, /\.js$/).flatMap((file) => registeredTypes(readFileSync(file, 'utf8'))));
    assert.ok(types.has('junction'));
    assert.deepEqual(
      [...types].filter((type) => !CORE_NODE_TYPES.includes(type)),
      [],
    );
  });

  it('lists each type once', () => {
    assert.equal(new Set(CORE_NODE_TYPES).size, CORE_NODE_TYPES.length);
  });
});
