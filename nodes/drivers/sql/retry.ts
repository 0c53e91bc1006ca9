/** Running database work again after a transient fault: a few attempts, growing pauses with jitter. */
export interface SqlRetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injected by tests; waits `ms`. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const DEFAULT_SQL_RETRY: SqlRetryPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 2000 };

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` until it succeeds, `shouldRetry` says no, or the attempts are used up; the last error is
 * thrown. `onRetry` hears about each error that is retried (for a log line).
 */
export async function retrying<T>(
  work: (attempt: number) => Promise<T>,
  shouldRetry: (error: unknown) => boolean,
  policy: SqlRetryPolicy = DEFAULT_SQL_RETRY,
  onRetry?: (error: unknown, attempt: number) => void,
): Promise<T> {
  const sleep = policy.sleep ?? pause;
  const random = policy.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || !shouldRetry(error)) throw error;
      onRetry?.(error, attempt);
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.round(random() * ceiling));
    }
  }
}
