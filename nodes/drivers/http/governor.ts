/**
 * Client-side rate governor: a sliding request window plus a concurrency cap, with a FIFO queue.
 * One governor exists per credential and is shared by every client (and so every node) that uses it,
 * because the remote systems count their limits per user, not per connection.
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface RateLimits {
  /** Requests allowed per sliding window (needs `windowMs`). */
  maxRequests?: number;
  windowMs?: number;
  /** Requests allowed in flight at once. */
  maxConcurrent?: number;
}

/** The documented service limits (see research/api-contracts.md). */
export const RATE_LIMIT_PRESETS = {
  /** 6,000 requests per 5-minute sliding window and 5 concurrent requests per user. */
  businessCentral: { maxRequests: 6000, windowMs: 300_000, maxConcurrent: 5 },
  /** Service protection: 6,000 requests per 300 s and 52 concurrent requests per user. */
  dataverse: { maxRequests: 6000, windowMs: 300_000, maxConcurrent: 52 },
  /** Private apps on Free/Starter: 100 requests per 10 s. */
  hubspot: { maxRequests: 100, windowMs: 10_000 },
  /** Private apps on Professional/Enterprise: 190 requests per 10 s. */
  hubspotProfessional: { maxRequests: 190, windowMs: 10_000 },
  /** 25 concurrent long-running requests in production orgs; the daily allocation is not enforced here. */
  salesforce: { maxConcurrent: 25 },
} as const satisfies Record<string, RateLimits>;

export type RateLimitPreset = keyof typeof RATE_LIMIT_PRESETS;

export function rateLimitsFor(preset: RateLimitPreset, overrides: RateLimits = {}): RateLimits {
  return { ...RATE_LIMIT_PRESETS[preset], ...overrides };
}

export interface GovernorStats {
  inFlight: number;
  queued: number;
  /** Requests started within the current window. */
  sentInWindow: number;
  /** Remaining pause after a 429, 0 when not paused. */
  pausedForMs: number;
}

export type ReleaseSlot = () => void;

interface Waiter {
  grant(release: ReleaseSlot): void;
}

export class RateGovernor {
  private limits: RateLimits;
  private readonly queue: Waiter[] = [];
  /** Start times of the requests in the current window, oldest first. */
  private readonly startedAt: number[] = [];
  private inFlight = 0;
  private pausedUntil = 0;
  private wakeTimer: NodeJS.Timeout | undefined;

  constructor(
    limits: RateLimits = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...limits };
  }

  setLimits(limits: RateLimits): void {
    this.limits = { ...limits };
    this.drain();
  }

  /** Waits for a slot (FIFO); call the returned function once the request has finished. */
  acquire(signal?: AbortSignal): Promise<ReleaseSlot> {
    return new Promise<ReleaseSlot>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const waiter: Waiter = { grant: resolve };
      if (signal !== undefined) {
        const onAbort = (): void => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) this.queue.splice(index, 1);
          reject(signal.reason);
          this.drain();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.grant = (release) => {
          signal.removeEventListener('abort', onAbort);
          resolve(release);
        };
      }
      this.queue.push(waiter);
      this.drain();
    });
  }

  /** Holds every queued and new request back, e.g. for a 429's Retry-After, so siblings do not hammer. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  stats(): GovernorStats {
    const now = this.now();
    this.forgetExpired(now);
    return {
      inFlight: this.inFlight,
      queued: this.queue.length,
      sentInWindow: this.startedAt.length,
      pausedForMs: Math.max(0, this.pausedUntil - now),
    };
  }

  private drain(): void {
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    for (let waiter = this.queue[0]; waiter !== undefined; waiter = this.queue[0]) {
      const waitMs = this.waitBeforeNextStart();
      if (waitMs > 0) {
        // A full concurrency cap is lifted by a release, which drains again; everything else by time.
        if (waitMs !== Infinity) this.wakeTimer = setTimeout(() => this.drain(), waitMs);
        return;
      }
      this.queue.shift();
      this.inFlight += 1;
      if (this.limits.windowMs !== undefined) this.startedAt.push(this.now());
      waiter.grant(this.releaser());
    }
  }

  private waitBeforeNextStart(): number {
    const now = this.now();
    if (this.pausedUntil > now) return this.pausedUntil - now;
    const { maxConcurrent, maxRequests, windowMs } = this.limits;
    if (maxConcurrent !== undefined && this.inFlight >= maxConcurrent) return Infinity;
    if (maxRequests !== undefined && windowMs !== undefined) {
      this.forgetExpired(now);
      // The window has room again once enough of the oldest starts have left it.
      const blocking = this.startedAt[this.startedAt.length - maxRequests];
      if (blocking !== undefined) return Math.max(1, blocking + windowMs - now);
    }
    return 0;
  }

  private forgetExpired(now: number): void {
    const windowMs = this.limits.windowMs ?? 0;
    while (this.startedAt.length > 0 && (this.startedAt[0] ?? now) <= now - windowMs) this.startedAt.shift();
  }

  private releaser(): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      this.drain();
    };
  }
}

/** Keyed by a per-process HMAC, so a registry key never reveals the credential it stands for. */
const KEY_SECRET = randomBytes(32);

function credentialKey(identity: readonly string[]): string {
  return createHmac('sha256', KEY_SECRET).update(JSON.stringify(identity)).digest('hex');
}

/**
 * Governors by credential. A governor lives as long as the process, so the window and a 429 pause
 * survive a redeploy of the flows; the limits of the client created last apply.
 */
export class GovernorRegistry {
  private readonly governors = new Map<string, RateGovernor>();

  governorFor(identity: readonly string[], limits: RateLimits): RateGovernor {
    const key = credentialKey(identity);
    const existing = this.governors.get(key);
    if (existing !== undefined) {
      existing.setLimits(limits);
      return existing;
    }
    const governor = new RateGovernor(limits);
    this.governors.set(key, governor);
    return governor;
  }

  keys(): string[] {
    return [...this.governors.keys()];
  }
}

/** The process-wide registry every client uses unless it is given its own. */
export const sharedGovernors = new GovernorRegistry();
