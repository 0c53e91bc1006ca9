/**
 * `npm run bench`: an initial load of CRM accounts into Business Central, through our nodes and through
 * a flow of core Node-RED nodes, against the sandbox emulators in a process of their own; Node-RED runs
 * in a third process so that its CPU time and peak memory are measured alone.
 *
 *   1. Throughput, limits off: the same N accounts through our flow as the initial load is set up
 *      (batches of 100, no natural-key match), through our flow as flows/ ships it, and through the
 *      hand-wired core flow; records per second, CPU time per record, peak RSS, requests per system.
 *   2. Ceiling, documented rate limits on: the documented request rate and concurrency enforced by the
 *      emulators over a shortened sliding window (and configured on our connections), on fewer records;
 *      the share of the ceiling (requests allowed per second × records per request) our flow reaches.
 *
 * Options: --count N (default 100000), --quick (a small run to try it), --ceiling-count N,
 * --ceiling-count-shipped N, --window SECONDS, --profile (CPU profiles of Node-RED). Results: test-results/bench/ (JSON, Markdown, logs);
 * a full run also rewrites test/bench/RESULTS.md.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { benchAccount } from './accounts';
import { coreFlow, ourFlow, shippedCustomerFlow, type OurFlowOptions } from './flows';
import type { BcCustomerCount, EmulatorsReady, LimitsMode, NodeRedEvent, RequestCounters, Usage } from './protocol';
import type { FlowNode } from '../../dev/flows';
import { connectionEnvironment, prepareUserDir } from '../support/separate-processes';

const ROOT = join(__dirname, '..', '..', '..');
const RESULTS_DIR = join(ROOT, 'test-results', 'bench');
const SUMMARY_FILE = join(ROOT, 'test', 'bench', 'RESULTS.md');
/** Customers in the Business Central demo company before a load. */
const BC_SEED_CUSTOMERS = 8;
const SEED_CHUNK = 10_000;
/** Records per read batch for the initial load; upsert customer sends them as $batch requests of 100. */
const INITIAL_LOAD_BATCH = 500;
/** Operations Business Central takes in one $batch (documented). */
const BC_BATCH_LIMIT = 100;

interface Options {
  count: number;
  quick: boolean;
  /** Records for our flow as flows/ ships it (one look-up request per record makes it the slowest run). */
  shippedCount: number;
  ceilingCount: number;
  ceilingCountShipped: number;
  windowSeconds: number;
  /** Write a CPU profile of each Node-RED process (for finding where the time goes). */
  profile: boolean;
  /** Durability of our flow's SQLite sync store; undefined keeps the setting in flows/. */
  durability: 'full' | 'normal' | undefined;
}

function usage(): string {
  return 'npm run bench -- [--count N] [--quick] [--shipped-count N] [--ceiling-count N] [--ceiling-count-shipped N] [--window SECONDS] [--durability full|normal] [--profile]';
}

