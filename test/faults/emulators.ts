/**
 * The fault suite's emulator process: Business Central (with its demo company) and an empty Dataverse on
 * ephemeral ports, in a process of their own that lives through every kill of Node-RED. Service limits are
 * off (the suite injects its own 429s); tokens live `tokenLifetimeSeconds`, so they expire during a run.
 * The suite fills Dataverse and switches faults on and off over HTTP (/_admin); over IPC it asks for the
 * counters of injected faults. Fault decisions draw from a generator seeded by the run's seed.
 */
import { startBcEmulator, startDataverseEmulator, type EmulatorHandle } from '../../sandbox';
import type { FaultPlan } from '../../sandbox/kit/faults';
import { addressOf, answerCommands, seededRandom } from '../support/separate-processes';
import type { EmulatorCommand, EmulatorsReady, FaultCounters, SystemCounters } from './protocol';

interface EmulatorOptions {
  seed: number;
  tokenLifetimeSeconds: number;
}

/** Far beyond what a run sends: the suite injects its own 429s. */
const NO_LIMITS = {
  requestsPerWindow: 1_000_000_000,
  windowMs: 100,
  maxConcurrent: 1_000_000_000,
  executionMsPerWindow: 1_000_000_000,
};
function kindOf(failure: NonNullable<FaultPlan['failure']>): string {
  if (failure.kind === 'status') return failure.status === 429 ? '429' : `${failure.status}`;
  if (failure.kind === 'reset') return `reset ${failure.phase}`;
  return failure.kind;
}

const TOKEN_PATH = /\/oauth2\/v2\.0\/token$/;

/** Counts every request the fault injector decides on (API and token requests), and what it injected. */
function countFaults(handle: EmulatorHandle, apiPath: RegExp, counters: SystemCounters): void {
  const plan = handle.faults.plan.bind(handle.faults);
  handle.faults.plan = (method: string, path: string): FaultPlan => {
    const decided = plan(method, path);
    if (TOKEN_PATH.test(path)) counters.tokens += 1;
    if (!apiPath.test(path)) return decided;
    counters.requests += 1;
    const add = (kind: string): void => {
      counters.faults[kind] = (counters.faults[kind] ?? 0) + 1;
    };
    if (decided.latencyMs > 0) add('latency');
    if (decided.failure !== undefined) add(kindOf(decided.failure));
    return decided;
  };
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as EmulatorOptions;
  // The fault injector draws from Math.random; in this process nothing else needs it unseeded.
  Math.random = seededRandom(options.seed ^ 0x5eed);
  const common = { rateLimits: NO_LIMITS, tokenLifetimeSeconds: options.tokenLifetimeSeconds };
  const bc = await startBcEmulator(common);
  const dataverse = await startDataverseEmulator({ ...common, seed: false });
  const counters: FaultCounters = {
    bc: { requests: 0, tokens: 0, faults: {} },
    dataverse: { requests: 0, tokens: 0, faults: {} },
  };
  countFaults(bc, /^\/v2\.0\//, counters.bc);
  countFaults(dataverse, /^\/api\/data\//, counters.dataverse);

  const ready: EmulatorsReady = { type: 'ready', bc: addressOf(bc), dataverse: addressOf(dataverse) };

  const answer = async (command: EmulatorCommand): Promise<unknown> => {
    switch (command.cmd) {
      case 'counters':
        return structuredClone(counters);
      case 'close':
        await Promise.all([bc.close(), dataverse.close()]);
        setImmediate(() => process.exit(0));
        return null;
    }
  };
  answerCommands(answer);
  process.send?.(ready);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
