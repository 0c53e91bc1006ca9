import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/tmp';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'dist', 'nodes', 'cli', 'crmerp.js');
const FIXTURES = 'test/cli/fixtures';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  lines: string[];
}

/** Runs the compiled `crmerp` command in the repository root, as a CI job would. */
function crmerp(...args: string[]): Run {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    lines: result.stdout.split('\n').filter(Boolean),
  };
}

function linesAbout(run: Run, nodeId: string): string[] {
  return run.lines.filter((line) => line.includes(`(${nodeId}):`));
}

function assertLine(run: Run, nodeId: string, pattern: RegExp): void {
  const lines = linesAbout(run, nodeId);
  assert.ok(
    lines.some((line) => pattern.test(line)),
    `no line about ${nodeId} matches ${pattern}; lines about it:\n${lines.join('\n')}`,
  );
}

describe('crmerp check (the command)', () => {
  it('starts with a shebang so npx and npm bin links can run it', () => {
    const run = spawnSync('head', ['-n', '1', BIN], { encoding: 'utf8' });
    assert.equal(run.stdout.trim(), '#!/usr/bin/env node');
  });

  describe('usage', () => {
    it('prints help with --help and exits 0', () => {
      for (const args of [['--help'], ['check', '--help'], []]) {
        const run = crmerp(...args);
        assert.equal(run.status, 0, args.join(' '));
        assert.match(run.stdout, /Usage: crmerp check \[options\] <file or directory>/);
        for (const option of ['--modules', '--allow-type', '--user-dir', '--each', '--json']) {
          assert.ok(run.stdout.includes(option), option);
        }
      }
    });

    it('exits 2 on an unknown command or option, or without files', () => {
      const unknownCommand = crmerp('lint', 'flows');
      assert.equal(unknownCommand.status, 2);
      assert.match(unknownCommand.stderr, /unknown command "lint"/);
      const unknownOption = crmerp('check', '--strict', 'flows');
      assert.equal(unknownOption.status, 2);
      assert.match(unknownOption.stderr, /unknown option --strict/);
      const noFiles = crmerp('check', '--json');
      assert.equal(noFiles.status, 2);
      assert.match(noFiles.stderr, /name at least one flow file or directory/);
      const noValue = crmerp('check', 'flows', '--modules');
      assert.equal(noValue.status, 2);
      assert.match(noValue.stderr, /--modules needs a value/);
      const badModules = crmerp('check', 'flows', '--modules', 'no/such/dir');
      assert.equal(badModules.status, 2);
      assert.match(badModules.stderr, /--modules no\/such\/dir/);
    });
  });

  describe('the flows of this repository', () => {
    it('passes every file in flows/, checked as one deployment', () => {
      const run = crmerp('check', 'flows');
      assert.equal(run.status, 0, run.stdout);
      assert.match(run.stdout, /^No problems found in \d+ files \(\d+ nodes\)\.$/m);
    });

    it('passes every file in examples/, each checked on its own as it is imported', () => {
      const run = crmerp('check', '--each', 'examples');
      assert.equal(run.status, 0, run.stdout);
      assert.match(run.stdout, /^No problems found in \d+ files/m);
    });
  });

  describe('files deployed together', () => {
    it('resolves references across the files of a directory and skips package.json', () => {
      const run = crmerp('check', `${FIXTURES}/deployment`);
      assert.equal(run.status, 0, run.stdout);
      assert.match(run.stdout, /No problems found in 3 files \(7 nodes\)/);
    });

    it('with --each, a file that uses a config node of another file fails', () => {
      const run = crmerp('check', '--each', `${FIXTURES}/deployment`);
      assert.equal(run.status, 1);
      assert.deepEqual(run.lines.slice(0, -1), [
        `${FIXTURES}/deployment/20-tab.json: tab "Uses the shared connection" › crmerp-invoice-status "invoice by number" (invoices-shared): "erp" (ERP) points to "shared-conn", which is not in the checked files; export the crmerp-connection node with the flow, or select another one`,
      ]);
    });

    it('reports two different nodes with one id in two files', () => {
      const dir = tempDir('cli-dup');
      try {
        writeFileSync(join(dir.path, 'a.json'), JSON.stringify([{ id: 'n1', type: 'comment', name: 'first' }]));
        writeFileSync(join(dir.path, 'b.json'), JSON.stringify([{ id: 'n1', type: 'comment', name: 'second' }]));
        const run = crmerp('check', dir.path);
        assert.equal(run.status, 1);
        assert.equal(run.lines.length, 2);
        assert.match(
          run.lines[0] ?? '',
          /b\.json: global › comment "second" \(n1\): the id is also used by comment "first" \(n1\) in .*a\.json, which differs/,
        );
      } finally {
        dir.remove();
      }
    });
  });

  describe('findings', () => {
    it('reports unknown types and missing subflows, and suggests the closest type', () => {
      const run = crmerp('check', `${FIXTURES}/unknown-types.json`);
      assert.equal(run.status, 1);
      assert.ok(
        run.lines.includes(
          `${FIXTURES}/unknown-types.json: tab "Types" › crmerp-upsert-custmer "upsert with a typo" (typo-1): unknown node type "crmerp-upsert-custmer" (did you mean "crmerp-upsert-customer"?): @crmerp/node-red-crm-erp 0.1.0 has no such node; fix the type, or update the package if the flow was made with a newer version`,
        ),
        run.stdout,
      );
      assertLine(run, 'button-1', /unknown node type "ui_button"; install the module .* --allow-type "ui_button"/);
      assertLine(run, 'flow-in-1', /unknown node type "fake-in"/);
      assertLine(run, 'scoped-1', /unknown node type "scoped-node"/);
      assertLine(run, 'instance-missing', /instance of subflow sf-gone, which is not in the checked files/);
      assert.deepEqual(linesAbout(run, 'instance-ok'), []);
      assert.deepEqual(linesAbout(run, 'inject-1'), []);
      assert.equal(run.lines[run.lines.length - 1], '5 problems in 1 file; checked 1 file (9 nodes).');
    });

    it('accepts the types of installed modules (--modules) and allowed types (--allow-type)', () => {
      const run = crmerp(
        'check',
        `${FIXTURES}/unknown-types.json`,
        '--modules',
        `${FIXTURES}/modules`,
        '--allow-type=ui_button,ui_text',
      );
      assert.equal(run.status, 1);
      assert.deepEqual(
        run.lines.slice(0, -1).map((line) => /\((\S+)\):/.exec(line)?.[1]),
        ['typo-1', 'instance-missing'],
      );
    });

    it('takes a Node-RED user directory for --modules and reads its node_modules', () => {
      const dir = tempDir('cli-userdir-modules');
      try {
        cpSync(join(ROOT, FIXTURES, 'modules'), join(dir.path, 'node_modules'), { recursive: true });
        const run = crmerp('check', `${FIXTURES}/unknown-types.json`, '--modules', dir.path);
        assert.deepEqual(linesAbout(run, 'flow-in-1'), []);
        assert.deepEqual(linesAbout(run, 'scoped-1'), []);
        assert.equal(linesAbout(run, 'button-1').length, 1);
      } finally {
        dir.remove();
      }
    });

    it('reports dangling wires, links, scopes, group members, tabs, groups and duplicate ids', () => {
      const run = crmerp('check', `${FIXTURES}/structure.json`);
      assert.equal(run.status, 1);
      assert.ok(
        run.lines.includes(
          `${FIXTURES}/structure.json: tab "Tab A" › inject "start" (inject-a): output 1 is wired to "missing-target", which is not in the checked files; delete the wire or export the node it led to`,
        ),
        run.stdout,
      );
      assertLine(
        run,
        'inject-a',
        /output 2 is wired to debug "other tab" \(debug-b\) on another tab, which the editor drops/,
      );
      assertLine(run, 'debug-a', /the id is used by another node in this file, debug "out" \(debug-a\)/);
      assertLine(run, 'orphan', /tab or subflow "tab-gone" \("z"\), which is not in the checked files/);
      assertLine(run, 'grouped', /in group "group-gone" \("g"\)/);
      assertLine(run, 'group-a', /group member "gone-member"/);
      assertLine(run, 'link-out-a', /links to "link-gone", which is not in the checked files/);
      assertLine(run, 'link-call-a', /links to debug "out" \(debug-a\), which is not a link in node/);
      assertLine(run, 'catch-a', /"scope-gone" \("scope"\) is not in the checked files/);
      assert.equal(run.lines.length, 10);
    });

    it('reports config references, required settings and invalid settings of our nodes', () => {
      const run = crmerp('check', `${FIXTURES}/settings.json`);
      assert.equal(run.status, 1);
      assertLine(run, 'upsert-1', /"connection" \(Target\) points to "conn-gone", which is not in the checked files/);
      assertLine(
        run,
        'upsert-1',
        /"store" \(Sync store\) points to crmerp-connection "ERP" \(conn-ok\), but must be a crmerp-store/,
      );
      assertLine(run, 'link-1', /"store" \(Sync store\) is required; select a crmerp-store node/);
      assertLine(run, 'link-1', /"system" \(System\) is required for lookup and unlink/);
      assertLine(run, 'conn-bad', /"baseUrl" \(Base URL\) is required for an API connection/);
      assertLine(run, 'conn-sql', /"port" .* is "14x3"; it must be a port number/);
      assertLine(run, 'conn-bad', /"system" \(System name\) is "1erp"; it must be a name/);
      assertLine(run, 'conn-bad', /"timeout" .* is "soon"; it must be a number or empty/);
      assertLine(run, 'conn-bad', /"customFields" .* is not valid JSON/);
      assertLine(run, 'store-sql', /"server" \(Server\) is required for SQL Server/);
      assertLine(run, 'read-1', /"batchSize" \(Batch size\) is 0; it must be a whole number from 1 to 1000/);
      assertLine(run, 'order-1', /"statuses" .* must list at least one value/);
      assertLine(run, 'order-1', /"crmConnection" \(CRM\) is required when "write back" is on/);
      assertLine(run, 'invoices-1', /"store" \(Sync store\) is required when the node writes the summary/);
      assertLine(run, 'invoices-1', /"crm" \(CRM\) is required when the node writes the summary/);
      assertLine(run, 'validate-1', /"entity" \(Entity\) is "customers"; it must be one of customer, order/);
      for (const fine of ['conn-ok', 'store-ok']) assert.deepEqual(linesAbout(run, fine), [], fine);
      assert.equal(linesAbout(run, 'conn-sql').length, 1, 'a SQL Server connection needs no base URL');
      assert.equal(run.lines.length, 17);
    });

    it('reports unresolved $refs, broken schema JSON and missing schema files of validate nodes', () => {
      const run = crmerp('check', `${FIXTURES}/schemas.json`);
      assert.equal(run.status, 1);
      assertLine(
        run,
        'schema-broken-json',
        /the schema written in the node is not valid JSON: .*\(line 1, column \d+\)/,
      );
      assertLine(run, 'schema-bad-refs', /\$ref "customers\.schema\.json", which points neither into the schema nor/);
      assertLine(run, 'schema-bad-refs', /\$ref "common\.schema\.json#\/\$defs\/adress"/);
      assertLine(run, 'schema-bad-refs', /\$ref "#\/\$defs\/missing"/);
      assert.equal(linesAbout(run, 'schema-bad-refs').length, 3, 'the resolvable #/$defs/local is not reported');
      assertLine(run, 'schema-typo-keyword', /does not compile: .*unknown keyword: "requird"/);
      assertLine(
        run,
        'schema-file-missing',
        /schema file "schemas\/customer-extra\.schema\.json" does not exist \(looked for .*test\/cli\/fixtures\/schemas\/customer-extra\.schema\.json\)/,
      );
      assert.deepEqual(linesAbout(run, 'schema-good-refs'), []);
      assert.deepEqual(linesAbout(run, 'schema-file-ok'), []);
    });

    it('resolves schema files against --user-dir when given', () => {
      const dir = tempDir('cli-userdir');
      try {
        mkdirSync(join(dir.path, 'schemas'));
        writeFileSync(join(dir.path, 'schemas', 'customer-extra.schema.json'), '{"$ref": "customer.schema.json"}');
        const run = crmerp('check', `${FIXTURES}/schemas.json`, '--user-dir', dir.path);
        assert.deepEqual(linesAbout(run, 'schema-file-missing'), []);
        assertLine(run, 'schema-file-ok', /schema file "schemas\/order-extra\.schema\.json" does not exist/);
      } finally {
        dir.remove();
      }
    });

    it('reports secrets written into the flow, masked, and leaves ${VARIABLE} references alone', () => {
      const run = crmerp('check', `${FIXTURES}/secrets.json`);
      assert.equal(run.status, 1);
      assertLine(
        run,
        'conn-inline',
        /"clientSecret" holds a credential stored as a plain property \("fa…", 24 characters\)/,
      );
      assertLine(run, 'conn-inline', /set the environment variable <prefix>_CLIENT_SECRET/);
      assertLine(run, 'store-inline', /"password" holds a credential stored as a plain property/);
      assertLine(run, 'http-bearer', /"headers\[0\]\.valueValue" holds Bearer credentials in an Authorization header/);
      assertLine(run, 'http-query', /"url" holds a secret in a URL or connection string/);
      assertLine(run, 'change-basic', /"rules\[0\]\.to" holds Basic credentials in an Authorization header/);
      assertLine(run, 'function-jwt', /"func" holds a JSON Web Token/);
      assertLine(run, 'function-sql', /"func" holds a password in a URL/);
      assertLine(run, 'function-sql', /"func" holds a secret in a URL or connection string/);
      assertLine(run, 'inject-key', /"props\[0\]\.v" holds a random-looking value in "apiKey"/);
      assertLine(run, 'exported-credentials', /"credentials\.password" holds a credential exported with the flow/);
      assertLine(run, 'tab-secrets', /"env\[0\]\.value" holds a random-looking value in "SERVICE_TOKEN"/);
      for (const clean of ['http-env', 'comment-ok']) assert.deepEqual(linesAbout(run, clean), [], clean);
      assert.equal(linesAbout(run, 'conn-inline').length, 1, 'clientId is ${ERP_CLIENT_ID}, tokenUrl is a URL');
      assert.equal(linesAbout(run, 'tab-secrets').length, 1, 'SERVICE_URL is no secret');
    });

    it('never prints a secret, in text or JSON', () => {
      const secrets = [
        'f4k3T0k3nV4lu3F0rT3sts99',
        'fake-Secret-9f8e7d6c5b4a',
        'NotReal-Pa55word',
        'fAkE0tOkEn1fOr2tEsTs3oNlY4x',
        'fakeClientSecret42',
        'ZmFrZXVzZXI6ZmFrZXBhc3M=',
        'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0In0.ZmFrZS1zaWduYXR1cmU',
        'FakePass123',
        'fakeMqttPass',
        'AKfake1234567890QWERTYzx',
        'fake-broker-password',
        'fake-v2-password',
      ];
      for (const format of [[], ['--json']]) {
        const run = crmerp('check', ...format, `${FIXTURES}/secrets.json`, `${FIXTURES}/flows-file-v2.json`);
        assert.equal(run.status, 1);
        for (const secret of secrets) {
          assert.ok(!run.stdout.includes(secret), `${format.join('')} output shows ${secret.slice(0, 3)}…`);
          assert.ok(!run.stdout.includes(secret.slice(2, 10)), `${format.join('')} output shows part of a secret`);
        }
      }
    });

    it("reads Node-RED's flows file shape { flows, credentials } and reports plain credentials", () => {
      const run = crmerp('check', `${FIXTURES}/flows-file-v2.json`);
      assert.equal(run.status, 1);
      assertLine(run, 'inject-v2', /output 1 is wired to "debug-gone"/);
      assertLine(run, 'broker-v2', /"credentials\.password" holds a credential exported with the flow/);
    });
  });

  describe('unreadable input', () => {
    it('exits 2 and names a file that is not valid JSON, and still checks the others', () => {
      const run = crmerp('check', `${FIXTURES}/invalid-json.txt`, `${FIXTURES}/deployment`);
      assert.equal(run.status, 2);
      assert.match(
        run.stdout,
        /^test\/cli\/fixtures\/invalid-json\.txt: is not valid JSON: .*\(line 3, column \d+\)$/m,
      );
      assert.match(run.stdout, /No problems found in 3 files \(7 nodes\); 1 file could not be checked\./);
    });

    it('exits 2 for a JSON file that is not a flow, and for a missing path, even with findings elsewhere', () => {
      const dir = tempDir('cli-notflow');
      try {
        writeFileSync(join(dir.path, 'settings.json'), '{"uiPort": 1880}');
        const run = crmerp('check', dir.path, 'no-such-flows.json', `${FIXTURES}/structure.json`);
        assert.equal(run.status, 2);
        assert.match(
          run.stdout,
          /settings\.json: is not a Node-RED flow: expected an array of nodes or \{ "flows": \[\.\.\.\] \}/,
        );
        assert.match(run.stdout, /^no-such-flows\.json: no such file or directory$/m);
        assert.match(run.stdout, /structure\.json: .*\(inject-a\): output 1 is wired/);
      } finally {
        dir.remove();
      }
    });
  });

  describe('--json', () => {
    it('prints the report as JSON, with every kind of finding the fixtures hold', () => {
      const run = crmerp('check', '--json', '--each', FIXTURES, '--modules', `${FIXTURES}/modules`);
      assert.equal(run.status, 1, run.stderr);
      const report = JSON.parse(run.stdout) as {
        ok: boolean;
        summary: string;
        files: string[];
        errors: unknown[];
        counts: Record<string, number>;
        findings: Array<{
          file: string;
          kind: string;
          node?: { id: string; type: string };
          message: string;
          text: string;
        }>;
      };
      assert.equal(report.ok, false);
      assert.deepEqual(report.errors, []);
      assert.deepEqual(Object.keys(report.counts).sort(), [
        'config-reference',
        'dangling-link',
        'dangling-reference',
        'dangling-wire',
        'duplicate-id',
        'inline-secret',
        'invalid-setting',
        'missing-flow',
        'missing-group',
        'missing-setting',
        'schema',
        'unknown-subflow',
        'unknown-type',
      ]);
      assert.equal(
        report.findings.length,
        Object.values(report.counts).reduce((a, b) => a + b, 0),
      );
      const typo = report.findings.find((f) => f.node?.id === 'typo-1');
      assert.equal(typo?.kind, 'unknown-type');
      assert.equal(typo?.file, `${FIXTURES}/unknown-types.json`);
      assert.match(typo?.text ?? '', /^test\/cli\/fixtures\/unknown-types\.json: tab "Types" › crmerp-upsert-custmer/);
      assert.match(report.summary, /problems in 6 files/);
    });

    it('reports ok for clean flows and exits 0', () => {
      const run = crmerp('check', '--json', 'flows');
      assert.equal(run.status, 0);
      const report = JSON.parse(run.stdout) as { ok: boolean; findings: unknown[]; files: string[] };
      assert.equal(report.ok, true);
      assert.deepEqual(report.findings, []);
      assert.ok(report.files.length >= 7);
    });
  });
});