export function parseOptions(argv: readonly string[]): Options {
  const quick = argv.includes('--quick');
  const number = (name: string, fallback: number): number => {
    const index = argv.indexOf(name);
    if (index < 0) return fallback;
    const value = Number(argv[index + 1]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a whole number above 0; ${usage()}`);
    return value;
  };
  const known = new Set([
    '--quick',
    '--profile',
    '--count',
    '--shipped-count',
    '--ceiling-count',
    '--ceiling-count-shipped',
    '--window',
    '--durability',
  ]);
  const unknown = argv.find((arg) => arg.startsWith('--') && !known.has(arg));
  if (unknown !== undefined) throw new Error(`unknown option ${unknown}; ${usage()}`);
  const count = number('--count', quick ? 2000 : 100_000);
  return {
    count,
    quick,
    shippedCount: number('--shipped-count', Math.min(count, 10_000)),
    ceilingCount: number('--ceiling-count', Math.min(count, quick ? 1000 : 40_000)),
    ceilingCountShipped: number('--ceiling-count-shipped', Math.min(count, quick ? 300 : 1500)),
    windowSeconds: number('--window', quick ? 10 : 20),
    profile: argv.includes('--profile'),
    durability: durabilityOf(argv),
  };
}

function durabilityOf(argv: readonly string[]): 'full' | 'normal' | undefined {
  const index = argv.indexOf('--durability');
  if (index < 0) return undefined;
  const value = argv[index + 1];
  if (value !== 'full' && value !== 'normal') throw new Error(`--durability is full or normal; ${usage()}`);
  return value;
}

// ---------------------------------------------------------------- child processes

/** A child process spoken to over IPC: requests with ids, and events by type. */
class Child {
  private nextId = 1;
  private readonly replies = new Map<number, { resolve(result: unknown): void; reject(error: Error): void }>();
  private readonly waiters = new Map<string, (event: unknown) => void>();
  private readonly early = new Map<string, unknown>();
  private exited: Error | undefined;
  readonly exit: Promise<void>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.on('message', (message: { type: string; id?: number; result?: unknown; error?: string }) => {
      if (message.type === 'reply' && message.id !== undefined) {
        const reply = this.replies.get(message.id);
        this.replies.delete(message.id);
        if (message.error !== undefined) reply?.reject(new Error(`${name}: ${message.error}`));
        else reply?.resolve(message.result);
        return;
      }
      const waiter = this.waiters.get(message.type);
      if (waiter === undefined) this.early.set(message.type, message);
      else {
        this.waiters.delete(message.type);
        waiter(message);
      }
    });
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = new Error(`${name} exited (${signal ?? `code ${String(code)}`})`);
        for (const reply of this.replies.values()) reply.reject(this.exited);
        this.replies.clear();
        resolve();
      });
    });
  }

  request<T>(cmd: string, timeoutMs = 120_000): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return withTimeout(
      new Promise<T>((resolve, reject) => {
        this.replies.set(id, { resolve: (result) => resolve(result as T), reject });
        this.child.send({ id, cmd });
      }),
      timeoutMs,
      `${this.name} did not answer ${cmd}`,
    );
  }

  /** The next event of this type (or one that came before anybody waited). */
  event<T>(type: string, timeoutMs: number): Promise<T> {
    const early = this.early.get(type);
    if (early !== undefined) {
      this.early.delete(type);
      return Promise.resolve(early as T);
    }
    return withTimeout(
      Promise.race([
        new Promise<T>((resolve) => this.waiters.set(type, (event) => resolve(event as T))),
        this.exit.then(() => {
          throw this.exited ?? new Error(`${this.name} exited`);
        }),
      ]),
      timeoutMs,
      `${this.name}: no '${type}' within ${Math.round(timeoutMs / 1000)} s`,
    );
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGINT');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exit;
    clearTimeout(killer);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}

const children = new Set<Child>();

function logFile(dir: string, name: string): number {
  mkdirSync(dir, { recursive: true });
  return openSync(join(dir, name), 'w');
}

async function startEmulators(mode: LimitsMode, logDir: string, name: string): Promise<[Child, EmulatorsReady]> {
  const log = logFile(logDir, `${name}.log`);
  const process = fork(join(__dirname, 'emulators.js'), [JSON.stringify(mode)], { stdio: ['ignore', log, log, 'ipc'] });
  closeSync(log);
  const child = new Child('emulators', process);
  children.add(child);
  return [child, await child.event<EmulatorsReady>('ready', 60_000)];
}

/** Fills Dataverse with `count` accounts through POST /_admin/records; returns the seconds it took. */
async function seedAccounts(dataverseUrl: string, count: number): Promise<number> {
  const started = performance.now();
  const firstChange = Math.floor(Date.now() / 1000) * 1000 - (count + 60) * 1000;
  for (let from = 1; from <= count; from += SEED_CHUNK) {
    const records = [];
    for (let index = from; index < Math.min(count + 1, from + SEED_CHUNK); index++) {
      records.push(benchAccount(index, firstChange));
    }
    const response = await fetch(`${dataverseUrl}/_admin/records`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ entitySet: 'accounts', records }),
    });
    if (response.status !== 200)
      throw new Error(`seeding accounts failed: ${response.status} ${await response.text()}`);
  }
  return (performance.now() - started) / 1000;
}

// ---------------------------------------------------------------- one run

interface RunSpec {
  key: string;
  label: string;
  flow: FlowNode[];
  records: number;
}

export interface RunResult {
  key: string;
  label: string;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  /** Node-RED process: CPU time (user + system) during the load, per record. */
  cpuMsPerRecord: number;
  /** Node-RED process: peak resident set size over its life. */
  peakRssMb: number;
  /** The emulator process's CPU time during the load, per record. */
  emulatorCpuMsPerRecord: number;
  requests: RequestCounters;
  counts: Record<string, number>;
  progress: Array<[number, number]>;
  startedAt: number;
  problems: string[];
}

function cpuMs(before: Usage, after: Usage): number {
  const total = (usage: Usage): number => usage.usage.userCPUTime + usage.usage.systemCPUTime;
  return (total(after) - total(before)) / 1000;
}

async function runFlow(
  spec: RunSpec,
  emulators: Child,
  ready: EmulatorsReady,
  workDir: string,
  timeoutMs: number,
  profile: boolean,
): Promise<RunResult> {
  const userDir = join(workDir, spec.key);
  prepareUserDir(userDir, 'crmerp-bench', spec.flow);
  await emulators.request<RequestCounters>('counters');

  const log = logFile(workDir, `${spec.key}.node-red.log`);
  const nodeRed = new Child(
    'Node-RED',
    spawn(
      process.execPath,
      [
        ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${join(workDir, 'profiles', spec.key)}`] : []),
        require.resolve('node-red/red.js'),
        '--settings',
        join(__dirname, 'node-red-settings.js'),
        '--userDir',
        userDir,
      ],
      {
        cwd: userDir,
        stdio: ['ignore', log, log, 'ipc'],
        env: { ...process.env, ...connectionEnvironment(ready.bc, ready.dataverse) },
      },
    ),
  );
  closeSync(log);
  children.add(nodeRed);
  try {
    await nodeRed.event('ready', 120_000);
    const [nodeRedBefore, emulatorsBefore] = await Promise.all([
      nodeRed.request<Usage>('usage'),
      emulators.request<Usage>('usage'),
    ]);
    const startedAt = Date.now();
    const started = performance.now();
    void nodeRed.request('start');
    const done = await nodeRed.event<Extract<NodeRedEvent, { type: 'done' }>>('done', timeoutMs);
    const seconds = (performance.now() - started) / 1000;
    const [nodeRedAfter, emulatorsAfter, requests] = await Promise.all([
      nodeRed.request<Usage>('usage'),
      emulators.request<Usage>('usage'),
      emulators.request<RequestCounters>('counters'),
    ]);
    await nodeRed.stop();
    const bcCustomers = await emulators.request<BcCustomerCount>('bcCustomers');
    const problems = [
      ...done.failures.map((failure) => `failure: ${failure}`),
      ...check(done.counts.created === spec.records, `created ${done.counts.created ?? 0} of ${spec.records} records`),
      ...check(
        bcCustomers.customers === BC_SEED_CUSTOMERS + spec.records,
        `Business Central holds ${bcCustomers.customers} customers, expected ${BC_SEED_CUSTOMERS + spec.records}`,
      ),
      ...check(
        bcCustomers.distinctEmails === bcCustomers.customers,
        `${bcCustomers.customers - bcCustomers.distinctEmails} customers in Business Central are duplicates`,
      ),
    ];
    return {
      key: spec.key,
      label: spec.label,
      records: spec.records,
      seconds,
      recordsPerSecond: spec.records / seconds,
      cpuMsPerRecord: cpuMs(nodeRedBefore, nodeRedAfter) / spec.records,
      peakRssMb: nodeRedAfter.usage.maxRSS / 1024,
      emulatorCpuMsPerRecord: cpuMs(emulatorsBefore, emulatorsAfter) / spec.records,
      requests,
      counts: done.counts,
      progress: done.progress,
      startedAt,
      problems,
    };
  } finally {
    await nodeRed.stop();
    children.delete(nodeRed);
    // Keep the flow that ran; the user directory (a sync store of the whole load) is not needed any more.
    copyFileSync(join(userDir, 'flows.json'), join(workDir, `${spec.key}.flows.json`));
    rmSync(userDir, { recursive: true, force: true });
  }
}

