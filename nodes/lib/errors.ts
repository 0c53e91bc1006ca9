/**
 * The error contract shared by every node, driver and store:
 * `{ code, message, system, status?, retryable, details? }`.
 */
export const ERROR_CODES = [
  'VALIDATION',
  'NOT_FOUND',
  'CONFLICT',
  'AUTH',
  'RATE_LIMIT',
  'TRANSIENT',
  'REJECTED',
  'CONFIG',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  /** The system the failure belongs to (a connection's system name, "store", or "input"). */
  system: string;
  /** HTTP status or SQL error number, when the failure came from a remote system. */
  status?: number;
  retryable: boolean;
  details?: unknown;
}

const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set(['RATE_LIMIT', 'TRANSIENT']);

export class SyncError extends Error implements ErrorInfo {
  readonly code: ErrorCode;
  readonly system: string;
  readonly status?: number;
  readonly retryable: boolean;
  readonly details?: unknown;

  constructor(info: Omit<ErrorInfo, 'retryable'> & { retryable?: boolean; cause?: unknown }) {
    super(info.message, info.cause === undefined ? undefined : { cause: info.cause });
    this.name = 'SyncError';
    this.code = info.code;
    this.system = info.system;
    if (info.status !== undefined) this.status = info.status;
    this.retryable = info.retryable ?? RETRYABLE_BY_DEFAULT.has(info.code);
    if (info.details !== undefined) this.details = info.details;
  }

  /** Node-RED's Catch node shows `toString()`; the plain message reads best there. */
  override toString(): string {
    return this.message;
  }

  toInfo(): ErrorInfo {
    const info: ErrorInfo = {
      code: this.code,
      message: this.message,
      system: this.system,
      retryable: this.retryable,
    };
    if (this.status !== undefined) info.status = this.status;
    if (this.details !== undefined) info.details = this.details;
    return info;
  }
}

export function isSyncError(value: unknown): value is SyncError {
  return value instanceof SyncError;
}

/**
 * Parses a JSON setting from the editor. `subject` names it with its verb ("the item table is"),
 * so the CONFIG error reads "the item table is not valid JSON: …".
 */
export function parseSettingJson(text: string, subject: string, system: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SyncError({ code: 'CONFIG', system, message: `${subject} not valid JSON: ${(error as Error).message}` });
  }
}

/** Wraps anything thrown into the contract. An unexpected fault is TRANSIENT but not retried blindly. */
export function toSyncError(value: unknown, system: string): SyncError {
  if (value instanceof SyncError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new SyncError({ code: 'TRANSIENT', message, system, retryable: false, cause: value });
}
