/**
 * The fault-injection suite: CRM customers and orders go to the ERP through the flows of flows/ while the
 * emulators fail a large share of requests and Node-RED is killed (SIGKILL) at random points and started
 * again; then the faults stop, the dead letters are replayed once, and the end state is checked (verify.ts).
 *
 *   emulators.ts   Business Central and Dataverse in a process that is never killed;
 *   Node-RED       the flow of flow.ts in a process of its own, killed and restarted;
 *   this module    seeds Dataverse, switches faults on and off, decides when to kill, and checks.
 */
import { fork, spawn } from 'node:child_process';
import { closeSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { openStore } from '../../nodes/lib/store';
import type { DeadLetter, LinkGroup } from '../../nodes/lib/store/ports';
import { BC_SEED } from '../../sandbox';
import { Child, logFile } from './child';
import { connectionEnvironment, prepareUserDir, seededRandom } from '../support/separate-processes';
import { buildDataset, type Dataset, type Row } from './data';
import { API_PATHS, faultRules } from './fault-rules';
import { faultFlow, type FaultFlow } from './flow';
import { FlowMonitor } from './monitor';
import type { EmulatorsReady, FaultCounters, Feed, NodeRedEvent, SystemAddress, WriterOperation } from './protocol';
import { duration, figuresJson, number, summary, type KillRecord } from './report';
import { verify, type StoreSnapshot } from './verify';

export { stopChildren } from './child';

/** Tokens expire this often, so they run out many times during a run. */
const TOKEN_LIFETIME_SECONDS = 30;
/** Without a batch, an acknowledgement or an "up to date" for this long, the load counts as stuck. */
const STALL_MS = 5 * 60_000;
/**
 * A kill lands a random time after its point in the load is reached, up to the time a batch takes
 * (within these bounds), so it can hit any step of a batch.
 */
const KILL_DELAY_BOUNDS_MS = [1000, 60_000] as const;
/** Node-RED exiting without being killed is a violation; after this many the load stops. */
const MAX_UNEXPECTED_EXITS = 3;
const SEED_CHUNK = 5000;
const PROGRESS_EVERY_MS = 60_000;

export interface SuiteOptions {
  customers: number;
  orders: number;
  kills: number;
  seed: number;
  /** Logs, the Node-RED user directory with its sync store, and the results go here. */
  workDir: string;
  log(line: string): void;
}

export interface SuiteResult {
  violations: string[];
  markdown: string;
  json: Record<string, unknown>;
}

class StalledError extends Error {}

/** Waits until `done()`; throws StalledError when `stalled()` names a reason to give up. */
async function until(done: () => boolean, stalled: () => string | undefined): Promise<void> {
  while (!done()) {
    const why = stalled();
    if (why !== undefined) throw new StalledError(why);
    await delay(100);
  }
}

async function admin(system: SystemAddress, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${system.url}/_admin/${path}`, {
    method,
    ...(body !== undefined && { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} /_admin/${path}: ${response.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

async function seedDataverse(dataverse: SystemAddress, dataset: Dataset): Promise<void> {
  const tables: Array<[string, Row[]]> = [
    ['products', dataset.products],
    ['accounts', dataset.accounts.map((account) => account.row)],
    ['salesorders', dataset.orders.map((order) => order.row)],
    ['salesorderdetails', dataset.orders.flatMap((order) => order.lines)],
  ];
  for (const [entitySet, records] of tables) {
    for (let start = 0; start < records.length; start += SEED_CHUNK) {
      await admin(dataverse, 'POST', 'records', { entitySet, records: records.slice(start, start + SEED_CHUNK) });
    }
  }
}

/** Links, dead letters and watermarks, read from the SQLite file once Node-RED has let go of it. */
async function readStore(file: string, watermarks: Record<Feed, string>): Promise<StoreSnapshot> {
  const store = await openStore({ backend: 'sqlite', file, synchronous: 'normal' });
  try {
    const all = async <T>(page: (after?: string) => Promise<{ items: T[]; next?: string | undefined }>) => {
      const items: T[] = [];
      let after: string | undefined;
      do {
        const next = await page(after);
        items.push(...next.items);
        after = next.next;
      } while (after !== undefined);
      return items;
    };
    const links = (entity: string) =>
      all<LinkGroup>(async (after) => {
        const page = await store.list(entity, { limit: 1000, ...(after !== undefined && { after }) });
        return { items: page.links, next: page.next };
      });
    return {
      customerLinks: await links('customer'),
      orderLinks: await links('order'),
      deadLetters: await all<DeadLetter>(async (after) => {
        const page = await store.listDeadLetters({ limit: 1000, ...(after !== undefined && { after }) });
        return { items: page.deadLetters, next: page.next };
      }),
      watermarks: {
        customers: await store.getWatermark(watermarks.customers),
        orders: await store.getWatermark(watermarks.orders),
      },
    };
  } finally {
    await store.close();
  }
}

/** One run of the suite. */
class FaultRun {
  private readonly started = Date.now();
  private readonly random: () => number;
  private readonly dataset: Dataset;
  private readonly flow: FaultFlow;
  private readonly userDir: string;
  private readonly monitor: FlowMonitor;
  private readonly violations: string[] = [];
  private readonly phases: Array<[string, number]> = [];
  private phaseStarted = Date.now();
  private readonly load: { start: number; end: number; peak: number };
  private readonly kills: KillRecord = { total: 0, idle: 0, starts: 0, unexpectedExits: 0, log: [] };
  private emulators: Child<EmulatorsReady> | undefined;
  private systems: EmulatorsReady | undefined;
  private nodeRed: Child<NodeRedEvent> | undefined;

  constructor(private readonly options: SuiteOptions) {
    this.random = seededRandom(options.seed);
    this.dataset = buildDataset(options.customers, options.orders, options.seed);
    this.flow = faultFlow();
    this.userDir = join(options.workDir, 'node-red');
    const now = loadavg()[0] ?? 0;
    this.load = { start: now, end: now, peak: now };
    this.monitor = new FlowMonitor(this.dataset.orderCustomersChangedBy, () => {
      this.log(`  the orders' customers are in the ERP: the order feed starts`);
      this.nodeRed?.request({ cmd: 'orders', enabled: true }).catch(() => undefined);
    });
  }

  async run(): Promise<SuiteResult> {
    const sampler = setInterval(() => {
      this.load.peak = Math.max(this.load.peak, loadavg()[0] ?? 0);
    }, 5000);
    const reporter = setInterval(() => this.logProgress(), PROGRESS_EVERY_MS);
    try {
      mkdirSync(this.options.workDir, { recursive: true });
      prepareUserDir(this.userDir, 'crmerp-faults', this.flow.nodes);
      const { bc, dataverse } = await this.startEmulators();
      await seedDataverse(dataverse, this.dataset);
      this.log(
        `Seeded ${number(this.options.customers)} accounts and ${number(this.options.orders)} orders ` +
          `(${number(this.dataset.orders.reduce((n, order) => n + order.lines.length, 0))} lines).`,
      );
      this.phase('seed');

      await admin(bc, 'POST', 'faults', { faults: faultRules(API_PATHS.bc) });
      await admin(dataverse, 'POST', 'faults', { faults: faultRules(API_PATHS.dataverse) });
      const caughtUp = await this.loadWithKills();
      this.phase('load with faults and kills');
      const loadCounters = await this.emulators!.request<FaultCounters>({ cmd: 'counters' });
      await admin(bc, 'DELETE', 'faults');
      await admin(dataverse, 'DELETE', 'faults');
      this.log(`Load done after ${duration(Date.now() - this.started)}; faults off, replaying the dead letters …`);
      if (caughtUp) await this.replayDeadLetters();
      this.phase('replay and catch-up');
      if (this.nodeRed !== undefined) await this.nodeRed.stop('SIGINT');

      const [total, bcState, dataverseState] = await Promise.all([
        this.emulators!.request<FaultCounters>({ cmd: 'counters' }),
        admin(bc, 'GET', 'state'),
        admin(dataverse, 'GET', 'state'),
      ]);
      const store = await readStore(join(this.userDir, 'crmerp-sync.db'), this.flow.watermarks);
      const verdict = verify(this.dataset, BC_SEED.companyId, bcState, dataverseState, store);
      this.violations.push(...verdict.violations);
      this.phase('check');

      this.load.end = loadavg()[0] ?? 0;
      const { customers, orders, kills, seed } = this.options;
      const figures = {
        options: { customers, orders, kills, seed },
        tokenLifetimeSeconds: TOKEN_LIFETIME_SECONDS,
        dataset: this.dataset,
        monitor: this.monitor,
        kills: this.kills,
        counters: { load: loadCounters, total },
        verdict,
        violations: this.violations,
        phases: this.phases,
        load: this.load,
        runtimeMs: Date.now() - this.started,
      };
      const result = { violations: this.violations, markdown: summary(figures), json: figuresJson(figures) };
      writeFileSync(join(this.options.workDir, 'results.md'), `${result.markdown}\n`);
      writeFileSync(join(this.options.workDir, 'results.json'), JSON.stringify(result.json, null, 2));
      return result;
    } finally {
      clearInterval(sampler);
      clearInterval(reporter);
      await this.nodeRed?.stop('SIGKILL');
      await this.emulators?.request({ cmd: 'close' }).catch(() => undefined);
      await this.emulators?.stop('SIGINT', 5000);
    }
  }

  private log(line: string): void {
    this.options.log(line);
  }

  private logProgress(): void {
    const { customers, orders } = this.monitor.feeds;
    this.log(
      `  ${duration(Date.now() - this.started)}: ${number(customers.acked)} customers and ${number(orders.acked)} orders ` +
        `acknowledged, ${this.kills.total} kills`,
    );
  }

  private phase(name: string): void {
    this.phases.push([name, Date.now() - this.phaseStarted]);
    this.phaseStarted = Date.now();
  }

  private async startEmulators(): Promise<EmulatorsReady> {
    const log = logFile(this.options.workDir, 'emulators.log');
    const options = { seed: this.options.seed, tokenLifetimeSeconds: TOKEN_LIFETIME_SECONDS };
    const child = fork(join(__dirname, 'emulators.js'), [JSON.stringify(options)], {
      stdio: ['ignore', log, log, 'ipc'],
    });
    closeSync(log);
    const emulators = new Child<EmulatorsReady>('emulators', child, (event) => (this.systems = event));
    this.emulators = emulators;
    await until(
      () => this.systems !== undefined,
      () => (emulators.exited ? 'the emulators exited at start (see emulators.log)' : undefined),
    );
    return this.systems!;
  }

  /** Why to stop waiting: Node-RED is gone, or nothing moved for too long. */
  private stalled(): string | undefined {
    if (this.nodeRed?.exited) return 'Node-RED exited';
    return this.monitor.stalled(STALL_MS);
  }

  private async startNodeRed(): Promise<Child<NodeRedEvent>> {
    const { bc, dataverse } = this.systems!;
    this.kills.starts += 1;
    this.monitor.newLife();
    const logName = `node-red-${String(this.kills.starts).padStart(2, '0')}.log`;
    const log = logFile(this.options.workDir, logName);
    const settings = join(__dirname, 'node-red-settings.js');
    const nodeRedProcess = spawn(
      process.execPath,
      [require.resolve('node-red/red.js'), '--settings', settings, '--userDir', this.userDir],
      {
        cwd: this.userDir,
        stdio: ['ignore', log, log, 'ipc'],
        env: { ...process.env, ...connectionEnvironment(bc, dataverse) },
      },
    );
    closeSync(log);
    const child = new Child<NodeRedEvent>('Node-RED', nodeRedProcess, (event) => this.monitor.handle(event));
    this.nodeRed = child;
    await until(
      () => this.monitor.flowsStarted,
      () => (child.exited ? `Node-RED exited before its flows started (see ${logName})` : this.stalled()),
    );
    await child.request({ cmd: 'orders', enabled: this.monitor.ordersOpen });
    return child;
  }

  /**
   * Starts Node-RED and kills it at `kills` points of the load (drawn from the seed) until both feeds have
   * caught up. False when the load got stuck; that is a violation and the replay is left out.
   */
  private async loadWithKills(): Promise<boolean> {
    const total = this.options.customers + this.options.orders;
    const points = Array.from({ length: this.options.kills }, () => (0.03 + this.random() * 0.87) * total);
    points.sort((a, b) => a - b);
    const monitor = this.monitor;
    const stalled = () => this.stalled();
    while (true) {
      try {
        const child = await this.startNodeRed();
        if (this.kills.total >= points.length) {
          await until(() => monitor.converged, stalled);
          return true;
        }
        const point = points[this.kills.total]!;
        // A kill falls on work of this life: once its point in the load is reached and a batch is on its way.
        await until(() => (monitor.progress >= point && monitor.batchesThisLife > 0) || monitor.converged, stalled);
        const idle = monitor.converged;
        const [shortest, longest] = KILL_DELAY_BOUNDS_MS;
        await delay(Math.floor(this.random() * Math.min(longest, Math.max(shortest, monitor.batchInterval))));
        if (child.exited) throw new StalledError('Node-RED exited');
        child.process.kill('SIGKILL');
        await child.exit;
        this.kills.total += 1;
        if (idle) this.kills.idle += 1;
        const { customers, orders } = monitor.feeds;
        this.kills.log.push(
          `kill ${this.kills.total} after ${duration(Date.now() - this.started)}: ${number(customers.acked)} customers ` +
            `and ${number(orders.acked)} orders acknowledged${idle ? ' (both feeds caught up)' : ''}`,
        );
        this.log(`  ${this.kills.log.at(-1)!}`);
      } catch (error) {
        if (!(error instanceof StalledError)) throw error;
        if (this.nodeRed?.exited && error.message.startsWith('Node-RED exited')) {
          this.kills.unexpectedExits += 1;
          this.violations.push(
            `Node-RED exited by itself (${await this.nodeRed.exit}); see node-red-${String(this.kills.starts).padStart(2, '0')}.log`,
          );
          if (this.kills.unexpectedExits <= MAX_UNEXPECTED_EXITS) continue;
        }
        this.violations.push(`stuck: ${error.message}`);
        return false;
      }
    }
  }

  /** Replays the customers' dead letters, then the orders' (they need their customers), and waits for both feeds. */
  private async replayDeadLetters(): Promise<void> {
    try {
      const child = this.nodeRed !== undefined && !this.nodeRed.exited ? this.nodeRed : await this.startNodeRed();
      for (const operation of ['upsert-customer', 'create-order'] as const satisfies readonly WriterOperation[]) {
        this.monitor.lastReplayEvent = Date.now();
        await child.request({ cmd: 'replay', operation });
        await until(
          () => this.monitor.replayFinished(operation),
          () => {
            if (child.exited) return 'Node-RED exited';
            const quietFor = Date.now() - this.monitor.lastReplayEvent;
            return quietFor > STALL_MS ? `the replay of ${operation} stopped` : undefined;
          },
        );
      }
      // Orders written now had their ERP number written back, which changes them in the CRM once more.
      this.monitor.forgetCatchUp();
      await until(
        () => this.monitor.converged,
        () => this.stalled(),
      );
    } catch (error) {
      if (!(error instanceof StalledError)) throw error;
      this.violations.push(`replay: ${error.message}`);
    }
  }
}

export function runFaultSuite(options: SuiteOptions): Promise<SuiteResult> {
  return new FaultRun(options).run();
}
