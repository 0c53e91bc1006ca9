import { startEmulator, type CommonEmulatorOptions, type EmulatorHandle } from '../kit/emulator-host';
import type { RateLimits } from '../kit/rate-limiter';
import { DEFAULT_ALTERNATE_KEYS } from './model';
import { seedDataverse } from './seed';
import { createDataverseProfile } from './service';

export { DATAVERSE_SEED } from './seed';
export { DEFAULT_ALTERNATE_KEYS } from './model';

/** Documented service protection limits per user: 6,000 requests and 1,200 s of execution time per 300 s, 52 concurrent requests. */
export const DATAVERSE_DOCUMENTED_LIMITS: RateLimits = {
  requestsPerWindow: 6000,
  windowMs: 300_000,
  maxConcurrent: 52,
  maxQueued: 0,
  maxQueueWaitMs: 0,
  executionMsPerWindow: 1_200_000,
};

/** Documented as characters that break alternate-key URLs. */
export const DOCUMENTED_UNSAFE_KEY_CHARACTERS = '/<>*%&:\\?+';

export interface DataverseEmulatorOptions extends CommonEmulatorOptions {
  /** Alternate keys per entity set (each a list of columns); default accounts: accountnumber and new_erpcustomerno. */
  readonly alternateKeys?: Readonly<Record<string, ReadonlyArray<readonly string[]>>>;
  /** Largest and default page size; default 5,000 as documented. */
  readonly maxPageSize?: number;
  /** Largest $batch; default 1,000 requests as documented. */
  readonly maxBatchRequests?: number;
  /** Characters rejected in alternate-key values in URLs; default the documented set. */
  readonly unsafeKeyCharacters?: string;
}

export interface DataverseEmulator extends EmulatorHandle {
  /** e.g. http://127.0.0.1:8182/api/data/v9.2 */
  readonly apiUrl: string;
  /** Scope to request tokens for: the environment URL + /.default, as for a real environment. */
  readonly scope: string;
}

export async function startDataverseEmulator(options: DataverseEmulatorOptions = {}): Promise<DataverseEmulator> {
  const handle = await startEmulator(
    {
      documentedLimits: DATAVERSE_DOCUMENTED_LIMITS,
      seed: seedDataverse,
      createProfile: (store, limits) =>
        createDataverseProfile(store, {
          limits,
          alternateKeys: options.alternateKeys ?? DEFAULT_ALTERNATE_KEYS,
          maxPageSize: options.maxPageSize ?? 5000,
          maxBatchRequests: options.maxBatchRequests ?? 1000,
          unsafeKeyCharacters: options.unsafeKeyCharacters ?? DOCUMENTED_UNSAFE_KEY_CHARACTERS,
        }),
    },
    options,
  );
  return { ...handle, apiUrl: `${handle.url}/api/data/v9.2`, scope: `${handle.url}/.default` };
}