function check(ok: boolean, problem: string): string[] {
  return ok ? [] : [problem];
}

// ---------------------------------------------------------------- reporting

interface CeilingResult extends RunResult {
  batchSize: number;
  requestsPerSecondAllowed: number;
  ceilingRecordsPerSecond: number;
  /** Records per second after the first window, when the burst the window allows is used up. */
  sustainedRecordsPerSecond: number | undefined;
  share: number;
}

function sustainedRate(result: RunResult, windowSeconds: number): number | undefined {
  const from = result.startedAt + windowSeconds * 1000;
  const after = result.progress.filter(([at]) => at >= from);
  const before = result.progress.filter(([at]) => at < from).at(-1) ?? [result.startedAt, 0];
  const last = after.at(-1);
  if (last === undefined || last[0] - before[0] < windowSeconds * 1000) return undefined;
  return (last[1] - before[1]) / ((last[0] - before[0]) / 1000);
}

const number = (value: number, digits = 0): string =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function requestsOf(counts: Record<string, number>): string {
  const total = Object.entries(counts)
    .filter(([kind]) => kind !== 'admin')
    .reduce((sum, [, n]) => sum + n, 0);
  const parts = Object.entries(counts)
    .filter(([kind]) => kind !== 'admin')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => `${kind} ${number(n)}`);
  return `${number(total)} (${parts.join(', ')})`;
}

