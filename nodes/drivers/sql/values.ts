/**
 * Statement parameters and how they are bound. Every value reaches SQL Server as a typed parameter,
 * never inside the statement text; plain JavaScript values get a type from what they are, and the
 * helpers below pin a type where the plain value would be ambiguous.
 */
import sql from 'mssql';

/** A value with its SQL type chosen by the caller. */
export type TypedValue =
  | { readonly sqlType: 'decimal'; readonly value: number | null }
  | { readonly sqlType: 'int'; readonly value: number | null }
  | { readonly sqlType: 'bigint'; readonly value: number | null }
  | { readonly sqlType: 'date'; readonly value: string | null }
  | { readonly sqlType: 'datetime'; readonly value: Date | null }
  | { readonly sqlType: 'text'; readonly value: string | null }
  | { readonly sqlType: 'binary'; readonly value: Buffer | null }
  | { readonly sqlType: 'rowversion'; readonly value: Buffer };

/**
 * What a statement parameter may hold: text → NVARCHAR, a whole number → INT (BIGINT when larger),
 * any other number → DECIMAL with a precision and scale that fit it, boolean → BIT, Date → DATETIME2,
 * Buffer → VARBINARY; or a typed value.
 */
export type SqlValue = string | number | boolean | Date | Buffer | null | TypedValue;

/** A statement's parameters, bound by name (`@name` in the SQL text). */
export type SqlParams = Readonly<Record<string, SqlValue>>;

export const decimal = (value: number | null): TypedValue => ({ sqlType: 'decimal', value });
export const int = (value: number | null): TypedValue => ({ sqlType: 'int', value });
export const bigint = (value: number | null): TypedValue => ({ sqlType: 'bigint', value });
/** A calendar date `YYYY-MM-DD`, bound as DATE so no server language setting can read it day-first. */
export const date = (value: string | null): TypedValue => ({ sqlType: 'date', value });
export const datetime = (value: Date | null): TypedValue => ({ sqlType: 'datetime', value });
export const text = (value: string | null): TypedValue => ({ sqlType: 'text', value });
export const binary = (value: Buffer | null): TypedValue => ({ sqlType: 'binary', value });
/** A rowversion position, bound as BINARY(8) like the `timestamp` column it is compared with. */
export const rowversion = (value: Buffer): TypedValue => ({ sqlType: 'rowversion', value });

/** SQL Server's largest DECIMAL precision. */
const MAX_PRECISION = 38;
/**
 * tedious writes a DECIMAL parameter as one 64-bit integer (value × 10^scale), and JavaScript
 * numbers are exact integers only below 2^53; a scaled value must stay below the smaller bound.
 */
const EXACT_LIMIT = 2 ** 53;
/** More fraction digits than a double carries are noise. */
const MAX_SCALE = 15;

/** Digits after the decimal point in the shortest text that reads back as `value` (1e-7 → 7). */
function fractionDigits(value: number): number {
  const [mantissa = '', exponent] = Math.abs(value).toString().toLowerCase().split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent ?? 0));
}

/**
 * The DECIMAL(precision, scale) a number is bound as: the scale its digits need, reduced (rounding
 * the last digits) only where value × 10^scale would leave the range tedious encodes exactly. NAV
 * keeps every decimal as DECIMAL(38,20); binding 1234567.89 with scale 20 would overflow the 64-bit
 * encoding, with scale 2 it is exact, and SQL Server widens it to the column's scale on its own.
 */
export function decimalParameter(value: number): { precision: number; scale: number } {
  if (!Number.isFinite(value)) throw new RangeError(`${value} is not a finite number`);
  let scale = Math.min(fractionDigits(value), MAX_SCALE);
  while (scale > 0 && Math.abs(value) * 10 ** scale >= EXACT_LIMIT) scale--;
  if (Math.abs(value) >= EXACT_LIMIT) throw new RangeError(`${value} is too large to bind exactly`);
  return { precision: MAX_PRECISION, scale };
}

const INT_RANGE = 2 ** 31;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` as midnight UTC, the form tedious reads a DATE from (the pool uses UTC). */
export function dateFromIso(value: string): Date {
  const match = DATE_ONLY.exec(value);
  const parsed = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) {
    throw new RangeError(`${JSON.stringify(value)} is not a date of the form YYYY-MM-DD`);
  }
  return parsed;
}

function isTyped(value: SqlValue): value is TypedValue {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && !Buffer.isBuffer(value);
}

function typedParameter(typed: TypedValue): { type: sql.ISqlType | (() => sql.ISqlType); value: unknown } {
  switch (typed.sqlType) {
    case 'decimal': {
      if (typed.value === null) return { type: sql.Decimal(MAX_PRECISION, 0), value: null };
      const { precision, scale } = decimalParameter(typed.value);
      return { type: sql.Decimal(precision, scale), value: typed.value };
    }
    case 'int':
      return { type: sql.Int(), value: typed.value };
    case 'bigint':
      return { type: sql.BigInt(), value: typed.value };
    case 'date':
      return { type: sql.Date(), value: typed.value === null ? null : dateFromIso(typed.value) };
    case 'datetime':
      return { type: sql.DateTime2(3), value: typed.value };
    case 'text':
      return {
        type: sql.NVarChar(typed.value !== null && typed.value.length > 4000 ? sql.MAX : 4000),
        value: typed.value,
      };
    case 'binary':
      return {
        type: sql.VarBinary(typed.value !== null && typed.value.length > 8000 ? sql.MAX : 8000),
        value: typed.value,
      };
    case 'rowversion':
      // mssql's Binary takes a length at run time; its typings leave it out.
      return { type: (sql.Binary as unknown as (length: number) => sql.ISqlType)(8), value: typed.value };
  }
}

/** The mssql type and value a parameter is bound with. */
export function parameterType(value: SqlValue): { type: sql.ISqlType | (() => sql.ISqlType); value: unknown } {
  if (value === null) return { type: sql.NVarChar(1), value: null };
  if (isTyped(value)) return typedParameter(value);
  if (typeof value === 'string') return parameterType(text(value));
  if (typeof value === 'boolean') return { type: sql.Bit(), value };
  if (value instanceof Date) return parameterType(datetime(value));
  if (Buffer.isBuffer(value)) return parameterType(binary(value));
  if (Number.isInteger(value)) return parameterType(Math.abs(value) < INT_RANGE ? int(value) : bigint(value));
  return parameterType(decimal(value));
}

/** Binds every parameter to a request; a value that cannot be bound names its parameter. */
export function bindParameters(request: sql.Request, params: SqlParams): void {
  for (const [name, value] of Object.entries(params)) {
    let bound: ReturnType<typeof parameterType>;
    try {
      bound = parameterType(value);
    } catch (error) {
      throw new RangeError(`parameter @${name}: ${(error as Error).message}`);
    }
    request.input(name, bound.type, bound.value);
  }
}

/** A rowversion (`timestamp`) as fixed-width hex, `0x` and 16 digits, which sorts as text in version order. */
export function rowversionHex(value: unknown): string | undefined {
  if (!Buffer.isBuffer(value) || value.length !== 8) return undefined;
  return `0x${value.toString('hex').toUpperCase()}`;
}

const ROWVERSION_HEX = /^0x[0-9A-Fa-f]{16}$/;

/** The 8 bytes of a rowversion written as `0x…`; undefined for anything else. */
export function rowversionBytes(hex: string): Buffer | undefined {
  return ROWVERSION_HEX.test(hex) ? Buffer.from(hex.slice(2), 'hex') : undefined;
}
