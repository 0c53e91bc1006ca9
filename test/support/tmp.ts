import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory, removed after the current mocha suite. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `crmerp-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
