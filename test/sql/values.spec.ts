import assert from 'node:assert/strict';
import sql from 'mssql';
import { TYPES } from 'tedious';
import {
  bindParameters,
  date,
  dateFromIso,
  decimal,
  decimalParameter,
  parameterType,
  rowversion,
  rowversionBytes,
  rowversionHex,
} from '../../nodes/drivers/sql/values';

/** What tedious puts on the wire for a DECIMAL parameter, read back as a number. */
function roundTrip(value: number, precision: number, scale: number): number {
  const parameter = { value, precision, scale, type: TYPES.Decimal, name: 'p' };
  const chunks = [...(TYPES.Decimal.generateParameterData(parameter as never, {} as never) as Iterable<Buffer>)];
  const bytes = Buffer.concat(chunks);
  const sign = bytes.readUInt8(0) === 1 ? 1 : -1;
  return (sign * Number(bytes.readBigUInt64LE(1))) / 10 ** scale;
}

describe('SQL parameters', () => {
  describe('decimals', () => {
    // NAV keeps every amount as DECIMAL(38,20); tedious writes value × 10^scale as one 64-bit integer.
    const amounts = [1_234_567.89, 9_876_543.21, 12_345_678.9912, -2_500_000.5, 999_999_999.99, 0.18, 0.1, 1e-7, 42];

    it('binds amounts in the millions with a scale that fits, so they arrive exactly', () => {
      for (const amount of amounts) {
        const { precision, scale } = decimalParameter(amount);
        assert.equal(precision, 38);
        assert.equal(roundTrip(amount, precision, scale), amount, `${amount} with scale ${scale}`);
      }
      assert.deepEqual(decimalParameter(1_234_567.89), { precision: 38, scale: 2 });
      assert.deepEqual(decimalParameter(1e-7), { precision: 38, scale: 7 });
      assert.deepEqual(decimalParameter(42), { precision: 38, scale: 0 });
    });

    it('shows why: NAV’s own scale of 20 does not fit tedious’ 64-bit encoding from about 0.19 up', () => {
      assert.equal(roundTrip(0.18, 38, 20), 0.18);
      assert.throws(() => roundTrip(0.19, 38, 20), RangeError);
      assert.throws(() => roundTrip(1_234_567.89, 38, 20), RangeError);
    });

    it('drops only the digits a double cannot carry', () => {
      assert.deepEqual(decimalParameter(0.1 + 0.2), { precision: 38, scale: 15 });
      // 16 significant digits: scale 4 would leave the exact range, scale 3 rounds the last one.
      const big = 1_234_567_890_123.5625;
      assert.deepEqual(decimalParameter(big), { precision: 38, scale: 3 });
      assert.ok(Math.abs(roundTrip(big, 38, 3) - big) < 0.001);
    });

    it('refuses what cannot be bound exactly, naming the parameter', () => {
      assert.throws(() => decimalParameter(Number.POSITIVE_INFINITY), RangeError);
      assert.throws(() => decimalParameter(2 ** 60), /too large/);
      const request = new sql.Request();
      assert.throws(() => bindParameters(request, { creditLimit: decimal(Number.NaN) }), /@creditLimit/);
    });
  });

  describe('types chosen from the value', () => {
    const typeOf = (value: Parameters<typeof parameterType>[0]) => {
      const { type } = parameterType(value);
      const resolved = (typeof type === 'function' ? type() : type) as {
        type: { name: string };
        length?: number;
        scale?: number;
      };
      return { name: resolved.type.name, length: resolved.length, scale: resolved.scale };
    };

    it('text is NVARCHAR, long text NVARCHAR(MAX)', () => {
      assert.deepEqual(typeOf('CRONUS'), { name: 'NVarChar', length: 4000, scale: undefined });
      assert.equal(typeOf('x'.repeat(4001)).length, sql.MAX);
    });

    it('whole numbers are INT or BIGINT, others DECIMAL, booleans BIT', () => {
      assert.equal(typeOf(10000).name, 'Int');
      assert.equal(typeOf(3_000_000_000).name, 'BigInt');
      assert.deepEqual(typeOf(1_234_567.89), { name: 'Decimal', length: undefined, scale: 2 });
      assert.equal(typeOf(true).name, 'Bit');
    });

    it('a calendar date is DATE at midnight UTC, never text a server could read day-first', () => {
      assert.equal(typeOf(date('2026-01-05')).name, 'Date');
      assert.equal(parameterType(date('2026-01-05')).value instanceof Date, true);
      assert.equal((parameterType(date('2026-01-05')).value as Date).toISOString(), '2026-01-05T00:00:00.000Z');
      assert.throws(() => dateFromIso('2026-02-30'), /not a date/);
      assert.throws(() => dateFromIso('05.01.2026'), /not a date/);
    });

    it('a rowversion is BINARY(8)', () => {
      const bytes = rowversionBytes('0x00000000000007D1')!;
      assert.deepEqual(typeOf(rowversion(bytes)), { name: 'Binary', length: 8, scale: undefined });
    });
  });

  it('binds every parameter to a real mssql request by name', () => {
    const request = new sql.Request();
    bindParameters(request, { number: '10000', amount: 1_234_567.89, since: rowversion(Buffer.alloc(8)), none: null });
    const parameters = request.parameters as unknown as Record<string, { value: unknown; type: { name: string } }>;
    assert.deepEqual(Object.keys(parameters).sort(), ['amount', 'none', 'number', 'since']);
    assert.equal(parameters.number!.value, '10000');
    assert.equal(parameters.amount!.type.name, 'Decimal');
    assert.equal(parameters.none!.value, null);
  });

  it('writes rowversions as fixed-width hex that sorts like the versions', () => {
    const versions = [1, 255, 256, 2001, 2 ** 40].map((n) => {
      const bytes = Buffer.alloc(8);
      bytes.writeBigUInt64BE(BigInt(n));
      return rowversionHex(bytes)!;
    });
    assert.equal(versions[3], '0x00000000000007D1');
    assert.deepEqual([...versions].sort(), versions);
    for (const hex of versions) assert.equal(rowversionHex(rowversionBytes(hex)), hex);
    assert.equal(rowversionHex(Buffer.alloc(4)), undefined);
    assert.equal(rowversionBytes('2026-01-01T00:00:00Z'), undefined);
    assert.equal(rowversionBytes('0x7D1'), undefined);
  });
});
