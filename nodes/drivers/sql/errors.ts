/**
 * SQL Server's errors in the error contract: connection faults, login failures and server error
 * numbers become a SyncError with a code a flow can act on, the SQL error number as `status`, and a
 * message that names what was being done. Secrets never appear: mssql's messages carry none, and the
 * connection settings are not part of any message.
 */
import { SyncError, type ErrorCode } from '../../lib/errors';

/** What mssql and tedious attach to their errors. */
interface DriverErrorFields {
  name?: unknown;
  code?: unknown;
  number?: unknown;
  state?: unknown;
  class?: unknown;
  procName?: unknown;
  lineNumber?: unknown;
  originalError?: { code?: unknown; info?: { number?: unknown } };
}

export const DEADLOCK_VICTIM = 1205;
export const LOCK_TIMEOUT = 1222;

/**
 * Errors after which the server has rolled the transaction back (or, for a lock timeout, we do) and the
 * same work can simply run again; the Azure SQL numbers are its documented transient faults.
 */
const ROLLED_BACK_TRANSIENT: ReadonlySet<number> = new Set([
  DEADLOCK_VICTIM,
  LOCK_TIMEOUT,
  40197,
  40501,
  40613,
  49918,
  49919,
  49920,
  10928,
  10929,
]);

/** Connection-level faults: the statement may not have reached the server at all. */
const CONNECTION_CODES: ReadonlySet<string> = new Set(['ESOCKET', 'ECONNCLOSED', 'ECONNRESET', 'ENOCONN', 'ETIMEOUT']);

const BY_NUMBER: ReadonlyArray<[ReadonlySet<number>, ErrorCode]> = [
  [new Set([18456, 18452, 18486, 18487, 18488]), 'AUTH'],
  [new Set([229, 230, 262, 297, 300, 916, 15247]), 'AUTH'],
  [new Set([2627, 2601]), 'CONFLICT'],
  [new Set([515, 547, 8152, 2628, 8115, 8114, 245, 241, 242, 295, 220, 232, 8169, 13609]), 'VALIDATION'],
  [new Set([208, 207, 2812, 4121, 201, 8144, 8145, 102, 156, 4145, 1038, 15151]), 'CONFIG'],
];

/** User-defined errors (RAISERROR / THROW with 50000 and above) are the database's business rules. */
const FIRST_USER_ERROR = 50000;

function fields(error: unknown): DriverErrorFields {
  return typeof error === 'object' && error !== null ? (error as DriverErrorFields) : {};
}

/** The SQL Server error number, when the server sent one. */
export function sqlErrorNumber(error: unknown): number | undefined {
  const f = fields(error);
  const number = typeof f.number === 'number' ? f.number : f.originalError?.info?.number;
  return typeof number === 'number' ? number : undefined;
}

/** mssql's or tedious' error code (ELOGIN, ESOCKET, ETIMEOUT, EREQUEST, …). */
export function sqlDriverCode(error: unknown): string | undefined {
  const f = fields(error);
  const code = typeof f.code === 'string' ? f.code : f.originalError?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A fault of the network path or the server's availability, not of the statement. */
export function isConnectionFault(error: unknown): boolean {
  const code = sqlDriverCode(error);
  return code !== undefined && CONNECTION_CODES.has(code) && sqlErrorNumber(error) === undefined;
}

/** The server rolled the work back and asks for it to be tried again (a deadlock victim, a throttled database). */
export function isRolledBackTransient(error: unknown): boolean {
  const number = sqlErrorNumber(error);
  return number !== undefined && ROLLED_BACK_TRANSIENT.has(number);
}

function codeFor(error: unknown): { code: ErrorCode; retryable: boolean } {
  if (error instanceof SyncError) return { code: error.code, retryable: error.retryable };
  const number = sqlErrorNumber(error);
  const driverCode = sqlDriverCode(error);
  const message = error instanceof Error ? error.message : '';
  if (number !== undefined) {
    if (number === 4060) return { code: 'CONFIG', retryable: true };
    if (ROLLED_BACK_TRANSIENT.has(number)) return { code: 'TRANSIENT', retryable: true };
    for (const [numbers, code] of BY_NUMBER) if (numbers.has(number)) return { code, retryable: false };
    if (number >= FIRST_USER_ERROR) return { code: 'REJECTED', retryable: false };
    return { code: 'TRANSIENT', retryable: false };
  }
  switch (driverCode) {
    case 'ELOGIN':
      // "Cannot open database …" and "Login failed …" both arrive as ELOGIN.
      return /cannot open database/i.test(message)
        ? { code: 'CONFIG', retryable: true }
        : { code: 'AUTH', retryable: false };
    case 'EINSTLOOKUP':
    case 'EARGS':
    case 'EINJECT':
    case 'EPARAM':
      return { code: 'CONFIG', retryable: false };
    case 'ESOCKET':
    case 'ECONNCLOSED':
    case 'ECONNRESET':
    case 'ENOCONN':
    case 'ETIMEOUT':
    case 'ENOTOPEN':
      return { code: 'TRANSIENT', retryable: true };
    default:
      if (error instanceof RangeError || error instanceof TypeError) return { code: 'VALIDATION', retryable: false };
      return { code: 'TRANSIENT', retryable: false };
  }
}

/**
 * Wraps anything a SQL call threw. `doing` says what was attempted, for the message ("reading customer
 * 10000"); the server's own message follows. A SyncError passes through unchanged.
 */
export function sqlError(error: unknown, system: string, doing?: string): SyncError {
  if (error instanceof SyncError) return error;
  const { code, retryable } = codeFor(error);
  const f = fields(error);
  const number = sqlErrorNumber(error);
  const driverCode = sqlDriverCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  const details: Record<string, unknown> = {};
  if (number !== undefined) details.number = number;
  if (driverCode !== undefined) details.driverCode = driverCode;
  if (typeof f.state === 'number') details.state = f.state;
  if (typeof f.procName === 'string' && f.procName !== '') details.procedure = f.procName;
  if (typeof f.lineNumber === 'number' && f.lineNumber > 0) details.line = f.lineNumber;
  return new SyncError({
    code,
    system,
    retryable,
    message: doing ? `${system}: ${doing} failed: ${reason}` : `${system}: ${reason}`,
    ...(number !== undefined ? { status: number } : {}),
    ...(Object.keys(details).length > 0 ? { details } : {}),
    cause: error,
  });
}
