import assert from 'node:assert/strict';
import sql from 'mssql';
import { SyncError } from '../../nodes/lib/errors';
import { isConnectionFault, isRolledBackTransient, sqlError, sqlErrorNumber } from '../../nodes/drivers/sql/errors';

/** A server error as tedious reports it and mssql wraps it. */
function serverError(number: number, message: string): Error {
  const cause = Object.assign(new Error(message), {
    code: 'EREQUEST',
    info: { number, state: 1, class: 16, lineNumber: 1 },
  });
  return new sql.RequestError(cause as never);
}

function connectionError(code: string, message: string): Error {
  return new sql.ConnectionError(Object.assign(new Error(message), { code }) as never);
}

describe('SQL Server errors in the error contract', () => {
  const cases: Array<[string, Error, string, boolean, number | undefined]> = [
    [
      'deadlock victim',
      serverError(1205, 'Transaction (Process ID 53) was deadlocked on lock resources'),
      'TRANSIENT',
      true,
      1205,
    ],
    ['lock timeout', serverError(1222, 'Lock request time out period exceeded.'), 'TRANSIENT', true, 1222],
    ['duplicate key', serverError(2627, 'Violation of UNIQUE KEY constraint'), 'CONFLICT', false, 2627],
    ['truncation', serverError(2628, 'String or binary data would be truncated in table'), 'VALIDATION', false, 2628],
    ['not null', serverError(515, 'Cannot insert the value NULL into column'), 'VALIDATION', false, 515],
    [
      'overflow',
      serverError(8115, 'Arithmetic overflow error converting numeric to data type numeric.'),
      'VALIDATION',
      false,
      8115,
    ],
    ['missing table', serverError(208, "Invalid object name 'crmerp.customer_inbound'."), 'CONFIG', false, 208],
    ['missing column', serverError(207, "Invalid column name 'Home Page'."), 'CONFIG', false, 207],
    ['no permission', serverError(229, 'The SELECT permission was denied on the object'), 'AUTH', false, 229],
    ['business rule', serverError(50001, 'Customer 10000 is blocked'), 'REJECTED', false, 50001],
    ['login failed', connectionError('ELOGIN', "Login failed for user 'crm'."), 'AUTH', false, undefined],
    [
      'unknown database',
      connectionError('ELOGIN', 'Cannot open database "NAV" requested by the login.'),
      'CONFIG',
      true,
      undefined,
    ],
    [
      'unreachable',
      connectionError('ESOCKET', 'Failed to connect to nav-sql:1433 - connect ECONNREFUSED'),
      'TRANSIENT',
      true,
      undefined,
    ],
    ['no instance', connectionError('EINSTLOOKUP', 'Port for NAV not found in nav-sql'), 'CONFIG', false, undefined],
    [
      'timeout',
      connectionError('ETIMEOUT', 'Failed to connect to nav-sql:1433 in 15000ms'),
      'TRANSIENT',
      true,
      undefined,
    ],
  ];

  for (const [what, error, code, retryable, number] of cases) {
    it(`${what} → ${code}${retryable ? ', retryable' : ''}`, () => {
      const mapped = sqlError(error, 'nav', 'reading customer 10000');
      assert.ok(mapped instanceof SyncError);
      assert.equal(mapped.code, code);
      assert.equal(mapped.retryable, retryable);
      assert.equal(mapped.status, number);
      assert.equal(mapped.system, 'nav');
      assert.equal(mapped.message, `nav: reading customer 10000 failed: ${error.message}`);
      assert.equal(mapped.cause, error);
    });
  }

  it('keeps the SQL details a developer needs', () => {
    const mapped = sqlError(serverError(2627, 'Violation'), 'nav');
    assert.deepEqual(mapped.details, { number: 2627, driverCode: 'EREQUEST', state: 1, line: 1 });
    assert.equal(sqlErrorNumber(mapped.cause), 2627);
  });

  it('tells faults that rolled the work back from connection faults and from the rest', () => {
    assert.ok(isRolledBackTransient(serverError(1205, 'deadlock')));
    assert.ok(!isRolledBackTransient(serverError(2627, 'duplicate')));
    assert.ok(isConnectionFault(connectionError('ESOCKET', 'reset')));
    assert.ok(!isConnectionFault(connectionError('ELOGIN', 'Login failed')));
    assert.ok(!isConnectionFault(serverError(1205, 'deadlock')));
  });

  it('passes a SyncError through and wraps anything else as TRANSIENT, not retried blindly', () => {
    const own = new SyncError({ code: 'CONFLICT', system: 'nav', message: 'x' });
    assert.equal(sqlError(own, 'nav'), own);
    const odd = sqlError(new Error('odd'), 'nav');
    assert.equal(odd.code, 'TRANSIENT');
    assert.equal(odd.retryable, false);
    assert.equal(sqlError(new RangeError('parameter @x: bad'), 'nav').code, 'VALIDATION');
  });
});
