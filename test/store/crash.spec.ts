import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../support/tmp';

const writer = join(__dirname, '..', 'support', 'store-writer.js');

/** Starts the writer and kills it with SIGKILL once it has acknowledged `atLeast` links; resolves the acknowledged ids. */
function writeUntilKilled(file: string, start: number, atLeast: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, file, String(start)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acknowledged: number[] = [];
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) acknowledged.push(Number(line.slice(3)));
      if (acknowledged.length >= atLeast) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acknowledged);
      else reject(new Error(`writer ended with ${code}: ${stderr}`));
    });
  });
}

describe('sync store crash safety', function () {
  this.timeout(60_000);
  const dir = tempDir('crash');
  after(() => dir.remove());

  it('survives SIGKILL mid-write: consistent, no half-written link, nothing acknowledged lost', async () => {
    const file = join(dir.path, 'crash.db');
    const acknowledged: number[] = [];
    // Kill at a different moment each round; each round writes its own range of ids.
    const rounds = [50, 137, 211, 89, 160];
    for (const [round, atLeast] of rounds.entries()) {
      acknowledged.push(...(await writeUntilKilled(file, round * 100_000, atLeast)));
    }
    const db = new Database(file, { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      const perLink = db
        .prepare('SELECT link_id, COUNT(*) AS n, GROUP_CONCAT(system) AS systems FROM links GROUP BY link_id')
        .all() as Array<{ link_id: string; n: number; systems: string }>;
      for (const link of perLink) {
        assert.equal(link.n, 3, `link ${link.link_id} is half-written: ${link.systems}`);
      }
      const found = new Set(
        (db.prepare("SELECT record_id FROM links WHERE system = 'crm'").all() as Array<{ record_id: string }>).map(
          (r) => Number(r.record_id.slice(2)),
        ),
      );
      for (const i of acknowledged) assert.ok(found.has(i), `acknowledged link C-${i} was lost`);
      assert.ok(perLink.length >= acknowledged.length);
      assert.ok(acknowledged.length >= rounds.reduce((sum, n) => sum + n, 0));
    } finally {
      db.close();
    }
  });
});
