export interface RateLimits {
  /** Requests a client identity may start within one sliding window. */
  readonly requestsPerWindow: number;
  readonly windowMs: number;
  /** Requests processed at the same time per identity. */
  readonly maxConcurrent: number;
  /** Requests that may wait for a free slot (Business Central queues; Dataverse rejects at once: 0). */
  readonly maxQueued: number;
  /** How long a queued request waits before it is given up. */
  readonly maxQueueWaitMs: number;
  /** Combined processing time per window (Dataverse's execution-time limit); undefined = not enforced. */
  readonly executionMsPerWindow?: number;
}

export type RejectionReason = 'requests' | 'execution' | 'concurrency' | 'queue-full' | 'queue-timeout';

export interface Rejection {
  readonly reason: RejectionReason;
  /** The limit that was hit, for the error message. */
  readonly limit: number;
  readonly retryAfterMs: number;
}

export interface Admission {
  /** Frees the concurrency slot and records how long the request ran. */
  release(): void;
  readonly remainingRequests: number;
  readonly remainingExecutionMs: number | undefined;
}

interface IdentityUsage {
  /** Start times of requests inside the window. */
  starts: number[];
  /** Finished requests inside the window, with their processing time. */
  executions: Array<{ finishedAt: number; durationMs: number }>;
  active: number;
  queue: Array<() => void>;
}

/** Sliding-window and concurrency limits per client identity. */
export class RateLimiter {
  private readonly usage = new Map<string, IdentityUsage>();

  constructor(readonly limits: RateLimits) {}

  async admit(identity: string): Promise<Admission | Rejection> {
    const now = Date.now();
    const usage = this.usageOf(identity, now);
    const { limits } = this;
    if (usage.starts.length >= limits.requestsPerWindow) {
      const oldest = usage.starts[0] ?? now;
      return { reason: 'requests', limit: limits.requestsPerWindow, retryAfterMs: oldest + limits.windowMs - now };
    }
    const executionMs = usage.executions.reduce((sum, execution) => sum + execution.durationMs, 0);
    if (limits.executionMsPerWindow !== undefined && executionMs >= limits.executionMsPerWindow) {
      const oldest = usage.executions[0]?.finishedAt ?? now;
      return { reason: 'execution', limit: limits.executionMsPerWindow, retryAfterMs: oldest + limits.windowMs - now };
    }
    if (usage.active >= limits.maxConcurrent) {
      if (usage.queue.length >= limits.maxQueued) {
        const reason = limits.maxQueued === 0 ? 'concurrency' : 'queue-full';
        return {
          reason,
          limit: reason === 'concurrency' ? limits.maxConcurrent : limits.maxQueued,
          retryAfterMs: 1000,
        };
      }
      usage.starts.push(now);
      const granted = await this.waitForSlot(usage);
      if (!granted) return { reason: 'queue-timeout', limit: limits.maxQueueWaitMs, retryAfterMs: 1000 };
    } else {
      usage.starts.push(now);
      usage.active += 1;
    }
    return this.admission(usage, Date.now(), executionMs);
  }

  private admission(usage: IdentityUsage, startedAt: number, executionMsBefore: number): Admission {
    let released = false;
    const { limits } = this;
    return {
      remainingRequests: Math.max(0, limits.requestsPerWindow - usage.starts.length),
      remainingExecutionMs:
        limits.executionMsPerWindow === undefined
          ? undefined
          : Math.max(0, limits.executionMsPerWindow - executionMsBefore),
      release: () => {
        if (released) return;
        released = true;
        const finishedAt = Date.now();
        usage.executions.push({ finishedAt, durationMs: finishedAt - startedAt });
        const next = usage.queue.shift();
        // A waiting request inherits the slot; otherwise the slot is freed.
        if (next !== undefined) next();
        else usage.active -= 1;
      },
    };
  }

  private waitForSlot(usage: IdentityUsage): Promise<boolean> {
    return new Promise((resolve) => {
      const grant = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        usage.queue.splice(usage.queue.indexOf(grant), 1);
        resolve(false);
      }, this.limits.maxQueueWaitMs);
      timer.unref();
      usage.queue.push(grant);
    });
  }

  private usageOf(identity: string, now: number): IdentityUsage {
    let usage = this.usage.get(identity);
    if (usage === undefined) {
      usage = { starts: [], executions: [], active: 0, queue: [] };
      this.usage.set(identity, usage);
    }
    const windowStart = now - this.limits.windowMs;
    while ((usage.starts[0] ?? Infinity) <= windowStart) usage.starts.shift();
    while ((usage.executions[0]?.finishedAt ?? Infinity) <= windowStart) usage.executions.shift();
    return usage;
  }
}

export function isRejection(result: Admission | Rejection): result is Rejection {
  return 'reason' in result;
}
