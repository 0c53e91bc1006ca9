/** The summary table of a run of the fault suite, in Markdown, and the same figures as JSON. */
import { cpus } from 'node:os';
import type { Dataset } from './data';
import type { FlowMonitor, Tally } from './monitor';
import type { FaultCounters, SystemCounters } from './protocol';
import type { Verdict } from './verify';

export interface KillRecord {
  total: number;
  /** Kills when both feeds had caught up (only when the load ended before all kills were made). */
  idle: number;
  starts: number;
  unexpectedExits: number;
  log: string[];
}

export interface RunFigures {
  options: { customers: number; orders: number; kills: number; seed: number };
  tokenLifetimeSeconds: number;
  dataset: Dataset;
  monitor: FlowMonitor;
  kills: KillRecord;
  /** Counters when the faults were switched off, and at the end. */
  counters: { load: FaultCounters; total: FaultCounters };
  verdict: Verdict;
  violations: string[];
  phases: Array<[string, number]>;
  load: { start: number; end: number; peak: number };
  runtimeMs: number;
}

export const number = (value: number, digits = 0): string =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function tally(counts: Tally): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => `${kind} ${number(n)}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

function kinds<T extends { kind: string }>(items: readonly T[]): Tally {
  const counts: Tally = {};
  for (const item of items) counts[item.kind] = (counts[item.kind] ?? 0) + 1;
  return counts;
}

function faults(system: SystemCounters): string {
  const failed = Object.entries(system.faults)
    .filter(([kind]) => kind !== 'latency')
    .reduce((sum, [, n]) => sum + n, 0);
  const share = (failed / Math.max(1, system.requests)) * 100;
  return `${tally(system.faults)} of ${number(system.requests)} API requests (${number(share, 1)} % failed)`;
}

export function summary(figures: RunFigures): string {
  const { options, dataset, monitor, kills, counters, verdict, violations, load } = figures;
  const { feeds, results, replays } = monitor;
  const replayed = (operation: keyof typeof replays): string =>
    `${number(replays[operation].sent)} (${number(replays[operation].ok)} written)`;
  const rows: Array<[string, string]> = [
    ['Seed', String(options.seed)],
    ['CRM accounts', `${number(options.customers)} (${tally(kinds(dataset.accounts))})`],
    ['CRM orders', `${number(options.orders)} (${tally(kinds(dataset.orders))})`],
    [
      'Node-RED kills (SIGKILL)',
      `${kills.total} (${kills.total - kills.idle} during the load, ${kills.idle} with both feeds caught up); ` +
        `${kills.starts} starts; ${kills.unexpectedExits} exits by itself`,
    ],
    ['Business Central faults during the load', faults(counters.load.bc)],
    ['Dataverse faults during the load', faults(counters.load.dataverse)],
    [
      'API requests in all (faults off for the replay)',
      `Business Central ${number(counters.total.bc.requests)}, Dataverse ${number(counters.total.dataverse.requests)}`,
    ],
    [
      `Tokens issued (lifetime ${figures.tokenLifetimeSeconds} s)`,
      `Business Central ${counters.total.bc.tokens}, Dataverse ${counters.total.dataverse.tokens}`,
    ],
    [
      'Read failures (the run is tried again)',
      `customers ${feeds.customers.readFailures}, orders ${feeds.orders.readFailures}`,
    ],
    ['Upsert customer results (feed)', tally(results['upsert-customer'].feed)],
    ['Create order results (feed)', tally(results['create-order'].feed)],
    [
      'Dead letters replayed (faults off)',
      `customers ${replayed('upsert-customer')}, orders ${replayed('create-order')}`,
    ],
    ['Dead letters at the end, by code', tally(verdict.deadLettersByCode)],
    [
      'Duplicates in Business Central',
      `customers ${verdict.duplicates.customers}, orders ${verdict.duplicates.orders}`,
    ],
    ['Violations', String(violations.length)],
    [
      'Runtime',
      `${duration(figures.runtimeMs)} (${figures.phases.map(([name, ms]) => `${name} ${duration(ms)}`).join(', ')}); ` +
        `${cpus().length} cores, load average ${number(load.start, 1)} at the start, ${number(load.end, 1)} at the end, ` +
        `${number(load.peak, 1)} at most`,
    ],
  ];
  return [
    '| Fault suite | |',
    '| --- | --- |',
    ...rows.map(([name, value]) => `| ${name} | ${value} |`),
    ...(violations.length > 0 ? ['', 'Violations:', ...violations.map((violation) => `- ${violation}`)] : []),
  ].join('\n');
}

export function figuresJson(figures: RunFigures): Record<string, unknown> {
  const { monitor } = figures;
  return {
    options: figures.options,
    runtimeMs: figures.runtimeMs,
    phases: Object.fromEntries(figures.phases),
    load: { ...figures.load, cores: cpus().length },
    kills: figures.kills,
    faults: figures.counters,
    feeds: monitor.feeds,
    results: monitor.results,
    failures: monitor.failures,
    replays: monitor.replays,
    deadLettersByCode: figures.verdict.deadLettersByCode,
    duplicates: figures.verdict.duplicates,
    violations: figures.violations,
  };
}
