import assert from 'node:assert/strict';
import { startBcEmulator, type BcEmulator } from '../../sandbox/bc';
import { startDataverseEmulator, type DataverseEmulator } from '../../sandbox/dataverse';
import { adminUrl, authorization, delay, http, type HttpResult, type ODataErrorBody } from './helpers';

const errorOf = (response: HttpResult<unknown>): { code: string; message: string } =>
  (response.body as ODataErrorBody).error;

describe('sandbox service protection limits', () => {
  describe('Business Central', () => {
    let bc: BcEmulator;
    let headers: Record<string, string>;
    let items: string;

    before(async () => {
      bc = await startBcEmulator({
        rateLimits: { requestsPerWindow: 3, windowMs: 600, maxConcurrent: 1, maxQueued: 1, maxQueueWaitMs: 5000 },
        additionalClients: [{ clientId: 'other-app', clientSecret: 'other-secret' }],
      });
      headers = await authorization(bc);
      items = `${bc.apiUrl}/companies(${bc.companyId})/items?$top=1`;
    });
    after(() => bc.close());

    it('answers 429 Application_TooManyRequests once the sliding window is full, per client, without Retry-After', async () => {
      await delay(650);
      for (let request = 0; request < 3; request += 1) assert.equal((await http(items, { headers })).status, 200);
      const throttled = await http(items, { headers });
      assert.equal(throttled.status, 429);
      assert.equal(errorOf(throttled).code, 'Application_TooManyRequests');
      assert.match(
        errorOf(throttled).message,
        /^Too many requests reached\. {2}Actual \(4\)\. Maximum \(3\)\. {2}CorrelationId: /,
      );
      assert.equal(throttled.headers.get('retry-after'), null);

      const otherClient = await authorization({ ...bc, clientId: 'other-app', clientSecret: 'other-secret' });
      assert.equal((await http(items, { headers: otherClient })).status, 200, 'limits are counted per client identity');
      await delay(650);
      assert.equal((await http(items, { headers })).status, 200, 'the window slides');
    });

    it('queues requests beyond the concurrency limit and rejects them when the queue is full', async () => {
      await delay(650);
      bc.faults.add({ kind: 'latency', latencyMs: 150, path: '*/items' });
      try {
        const statuses = await Promise.all(
          [0, 1, 2].map(() => http(items, { headers }).then((response) => response.status)),
        );
        assert.deepEqual(statuses.sort(), [200, 200, 429]);
      } finally {
        bc.faults.clear();
      }
    });

    it('answers 503 with Retry-After when a queued request waits too long', async () => {
      const impatient = await startBcEmulator({ rateLimits: { maxConcurrent: 1, maxQueued: 5, maxQueueWaitMs: 50 } });
      try {
        const impatientHeaders = await authorization(impatient);
        impatient.faults.add({ kind: 'latency', latencyMs: 200, path: '*/companies' });
        const [first, second] = await Promise.all(
          [0, 1].map(() => http(`${impatient.apiUrl}/companies`, { headers: impatientHeaders })),
        );
        assert.equal(first?.status, 200);
        assert.equal(second?.status, 503);
        assert.equal(second?.headers.get('retry-after'), '1');
      } finally {
        await impatient.close();
      }
    });

    it('uses the documented limits by default', () => {
      return startBcEmulator().then(async (defaults) => {
        assert.deepEqual(defaults.limits, {
          requestsPerWindow: 6000,
          windowMs: 300_000,
          maxConcurrent: 5,
          maxQueued: 95,
          maxQueueWaitMs: 480_000,
        });
        await defaults.close();
      });
    });
  });

  describe('Dataverse', () => {
    let dataverse: DataverseEmulator;
    let headers: Record<string, string>;
    let accounts: string;

    before(async () => {
      dataverse = await startDataverseEmulator({
        rateLimits: { requestsPerWindow: 3, windowMs: 2000, maxConcurrent: 2 },
      });
      headers = await authorization(dataverse);
      accounts = `${dataverse.apiUrl}/accounts?$top=1`;
    });
    after(() => dataverse.close());

    it('answers 429 0x80072322 with Retry-After in seconds and sends the rate-limit debug headers', async () => {
      const first = await http(accounts, { headers });
      assert.equal(first.headers.get('x-ms-ratelimit-burst-remaining-xrm-requests'), '2');
      assert.equal(first.headers.get('x-ms-ratelimit-time-remaining-xrm-requests'), '1,200,000.00');
      await http(accounts, { headers });
      await http(accounts, { headers });
      const throttled = await http(accounts, { headers });
      assert.equal(throttled.status, 429);
      assert.equal(errorOf(throttled).code, '0x80072322');
      assert.equal(
        errorOf(throttled).message,
        'Number of requests exceeded the limit of 3 over time window of 2 seconds.',
      );
      assert.equal(throttled.headers.get('retry-after'), '2');
    });

    it('answers 429 0x80072326 at once when too many requests run concurrently', async () => {
      const concurrent = await startDataverseEmulator({ rateLimits: { maxConcurrent: 2 } });
      try {
        const concurrentHeaders = await authorization(concurrent);
        concurrent.faults.add({ kind: 'latency', latencyMs: 150, path: '/api/data/*' });
        const responses = await Promise.all(
          [0, 1, 2].map(() => http(`${concurrent.apiUrl}/accounts`, { headers: concurrentHeaders })),
        );
        const throttled = responses.filter((response) => response.status === 429);
        assert.equal(throttled.length, 1);
        assert.equal(errorOf(throttled[0] as HttpResult<unknown>).code, '0x80072326');
        assert.equal(
          errorOf(throttled[0] as HttpResult<unknown>).message,
          'Number of concurrent requests exceeded the limit of 2.',
        );
        assert.ok(Number(throttled[0]?.headers.get('retry-after')) >= 1);
      } finally {
        await concurrent.close();
      }
    });

    it('answers 429 0x80072321 once the combined execution time is used up', async () => {
      const busy = await startDataverseEmulator({ rateLimits: { executionMsPerWindow: 100, windowMs: 60_000 } });
      try {
        const busyHeaders = await authorization(busy);
        busy.faults.add({ kind: 'latency', latencyMs: 120, path: '/api/data/*', count: 1 });
        assert.equal((await http(`${busy.apiUrl}/accounts`, { headers: busyHeaders })).status, 200);
        const throttled = await http(`${busy.apiUrl}/accounts`, { headers: busyHeaders });
        assert.equal(throttled.status, 429);
        assert.equal(errorOf(throttled).code, '0x80072321');
        assert.match(
          errorOf(throttled).message,
          /^Combined execution time of incoming requests exceeded limit of 100 milliseconds over time window of 60 seconds\./,
        );
      } finally {
        await busy.close();
      }
    });
  });
});

