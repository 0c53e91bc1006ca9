import { startEmulator, type CommonEmulatorOptions, type EmulatorHandle } from '../kit/emulator-host';
import type { RateLimits } from '../kit/rate-limiter';
import { BC_SEED, seedBusinessCentral } from './seed';
import { createBcProfile } from './service';

export { BC_SEED } from './seed';

/** Documented online limits: 6,000 requests per 5-minute sliding window and 5 concurrent requests per user; up to 95 more wait in a queue (8 minutes at most), beyond that 429. */
export const BC_DOCUMENTED_LIMITS: RateLimits = {
  requestsPerWindow: 6000,
  windowMs: 300_000,
  maxConcurrent: 5,
  maxQueued: 95,
  maxQueueWaitMs: 480_000,
};

export interface BcEmulatorOptions extends CommonEmulatorOptions {
  /** Environment name in the URL; default `production`. Any environment name is accepted in requests. */
  readonly environment?: string;
  /** Largest page returned; default 20,000 entities as documented. */
  readonly maxPageSize?: number;
  /** Largest JSON $batch; default 100 operations as documented. */
  readonly maxBatchOperations?: number;
  /** Business Central documents no Retry-After on 429 (VERIFY); set to send one. */
  readonly retryAfterOn429Seconds?: number;
}

export interface BcEmulator extends EmulatorHandle {
  /** e.g. http://127.0.0.1:8181/v2.0/sandbox/production/api/v2.0 */
  readonly apiUrl: string;
  /** Id of the seeded demo company (CRONUS International Ltd.). */
  readonly companyId: string;
  /** Scope to request tokens for, as for the real service. */
  readonly scope: string;
}

export async function startBcEmulator(options: BcEmulatorOptions = {}): Promise<BcEmulator> {
  const environment = options.environment ?? 'production';
  const handle = await startEmulator(
    {
      documentedLimits: BC_DOCUMENTED_LIMITS,
      seed: seedBusinessCentral,
      createProfile: (store, limits) =>
        createBcProfile(store, {
          limits,
          maxPageSize: options.maxPageSize ?? 20_000,
          maxBatchOperations: options.maxBatchOperations ?? 100,
          retryAfterOn429Seconds: options.retryAfterOn429Seconds,
        }),
    },
    options,
  );
  return {
    ...handle,
    apiUrl: `${handle.url}/v2.0/${handle.tenant}/${environment}/api/v2.0`,
    companyId: BC_SEED.companyId,
    scope: 'https://api.businesscentral.dynamics.com/.default',
  };
}
