import assert from 'node:assert/strict';
import {
  chunk,
  inList,
  MAX_PARAMETERS,
  MAX_VALUES_ROWS,
  rowsPerStatement,
  valuesList,
} from '../../nodes/drivers/sql/batching';
import { parameterNames } from './recording-session';
import { parseTsql } from './tsql';

describe('SQL batching under SQL Server’s limits', () => {
  it('fits rows of any width under 2,100 parameters and 1,000 rows per statement', () => {
    for (const width of [1, 2, 3, 7, 10, 15, 40, 120]) {
      for (const total of [1, 999, 1000, 1001, 4321]) {
        const rows = Array.from({ length: total }, (_, r) => Array.from({ length: width }, (_, c) => r * width + c));
        const pieces = chunk(rows, rowsPerStatement(width));
        assert.equal(pieces.flat().length, total, 'no row lost');
        for (const piece of pieces) {
          const list = valuesList(piece);
          assert.ok(Object.keys(list.params).length < MAX_PARAMETERS, `${width}×${piece.length}`);
          assert.ok(piece.length <= MAX_VALUES_ROWS);
        }
      }
    }
    assert.equal(rowsPerStatement(10), 200);
    assert.equal(rowsPerStatement(1), 1000);
    assert.equal(rowsPerStatement(10, 5), 199);
  });

  it('refuses a row that could never fit, and a list that does not', () => {
    assert.throws(() => rowsPerStatement(2001), RangeError);
    assert.throws(() => rowsPerStatement(0), RangeError);
    assert.throws(() => valuesList(Array.from({ length: 1001 }, () => [1])), /do not fit/);
    assert.throws(() => valuesList([[1, 2], [3]]), /row 1 has 1 values/);
    assert.throws(() => valuesList([]), RangeError);
    assert.throws(() => chunk([1], 0), RangeError);
  });

  it('writes a VALUES list of parameters only, which parses as T-SQL', () => {
    const list = valuesList([
      ['10000', 1_234_567.89],
      ["O'Brien", null],
    ]);
    assert.equal(list.sql, '(@r0_0, @r0_1), (@r1_0, @r1_1)');
    assert.deepEqual(list.params, { r0_0: '10000', r0_1: 1_234_567.89, r1_0: "O'Brien", r1_1: null });
    const statement = `INSERT INTO [s].[t] ([a], [b]) VALUES ${list.sql}`;
    parseTsql(statement);
    assert.deepEqual(parameterNames(statement), Object.keys(list.params).sort());
  });

  it('writes IN lists of parameters', () => {
    const list = inList(['A', 'B', 'C'], 'key');
    assert.equal(list.sql, '@key0, @key1, @key2');
    parseTsql(`SELECT [x] FROM [t] WHERE [k] IN (${list.sql})`);
    assert.throws(() => inList([]), RangeError);
  });
});
