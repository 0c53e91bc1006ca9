/** What run.ts and its two child processes (emulators.ts, Node-RED with node-red-settings.ts) say to each other. */
import type { RateLimits } from '../../sandbox';
import type { SystemAddress } from '../support/separate-processes';

export type { SystemAddress };

/** `off`, or the documented request rate and concurrency enforced over a sliding window of that many seconds. */
export type LimitsMode = { kind: 'off' } | { kind: 'documented'; windowSeconds: number };

export interface EmulatorsReady {
  type: 'ready';
  bc: SystemAddress & { limits: RateLimits };
  dataverse: SystemAddress & { limits: RateLimits };
}

export type EmulatorCommand =
  | { id: number; cmd: 'usage' }
  | { id: number; cmd: 'counters' }
  | { id: number; cmd: 'bcCustomers' }
  | { id: number; cmd: 'close' };

/** Requests the emulators answered since the last reset, by system and kind; 429s separately. */
export interface RequestCounters {
  bc: Record<string, number>;
  dataverse: Record<string, number>;
}

/** What Business Central holds after a load: customers, and how many distinct e-mail addresses among them. */
export interface BcCustomerCount {
  customers: number;
  distinctEmails: number;
}

/**
 * Without limits a tiny window keeps the limiter's per-request bookkeeping short (it sums the window's
 * execution times on every request); the documented mode scales the 300-second window down, keeping the
 * documented rate (6,000 per 300 s = 20 requests a second) and the concurrency limits.
 */
export function limitsFor(mode: LimitsMode, documented: RateLimits): Partial<RateLimits> {
  if (mode.kind === 'off') {
    return {
      requestsPerWindow: Number.MAX_SAFE_INTEGER,
      windowMs: 100,
      maxConcurrent: Number.MAX_SAFE_INTEGER,
      executionMsPerWindow: Number.MAX_SAFE_INTEGER,
    };
  }
  const scale = (mode.windowSeconds * 1000) / documented.windowMs;
  return {
    requestsPerWindow: Math.round(documented.requestsPerWindow * scale),
    windowMs: mode.windowSeconds * 1000,
    ...(documented.executionMsPerWindow !== undefined && {
      executionMsPerWindow: Math.round(documented.executionMsPerWindow * scale),
    }),
  };
}

/** What the Node-RED process reports: the flow is deployed, or the load is complete (with what was written). */
export type NodeRedEvent =
  | { type: 'ready' }
  | {
      type: 'done';
      at: number;
      counts: Record<string, number>;
      failures: string[];
      progress: Array<[at: number, records: number]>;
    }
  | { type: 'reply'; id: number; result: unknown };

/** A process's resource usage, as `process.resourceUsage()` and `process.memoryUsage()` give it. */
export interface Usage {
  usage: NodeJS.ResourceUsage;
  memory: NodeJS.MemoryUsage;
}