function throughputTable(results: RunResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.label} | ${number(r.records)} | ${number(r.seconds, 1)} | **${number(r.recordsPerSecond)}** | ${number(r.cpuMsPerRecord, 3)} | ${number(r.peakRssMb)} | ${number(r.emulatorCpuMsPerRecord, 3)} | ${requestsOf(r.requests.bc)} | ${requestsOf(r.requests.dataverse)} |`,
  );
  return [
    '| Flow | Records | Seconds | Records/s | Node-RED CPU ms/record | Node-RED peak RSS MB | Emulator CPU ms/record | Business Central requests | Dataverse requests |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...rows,
  ].join('\n');
}

function ceilingTable(results: CeilingResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.label} | ${number(r.records)} | ${r.batchSize} | ${number(r.requestsPerSecondAllowed)} × ${r.batchSize} = ${number(r.ceilingRecordsPerSecond)} | ${number(r.recordsPerSecond, 1)} | ${r.sustainedRecordsPerSecond === undefined ? 'run shorter than a window' : number(r.sustainedRecordsPerSecond, 1)} | **${number(r.share * 100, 1)} %** | ${requestsOf(r.requests.bc)} |`,
  );
  return [
    '| Flow | Records | Records per $batch | Ceiling (requests/s × records/request) | Achieved records/s | After the first window | Share of ceiling | Business Central requests |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
  ].join('\n');
}

function ratio(ours: RunResult | undefined, core: RunResult | undefined): string[] {
  if (ours === undefined || core === undefined) return [];
  return [
    `- ${ours.label} vs. ${core.label}: **${number(ours.recordsPerSecond / core.recordsPerSecond, 2)}×** the records per second, ` +
      `${number(ours.cpuMsPerRecord / core.cpuMsPerRecord, 2)}× the Node-RED CPU time per record, ` +
      `${number(ours.peakRssMb / core.peakRssMb, 2)}× the peak RSS.`,
  ];
}

