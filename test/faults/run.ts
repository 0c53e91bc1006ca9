/**
 * `npm run test:faults`: the fault-injection suite (see suite.ts). Options: --customers N (default 10000),
 * --orders N (default 2000), --kills N (default 10), --seed N (default 1), --quick (a small run: 60
 * customers, 15 orders, 3 kills). Logs and results go to test-results/faults/run-<time>/; the exit code is
 * 1 when any check fails, each failure named.
 */
import { join, relative } from 'node:path';
import { parseOptions } from './options';
import { runFaultSuite, stopChildren } from './suite';

const ROOT = join(__dirname, '..', '..', '..');

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const workDir = join(ROOT, 'test-results', 'faults', `run-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  console.log(
    `Fault suite: ${options.customers} customers, ${options.orders} orders, at least ${options.kills} kills, seed ${options.seed}; ` +
      `logs in ${relative(ROOT, workDir)}`,
  );
  const result = await runFaultSuite({ ...options, workDir, log: (line) => console.log(line) });
  console.log('');
  console.log(result.markdown);
  if (result.violations.length > 0) {
    console.log(`\nFAILED: ${result.violations.length} violation(s).`);
    process.exitCode = 1;
  } else console.log('\nPassed.');
}

process.once('SIGINT', () => {
  void stopChildren().finally(() => process.exit(130));
});

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  await stopChildren();
  process.exit(1);
});
