/** Options of `npm run test:faults` (run.ts). */

export interface RunOptions {
  customers: number;
  orders: number;
  kills: number;
  seed: number;
  quick: boolean;
}

/** The sizes of a quick run (`--quick`), to try the suite in a minute or two. */
export const QUICK = { customers: 60, orders: 15, kills: 3 } as const;

const USAGE = 'npm run test:faults -- [--customers N] [--orders N] [--kills N] [--seed N] [--quick]';

export function parseOptions(argv: readonly string[]): RunOptions {
  const known = new Set(['--customers', '--orders', '--kills', '--seed', '--quick']);
  const unknown = argv.find((arg) => arg.startsWith('--') && !known.has(arg));
  if (unknown !== undefined) throw new Error(`unknown option ${unknown}; ${USAGE}`);
  const quick = argv.includes('--quick');
  const whole = (name: string, fallback: number, minimum: number): number => {
    const index = argv.indexOf(name);
    if (index < 0) return fallback;
    const value = Number(argv[index + 1]);
    if (!Number.isInteger(value) || value < minimum)
      throw new Error(`${name} needs a whole number of at least ${minimum}; ${USAGE}`);
    return value;
  };
  return {
    customers: whole('--customers', quick ? QUICK.customers : 10_000, 1),
    orders: whole('--orders', quick ? QUICK.orders : 2000, 0),
    kills: whole('--kills', quick ? QUICK.kills : 10, 0),
    seed: whole('--seed', 1, 0),
    quick,
  };
}