function machine(): string {
  const cpu = cpus();
  const nodeRed = (JSON.parse(readFileSync(require.resolve('node-red/package.json'), 'utf8')) as { version: string })
    .version;
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${number(totalmem() / 2 ** 30, 1)} GiB RAM, Node.js ${process.version}, Node-RED ${nodeRed}, ${process.platform}`;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const workDir = join(RESULTS_DIR, `run-${stamp}`);
  mkdirSync(workDir, { recursive: true });
  const shipped = shippedCustomerFlow();
  const shippedBatch = Number(shipped.readChanges.batchSize) || 100;
  const shippedKey = String(shipped.upsert.naturalKey || 'none');
  const say = (text: string): void => console.log(text);
  const loadAtStart = loadavg()[0] ?? 0;
  say(
    `Benchmark: initial load of ${number(options.count)} accounts CRM → ERP${options.quick ? ' (quick)' : ''}; logs in ${relative(ROOT, workDir)}`,
  );

  const timeout = Math.max(600_000, options.count * 20);
  const report = (result: RunResult): void =>
    say(
      `    ${number(result.recordsPerSecond, 1)} records/s, ${number(result.seconds, 1)} s, ${number(result.cpuMsPerRecord, 3)} ms CPU/record, ` +
        `peak RSS ${number(result.peakRssMb)} MB${result.problems.length > 0 ? `; PROBLEMS: ${result.problems.join('; ')}` : ''}`,
    );
  /** Fresh emulators for each run: the same accounts to load, an empty ERP, a window with nothing used yet. */
  const measure = async (
    mode: LimitsMode,
    spec: Omit<RunSpec, 'flow'>,
    flowFor: (ready: EmulatorsReady) => FlowNode[],
  ): Promise<[RunResult, EmulatorsReady]> => {
    const [emulators, ready] = await startEmulators(mode, workDir, `${spec.key}.emulators`);
    try {
      const seconds = await seedAccounts(ready.dataverse.url, spec.records);
      say(`  ${spec.label}: ${number(spec.records)} accounts seeded in ${number(seconds, 1)} s, loading …`);
      const result = await runFlow(
        { ...spec, flow: flowFor(ready) },
        emulators,
        ready,
        workDir,
        timeout,
        options.profile,
      );
      report(result);
      return [result, ready];
    } finally {
      await emulators.request('close').catch(() => undefined);
      await emulators.exit;
      children.delete(emulators);
    }
  };

  const durability = options.durability === undefined ? {} : { storeDurability: options.durability };
  const durabilityNote =
    options.durability === undefined
      ? `Sync store durability as in flows/ (${String(shipped.store.synchronous ?? 'full')}).`
      : `Sync store durability set to ${options.durability} (\`--durability\`), not as in flows/.`;

  // 1. Throughput with the limits off, on both sides.
  const off: LimitsMode = { kind: 'off' };
  const unlimited: OurFlowOptions['connectionLimits'] = { requests: 1_000_000_000, windowSeconds: 1, concurrent: 100 };
  const initialLoadLabel = `Our nodes, initial load (read ${INITIAL_LOAD_BATCH} at a time, no natural-key match)`;
  const shippedLabel = `Our nodes as in flows/ (batches of ${shippedBatch}, match by ${shippedKey})`;
  const throughput: RunResult[] = [];
  const [initialLoad] = await measure(
    off,
    { key: 'ours-initial-load', label: initialLoadLabel, records: options.count },
    () => ourFlow({ batchSize: INITIAL_LOAD_BATCH, naturalKey: 'none', connectionLimits: unlimited, ...durability }),
  );
  throughput.push(initialLoad);
  const [asShipped] = await measure(
    off,
    { key: 'ours-as-shipped', label: shippedLabel, records: options.shippedCount },
    () => ourFlow({ connectionLimits: unlimited, ...durability }),
  );
  throughput.push(asShipped);
  const [core] = await measure(
    off,
    { key: 'core', label: 'Core nodes, hand-wired (one POST per record)', records: options.count },
    () => coreFlow(),
  );
  throughput.push(core);

  // 2. The ceiling with the documented limits on, over a shortened window; our connections set to the same.
  const documented: LimitsMode = { kind: 'documented', windowSeconds: options.windowSeconds };
  const limitedFlow =
    (flowOptions: OurFlowOptions) =>
    (ready: EmulatorsReady): FlowNode[] =>
      ourFlow({
        ...flowOptions,
        ...durability,
        connectionLimits: {
          requests: Math.min(ready.bc.limits.requestsPerWindow, ready.dataverse.limits.requestsPerWindow),
          windowSeconds: options.windowSeconds,
        },
      });
  const ceiling: CeilingResult[] = [];
  let ceilingLimits: EmulatorsReady['bc']['limits'] | undefined;
  for (const [spec, flowOptions, batchSize] of [
    [
      { key: 'ceiling-initial-load', label: initialLoadLabel, records: options.ceilingCount },
      { batchSize: INITIAL_LOAD_BATCH, naturalKey: 'none' },
      Math.min(INITIAL_LOAD_BATCH, BC_BATCH_LIMIT),
    ],
    [
      { key: 'ceiling-as-shipped', label: shippedLabel, records: options.ceilingCountShipped },
      {},
      Math.min(shippedBatch, BC_BATCH_LIMIT),
    ],
  ] as const) {
    const [result, ready] = await measure(documented, spec, limitedFlow(flowOptions));
    const limits = ready.bc.limits;
    ceilingLimits = limits;
    const requestsPerSecondAllowed = limits.requestsPerWindow / (limits.windowMs / 1000);
    const ceilingRecordsPerSecond = requestsPerSecondAllowed * batchSize;
    const sustained = sustainedRate(result, options.windowSeconds);
    const achieved = sustained ?? result.recordsPerSecond;
    ceiling.push({
      ...result,
      batchSize,
      requestsPerSecondAllowed,
      ceilingRecordsPerSecond,
      sustainedRecordsPerSecond: sustained,
      share: achieved / ceilingRecordsPerSecond,
    });
    say(
      `    ${number(achieved, 1)} records/s of a ceiling of ${number(ceilingRecordsPerSecond)} (${number((achieved / ceilingRecordsPerSecond) * 100, 1)} %)`,
    );
  }

  // 3. Report.
  const problems = [...throughput, ...ceiling].flatMap((r) => r.problems.map((p) => `${r.label}: ${p}`));
  const limits = ceilingLimits;
  const markdown = [
    `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()}; ` +
      `load average ${number(loadAtStart, 1)} at the start and ${number(loadavg()[0] ?? 0, 1)} at the end ` +
      `(other work on the machine shares its cores and shifts the numbers).`,
    `Command: \`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`.`,
    '',
    `### Throughput: initial load of ${number(options.count)} accounts, rate limits off`,
    '',
    'The emulators enforce no limits, and the connections of our flow are set not to limit either. ' +
      'Each run starts with the same accounts in an empty Dataverse, Business Central with its demo company, ' +
      'a new sync store (SQLite) and a new Node-RED process. ' +
      `${durabilityNote} ` +
      (asShipped.records < options.count
        ? `Our flow as flows/ ships it makes one look-up request per record and runs on ${number(asShipped.records)} accounts (\`--shipped-count\`). `
        : '') +
      'CPU is the user and system time of the Node-RED process during the load; peak RSS is its largest resident set ' +
      'over its life, start-up included; requests are counted at the emulators, a $batch as one.',
    '',
    throughputTable(throughput),
    '',
    ...ratio(initialLoad, core),
    ...ratio(asShipped, core),
    '',
    `### Share of the ceiling: documented rate limits on`,
    '',
    limits === undefined
      ? ''
      : `Business Central's documented rate, 6,000 requests per 5 minutes per user (20 per second) with ${limits.maxConcurrent} at once, ` +
        `enforced by the emulator over a ${options.windowSeconds}-second sliding window (${number(limits.requestsPerWindow)} requests), ` +
        `so that the run measures the sustained rate rather than the burst a 5-minute window allows; our connections are set to the same limit. ` +
        `A $batch counts as one request. Ceiling = requests per second × records per request (records per $batch, at most 100). ` +
        `The share uses the rate after the first window when the run lasts that long.`,
    '',
    ceilingTable(ceiling),
    '',
    limits === undefined
      ? ''
      : `Not run, computed: the hand-wired flow sends one request per record, so the same limit caps it at ` +
        `${number(limits.requestsPerWindow / (limits.windowMs / 1000))} records/s, and it has no retry for a 429.`,
    '',
    ...(problems.length > 0 ? ['### Problems', '', ...problems.map((p) => `- ${p}`), ''] : []),
  ].join('\n');

  const json = {
    options,
    machine: machine(),
    throughput: throughput.map(({ progress: _progress, ...rest }) => rest),
    ceiling: ceiling.map(({ progress: _progress, ...rest }) => rest),
    problems,
  };
  writeFileSync(join(RESULTS_DIR, 'results.json'), JSON.stringify(json, null, 2));
  writeFileSync(join(RESULTS_DIR, 'results.md'), `${markdown}\n`);
  writeFileSync(join(workDir, 'results.json'), JSON.stringify(json, null, 2));
  if (!options.quick) {
    writeFileSync(
      SUMMARY_FILE,
      [
        '# Benchmark results',
        '',
        'Written by `npm run bench` (see the README, section *Benchmark*); a `--quick` run leaves this file alone.',
        '',
        markdown,
      ].join('\n'),
    );
  }
  say('');
  say(markdown);
  say(
    `Results: ${relative(ROOT, join(RESULTS_DIR, 'results.md'))}, ${relative(ROOT, join(RESULTS_DIR, 'results.json'))}${options.quick ? '' : `, ${relative(ROOT, SUMMARY_FILE)}`}`,
  );
  if (problems.length > 0) process.exitCode = 1;
}

async function stopAll(): Promise<void> {
  await Promise.all([...children].map((child) => child.stop()));
}

process.once('SIGINT', () => {
  void stopAll().finally(() => process.exit(130));
});

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  await stopAll();
  process.exit(1);
});
