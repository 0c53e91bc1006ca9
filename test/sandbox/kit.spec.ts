import assert from 'node:assert/strict';
import {
  evaluateFilter,
  hasOrAcrossDistinctProperties,
  ODataQueryError,
  parseFilter,
  parseKeyPredicate,
  referencedProperties,
} from '../../sandbox/kit/odata/filter';
import { parsePrefer, parseQueryOptions } from '../../sandbox/kit/odata/query';
import { boundaryOf, buildMultipart, parseHttpRequest, parseMultipart } from '../../sandbox/kit/multipart';
import { matchesAnyTag, parsePreconditionHeader } from '../../sandbox/kit/etag';
import { takePage } from '../../sandbox/kit/paging';

describe('sandbox kit', () => {
  describe('$filter', () => {
    const invoice = {
      number: 'PS-INV103001',
      status: 'Open',
      totalAmountExcludingTax: 1250,
      dueDate: '2024-03-15',
      lastModifiedDateTime: '2024-03-01T10:00:00.000Z',
      customerId: 'bc00c000-0000-4000-8000-000000010000',
      _customerid_value: 'acc00000-0000-4000-8000-000000000001',
      blocked: false,
      description: null,
    };
    const matches = (expression: string): boolean => evaluateFilter(parseFilter(expression), invoice);

    it('compares strings case-insensitively, numbers numerically and booleans', () => {
      assert.equal(matches("status eq 'open'"), true);
      assert.equal(matches("status ne 'Open'"), false);
      assert.equal(matches('totalAmountExcludingTax gt 1000.00'), true);
      assert.equal(matches('totalAmountExcludingTax le 1249.99'), false);
      assert.equal(matches('blocked eq false'), true);
    });

    it('handles and/or/not with the usual precedence and parentheses', () => {
      assert.equal(matches("status eq 'Paid' or status eq 'Open' and totalAmountExcludingTax gt 1000"), true);
      assert.equal(matches("(status eq 'Paid' or status eq 'Open') and totalAmountExcludingTax gt 2000"), false);
      assert.equal(matches("not (status eq 'Paid')"), true);
      assert.equal(matches("not contains(number, 'INV')"), false);
    });

    it('reads GUID, date, date-time and null literals', () => {
      assert.equal(matches('customerId eq BC00C000-0000-4000-8000-000000010000'), true);
      assert.equal(matches('_customerid_value eq acc00000-0000-4000-8000-000000000001'), true);
      assert.equal(matches('dueDate lt 2024-04-01'), true);
      assert.equal(matches('lastModifiedDateTime gt 2024-02-29T23:59:59.999Z'), true);
      assert.equal(matches('lastModifiedDateTime gt 2024-03-01T11:00:00+02:00'), true);
      assert.equal(matches('description eq null'), true);
      assert.equal(matches('status ne null'), true);
    });

    it('supports contains, startswith, endswith, tolower, toupper and in', () => {
      assert.equal(matches("contains(number,'inv1')"), true);
      assert.equal(matches("startswith(number, 'PS-')"), true);
      assert.equal(matches("endswith(number, '002')"), false);
      assert.equal(matches("toupper(status) eq 'OPEN'"), true);
      assert.equal(matches("status in ('Paid', 'Open')"), true);
    });

    it('unescapes doubled quotes in string literals', () => {
      assert.equal(evaluateFilter(parseFilter("name eq 'O''Neil'"), { name: "O'Neil" }), true);
    });

    it('reports syntax errors with their position', () => {
      assert.throws(
        () => parseFilter("status eq 'Open' and"),
        (error: unknown) => {
          assert.ok(error instanceof ODataQueryError);
          assert.equal(error.kind, 'syntax');
          assert.match(error.message, /position 20/);
          return true;
        },
      );
      assert.throws(() => parseFilter("substringof('a', name)"), ODataQueryError);
    });

    it('finds the properties read and an `or` across distinct properties', () => {
      assert.deepEqual([...referencedProperties(parseFilter("a eq 1 and contains(b,'x')"))], ['a', 'b']);
      assert.equal(hasOrAcrossDistinctProperties(parseFilter("status eq 'Open' or status eq 'Paid'")), false);
      assert.equal(hasOrAcrossDistinctProperties(parseFilter("status eq 'Open' or number eq 'X'")), true);
      assert.equal(hasOrAcrossDistinctProperties(parseFilter('a eq 1 and (b eq 1 or c eq 2)')), true);
    });
  });

  it('parses key predicates, single and multi-part', () => {
    assert.deepEqual(parseKeyPredicate('acc00000-0000-4000-8000-000000000001'), {
      kind: 'single',
      literal: { type: 'guid', value: 'acc00000-0000-4000-8000-000000000001' },
    });
    assert.deepEqual(parseKeyPredicate("firstname='Joe',emailaddress1='abc@example.com'"), {
      kind: 'named',
      parts: {
        firstname: { type: 'string', value: 'Joe' },
        emailaddress1: { type: 'string', value: 'abc@example.com' },
      },
    });
  });

  it('parses $select, $orderby, $top and nested $expand', () => {
    const options = parseQueryOptions(
      new URLSearchParams({
        $select: 'number,displayName',
        $orderby: 'number desc, displayName',
        $top: '5',
        $expand: 'salesOrderLines($select=sequence;$expand=item($select=number)),customer',
      }),
    );
    assert.deepEqual(options.select, ['number', 'displayName']);
    assert.deepEqual(options.orderBy, [
      { property: 'number', descending: true },
      { property: 'displayName', descending: false },
    ]);
    assert.equal(options.top, 5);
    assert.equal(options.expand[0]?.navigation, 'salesOrderLines');
    assert.deepEqual(options.expand[0]?.options.select, ['sequence']);
    assert.equal(options.expand[0]?.options.expand[0]?.navigation, 'item');
    assert.equal(options.expand[1]?.navigation, 'customer');
    assert.throws(() => parseQueryOptions(new URLSearchParams({ $top: '-1' })), ODataQueryError);
  });

  it('parses Prefer headers', () => {
    const preferences = parsePrefer('odata.maxpagesize=50, return=representation,odata.include-annotations="*"');
    assert.equal(preferences.get('odata.maxpagesize'), '50');
    assert.equal(preferences.get('return'), 'representation');
    assert.equal(preferences.get('odata.include-annotations'), '*');
  });

  it('compares ETags weakly and treats If-None-Match: null as absent', () => {
    assert.equal(matchesAnyTag(parsePreconditionHeader('W/"12", W/"13"'), 'W/"13"'), true);
    assert.equal(matchesAnyTag(parsePreconditionHeader('"13"'), 'W/"13"'), true);
    assert.equal(matchesAnyTag(parsePreconditionHeader('*'), 'W/"1"'), true);
    assert.equal(parsePreconditionHeader('null').kind, 'absent');
  });

  it('pages by last key so deleted rows do not shift the next page', () => {
    const rows = ['a', 'b', 'c', 'd', 'e'];
    const first = takePage(rows, 2, (row) => row);
    assert.deepEqual(first.rows, ['a', 'b']);
    const afterDelete = rows.filter((row) => row !== 'a');
    assert.deepEqual(takePage(afterDelete, 2, (row) => row, first.next).rows, ['c', 'd']);
    assert.equal(takePage(rows, 5, (row) => row).next, undefined);
  });

  it('parses and builds multipart/mixed bodies, CRLF or LF', () => {
    assert.equal(boundaryOf('multipart/mixed; boundary="batch_1"'), 'batch_1');
    assert.equal(boundaryOf('multipart/mixed;boundary=batch_2'), 'batch_2');
    const body = [
      '--b',
      'Content-Type: application/http',
      '',
      'GET /api/data/v9.2/accounts HTTP/1.1',
      'Accept: application/json',
      '',
      '',
      '--b--',
      '',
    ].join('\n');
    const [part] = parseMultipart(body, 'b');
    assert.equal(part?.headers['content-type'], 'application/http');
    const message = parseHttpRequest(part?.body ?? '');
    assert.deepEqual(
      [message.method, message.target, message.headers.accept],
      ['GET', '/api/data/v9.2/accounts', 'application/json'],
    );
    const built = buildMultipart('x', [{ headers: { 'Content-Type': 'text/plain' }, body: 'hello' }]);
    assert.equal(built, '--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n--x--\r\n');
    assert.equal(parseMultipart(built, 'x')[0]?.body, 'hello');
  });
});
