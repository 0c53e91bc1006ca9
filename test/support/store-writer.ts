/**
 * A separate process that writes links as fast as it can and reports each committed one on stdout,
 * so a test can kill it with SIGKILL at any moment and check what survived.
 */
import { openStore } from '../../nodes/lib/store';

async function main(): Promise<void> {
  const [file, startText] = process.argv.slice(2);
  if (!file) throw new Error('usage: store-writer <file> [start]');
  const store = await openStore({ backend: 'sqlite', file, synchronous: 'full' });
  for (let i = Number(startText ?? 0); ; i++) {
    await store.link({ entity: 'customer', ids: { crm: `C-${i}`, erp: `E-${i}`, web: `W-${i}` } }, { replace: false });
    process.stdout.write(`ok ${i}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