describe('sandbox fault injection', () => {
  let bc: BcEmulator;
  let dataverse: DataverseEmulator;
  let bcHeaders: Record<string, string>;
  let dvHeaders: Record<string, string>;
  let customers: string;
  let accounts: string;

  before(async () => {
    bc = await startBcEmulator({ faults: [{ kind: 'status', status: 500, path: '*/salesInvoices', count: 1 }] });
    dataverse = await startDataverseEmulator();
    bcHeaders = await authorization(bc);
    dvHeaders = await authorization(dataverse);
    customers = `${bc.apiUrl}/companies(${bc.companyId})/customers`;
    accounts = `${dataverse.apiUrl}/accounts`;
  });
  afterEach(() => {
    bc.faults.clear();
    dataverse.faults.clear();
  });
  after(async () => {
    await bc.close();
    await dataverse.close();
  });

  it('applies faults given at start, `count` times, only on matching paths', async () => {
    const invoices = `${bc.apiUrl}/companies(${bc.companyId})/salesInvoices`;
    assert.equal((await http(customers, { headers: bcHeaders })).status, 200);
    const failed = await http(invoices, { headers: bcHeaders });
    assert.equal(failed.status, 500);
    assert.equal(errorOf(failed).code, 'Internal_ServerError');
    assert.equal((await http(invoices, { headers: bcHeaders })).status, 200);
  });

  it('adds latency', async () => {
    dataverse.faults.add({ kind: 'latency', latencyMs: 120 });
    const started = Date.now();
    assert.equal((await http(accounts, { headers: dvHeaders })).status, 200);
    assert.ok(Date.now() - started >= 110);
  });

  it('answers 429 in each API shape', async () => {
    bc.faults.add({ kind: 'status', status: 429, count: 1 });
    dataverse.faults.add({ kind: 'status', status: 429, retryAfterSeconds: 7, count: 1 });
    const bcThrottled = await http(customers, { headers: bcHeaders });
    assert.equal(bcThrottled.status, 429);
    assert.equal(errorOf(bcThrottled).code, 'Application_TooManyRequests');
    const dvThrottled = await http(accounts, { headers: dvHeaders });
    assert.equal(dvThrottled.status, 429);
    assert.equal(errorOf(dvThrottled).code, '0x80072322');
    assert.equal(dvThrottled.headers.get('retry-after'), '7');
  });

  it('answers 500, 502, 503 and 504', async () => {
    for (const status of [500, 502, 503, 504]) {
      dataverse.faults.add({ kind: 'status', status, count: 1 });
      const response = await http(accounts, { headers: dvHeaders });
      assert.equal(response.status, status);
      if (status === 500) assert.equal(errorOf(response).code, '0x80040216');
    }
    bc.faults.add({ kind: 'status', status: 503, count: 1 });
    const unavailable = await http(customers, { headers: bcHeaders });
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.headers.get('retry-after'), '1', 'Business Central sends Retry-After on 503');
  });

  it('resets the connection', async () => {
    bc.faults.add({ kind: 'reset', count: 1 });
    await assert.rejects(http(customers, { headers: bcHeaders }), TypeError);
    assert.equal((await http(customers, { headers: bcHeaders })).status, 200);
  });

  it('resets the connection after processing the request when the phase is after', async () => {
    const email = 'reset-after@example.com';
    const withEmail = `${customers}?$filter=${encodeURIComponent(`email eq '${email}'`)}`;
    dataverse.faults.add({ kind: 'reset', phase: 'before', count: 1 });
    await assert.rejects(
      http(accounts, { method: 'POST', headers: dvHeaders, body: { name: 'Reset Before' } }),
      TypeError,
    );
    const before = await http<{ value: unknown[] }>(`${accounts}?$filter=name eq 'Reset Before'`, {
      headers: dvHeaders,
    });
    assert.equal(before.body.value.length, 0, 'reset before: nothing was written');

    bc.faults.add({ kind: 'reset', phase: 'after', method: 'POST', count: 1 });
    await assert.rejects(
      http(customers, { method: 'POST', headers: bcHeaders, body: { displayName: 'Reset After', email } }),
      TypeError,
    );
    const after = await http<{ value: Array<{ displayName: string }> }>(withEmail, { headers: bcHeaders });
    assert.deepEqual(
      after.body.value.map((customer) => customer.displayName),
      ['Reset After'],
      'reset after: the customer was created although the answer was lost',
    );

    const invalid = await http<{ error: string }>(adminUrl(bc, 'faults'), {
      method: 'POST',
      body: { kind: 'status', status: 503, phase: 'after' },
    });
    assert.equal(invalid.status, 400);
    assert.match(invalid.body.error, /"phase" is before or after, and only for reset/);
  });

  it('never answers on timeout until the client gives up', async () => {
    dataverse.faults.add({ kind: 'timeout', count: 1 });
    const started = Date.now();
    await assert.rejects(http(accounts, { headers: dvHeaders, signal: AbortSignal.timeout(200) }), (error: unknown) => {
      assert.equal((error as Error).name, 'TimeoutError');
      return true;
    });
    assert.ok(Date.now() - started >= 190);
    assert.equal((await http(accounts, { headers: dvHeaders })).status, 200);
  });

  it('fires with a probability', async () => {
    dataverse.faults.add({ kind: 'status', status: 503, probability: 0 });
    for (let attempt = 0; attempt < 5; attempt += 1)
      assert.equal((await http(accounts, { headers: dvHeaders })).status, 200);
  });

  it('is managed at run time through /_admin/faults', async () => {
    const added = await http<{ faults: unknown[] }>(adminUrl(bc, 'faults'), {
      method: 'POST',
      body: { faults: [{ kind: 'status', status: 502, method: 'GET', path: '/v2.0/*/customers' }] },
    });
    assert.equal(added.status, 200);
    assert.equal(added.body.faults.length, 1);
    assert.equal((await http(customers, { headers: bcHeaders })).status, 502);
    assert.equal(
      (await http(`${customers}?$top=1`, { headers: bcHeaders })).status,
      502,
      'the glob matches the path only',
    );
    const listed = await http<{ faults: unknown[] }>(adminUrl(bc, 'faults'));
    assert.equal(listed.body.faults.length, 1);
    assert.equal((await http(adminUrl(bc, 'faults'), { method: 'DELETE' })).status, 204);
    assert.equal((await http(customers, { headers: bcHeaders })).status, 200);

    const invalid = await http<{ error: string }>(adminUrl(bc, 'faults'), {
      method: 'POST',
      body: { kind: 'status', status: 200 },
    });
    assert.equal(invalid.status, 400);
    assert.match(invalid.body.error, /"status" must be an HTTP error status/);
  });
});
