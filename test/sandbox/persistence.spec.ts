import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBcEmulator } from '../../sandbox/bc';
import { startDataverseEmulator } from '../../sandbox/dataverse';
import { authorization, delay, http, type Collection } from './helpers';

describe('sandbox persistence', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'sandbox-persistence-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('keeps Business Central data across a restart', async () => {
    const dataFile = join(directory, 'bc.json');
    const first = await startBcEmulator({ dataFile });
    const headers = await authorization(first);
    const created = await http(`${first.apiUrl}/companies(${first.companyId})/customers`, {
      method: 'POST',
      headers,
      body: { displayName: 'Survives restarts' },
    });
    assert.equal(created.status, 201);
    await first.close();

    assert.ok(existsSync(dataFile));
    assert.deepEqual(readdirSync(directory), ['bc.json'], 'no temporary file is left behind');
    const second = await startBcEmulator({ dataFile });
    try {
      const read = await http(`${second.apiUrl}/companies(${second.companyId})/customers(${String(created.body.id)})`, {
        headers: await authorization(second),
      });
      assert.equal(read.status, 200);
      assert.equal(read.body.displayName, 'Survives restarts');
      assert.equal(read.body['@odata.etag'], created.body['@odata.etag']);
      const next = await http(`${second.apiUrl}/companies(${second.companyId})/customers`, {
        method: 'POST',
        headers: await authorization(second),
        body: { displayName: 'Next' },
      });
      assert.equal(next.body.number, 'C00020', 'number series continue');
    } finally {
      await second.close();
    }
  });

  it('writes Dataverse changes shortly after they happen, not only on close', async () => {
    const dataFile = join(directory, 'dataverse.json');
    const emulator = await startDataverseEmulator({ dataFile, persistDebounceMs: 20 });
    try {
      const headers = await authorization(emulator);
      await http(`${emulator.apiUrl}/accounts`, { method: 'POST', headers, body: { name: 'Written soon' } });
      await delay(150);
      assert.match(readFileSync(dataFile, 'utf8'), /Written soon/);
    } finally {
      await emulator.close();
    }
    const restarted = await startDataverseEmulator({ dataFile });
    try {
      const accounts = await http<Collection>(`${restarted.apiUrl}/accounts?$filter=name eq 'Written soon'`, {
        headers: await authorization(restarted),
      });
      assert.equal(accounts.body.value.length, 1);
    } finally {
      await restarted.close();
    }
  });

  it('starts empty without seed and persists the reset', async () => {
    const dataFile = join(directory, 'empty.json');
    const emulator = await startDataverseEmulator({ dataFile, seed: false });
    try {
      const accounts = await http<Collection>(`${emulator.apiUrl}/accounts`, {
        headers: await authorization(emulator),
      });
      assert.deepEqual(accounts.body.value, []);
    } finally {
      await emulator.close();
    }
    assert.match(readFileSync(dataFile, 'utf8'), /"tables": \{\}/);
  });
});
