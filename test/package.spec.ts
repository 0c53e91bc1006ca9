import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  engines: { node: string };
  keywords: string[];
  files: string[];
  'node-red': { version: string; nodes: Record<string, string> };
};
const nodeTypes = Object.keys(pkg['node-red'].nodes);
const CONFIG_NODES = new Set(['crmerp-store', 'crmerp-connection']);

describe('package layout', () => {
  it('declares what the Flow Library expects', () => {
    assert.equal(pkg['node-red'].version, '>=3.1.0');
    assert.equal(pkg.engines.node, '>=18');
    assert.ok(pkg.keywords.includes('node-red'));
    assert.ok(pkg.files.every((f) => f.startsWith('dist/') || f === 'examples/' || f.endsWith('.md')));
  });

  for (const type of nodeTypes) {
    describe(type, () => {
      const js = join(root, pkg['node-red'].nodes[type] ?? '');
      const base = js.replace(/\.js$/, '');
      const dir = join(js, '..');

      it('has the compiled runtime, editor template and help in English and German', () => {
        assert.ok(type.startsWith('crmerp-'), 'every type shares one prefix');
        assert.ok(existsSync(js), js);
        const html = readFileSync(`${base}.html`, 'utf8');
        assert.match(html, new RegExp(`data-template-name="${type}"`));
        assert.match(html, new RegExp(`registerType\\('${type}'`));
        for (const lang of ['en-US', 'de']) {
          const messages = JSON.parse(readFileSync(join(dir, 'locales', lang, `${type}.json`), 'utf8')) as Record<
            string,
            unknown
          >;
          assert.ok(messages[type], `${lang} messages for ${type}`);
          assert.equal((messages.palette as { label: Record<string, string> }).label.crm_erp, 'CRM ⇄ ERP');
          const help = readFileSync(join(dir, 'locales', lang, `${type}.html`), 'utf8');
          assert.match(help, new RegExp(`data-help-name="${type}"`));
        }
      });

      it('uses i18n keys that exist in both languages', () => {
        const html = readFileSync(`${base}.html`, 'utf8');
        const keys = [
          ...html.matchAll(/data-i18n="(?:\[[a-z]+\])?([\w.-]+)"/g),
          ...html.matchAll(/_\('([\w.-]+)'\)/g),
        ].map((m) => m[1] ?? '');
        for (const lang of ['en-US', 'de']) {
          const messages = JSON.parse(readFileSync(join(dir, 'locales', lang, `${type}.json`), 'utf8')) as Record<
            string,
            unknown
          >;
          for (const key of keys) {
            const value = key
              .split('.')
              .reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], messages);
            assert.equal(typeof value, 'string', `${lang}: ${key}`);
          }
        }
      });

      it('has its icon', () => {
        const html = readFileSync(`${base}.html`, 'utf8');
        const icons = [...html.matchAll(/icon: '([\w-]+\.svg)'/g)].map((m) => m[1] ?? '');
        if (!CONFIG_NODES.has(type)) assert.equal(icons.length, 1, 'one icon of our own');
        for (const icon of icons) assert.ok(existsSync(join(dir, 'icons', icon)), icon);
      });

      if (!CONFIG_NODES.has(type)) {
        it('appears in an example', () => {
          const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.json'));
          const used = examples.some((file) =>
            readFileSync(join(root, 'examples', file), 'utf8').includes(`"type": "${type}"`),
          );
          assert.ok(used, `no example in examples/ uses ${type}`);
        });
      }
    });
  }
});
