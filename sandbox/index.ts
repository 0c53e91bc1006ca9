export { BC_DOCUMENTED_LIMITS, BC_SEED, startBcEmulator, type BcEmulator, type BcEmulatorOptions } from './bc';
export {
  DATAVERSE_DOCUMENTED_LIMITS,
  DATAVERSE_SEED,
  DEFAULT_ALTERNATE_KEYS,
  DOCUMENTED_UNSAFE_KEY_CHARACTERS,
  startDataverseEmulator,
  type DataverseEmulator,
  type DataverseEmulatorOptions,
} from './dataverse';
export type { CommonEmulatorOptions, EmulatorHandle } from './kit/emulator-host';
export type { FaultRule } from './kit/faults';
export type { ClientCredential } from './kit/oauth';
export type { RateLimits } from './kit/rate-limiter';
export { sandboxEnvironment } from './environment';
export { startSandbox, type Sandbox } from './run';
