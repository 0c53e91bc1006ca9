import assert from 'node:assert/strict';
import type http from 'node:http';
import {
  DEFAULT_RETRY_OPTIONS,
  GovernorRegistry,
  createHttpClient,
  isIdempotentRequest,
  parseRetryAfter,
  type HttpClient,
  type HttpClientOptions,
  type HttpErrorDetails,
  type RetryEvent,
} from '../../nodes/drivers/http';
import { backoffDelay } from '../../nodes/drivers/http/retry';
import { rejection, sendJson, startServer, type RecordedRequest, type TestServer } from './support';

/** Answers the n-th request (1-based) with the n-th behaviour; the last one repeats. */
function scripted(...steps: Array<(request: RecordedRequest, response: http.ServerResponse) => void>) {
  let count = 0;
  return (request: RecordedRequest, response: http.ServerResponse): void => {
    count += 1;
    const step = steps[Math.min(count, steps.length) - 1];
    step?.(request, response);
  };
}

const reset = (_request: RecordedRequest, response: http.ServerResponse): void => {
  response.destroy();
};
const hang = (): void => undefined;
const ok = (_request: RecordedRequest, response: http.ServerResponse): void => sendJson(response, 200, { ok: true });
const status =
  (code: number, headers: Record<string, string> = {}, body: unknown = { error: { code: 'X', message: 'busy' } }) =>
  (_request: RecordedRequest, response: http.ServerResponse): void =>
    sendJson(response, code, body, headers);

describe('http retries', () => {
  let server: TestServer | undefined;
  let client: HttpClient | undefined;
  let events: RetryEvent[];
  let logs: string[];

  beforeEach(() => {
    events = [];
    logs = [];
  });

  afterEach(async () => {
    client?.close();
    await server?.close();
    client = undefined;
    server = undefined;
  });

  async function setUp(
    handler: (request: RecordedRequest, response: http.ServerResponse) => void,
    options: Partial<HttpClientOptions> = {},
  ): Promise<HttpClient> {
    server = await startServer(handler);
    client = createHttpClient({
      system: 'bc',
      baseUrl: `${server.url}/api/v2.0`,
      governors: new GovernorRegistry(),
      retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50 },
      timeoutMs: 2_000,
      onRetry: (event) => events.push(event),
      log: (level, message) => logs.push(`${level} ${message}`),
      ...options,
    });
    return client;
  }

  describe('policy', () => {
    it('reads Retry-After as seconds (fractions too) or as an HTTP date', () => {
      const now = Date.parse('2025-01-15T10:00:00Z');
      assert.equal(parseRetryAfter('2', now), 2000);
      assert.equal(parseRetryAfter('0.25', now), 250);
      assert.equal(parseRetryAfter('Wed, 15 Jan 2025 10:00:03 GMT', now), 3000);
      assert.equal(parseRetryAfter('Wed, 15 Jan 2025 09:59:00 GMT', now), 0);
      assert.equal(parseRetryAfter('soon', now), undefined);
      assert.equal(parseRetryAfter(undefined, now), undefined);
    });

    it('backs off exponentially with full jitter, capped by maxDelayMs', () => {
      const options = { ...DEFAULT_RETRY_OPTIONS, baseDelayMs: 100, maxDelayMs: 1000 };
      assert.deepEqual(
        [1, 2, 3, 4, 5].map((retry) => backoffDelay(retry, options, () => 1)),
        [100, 200, 400, 800, 1000],
      );
      assert.equal(
        backoffDelay(3, options, () => 0),
        0,
      );
      assert.equal(
        backoffDelay(3, options, () => 0.5),
        200,
      );
    });

    it('treats only requests that cannot duplicate anything as idempotent', () => {
      const cases: Array<[string, Record<string, string>, string, boolean]> = [
        ['GET', {}, '/customers', true],
        ['PUT', {}, '/customers(1)', true],
        ['DELETE', {}, '/customers(1)', true],
        ['POST', {}, '/salesOrders', false],
        ['POST', { 'If-Match': '*' }, '/salesOrders', false],
        ['PATCH', { 'if-match': 'W/"1"' }, '/customers', true],
        ['PATCH', {}, "/accounts(accountnumber='C1')", true],
        ['PATCH', {}, '/services/data/v61.0/sobjects/Account/ERP_Id__c/12345', true],
        ['PATCH', {}, '/crm/v3/objects/companies/batch/update', false],
      ];
      for (const [method, headers, path, expected] of cases) {
        assert.equal(isIdempotentRequest(method, headers, path), expected, `${method} ${path}`);
      }
    });
  });

  describe('retried failures', () => {
    it('waits for Retry-After on 429 and then succeeds', async () => {
      const api = await setUp(scripted(status(429, { 'Retry-After': '0.2' }), ok));
      const started = Date.now();

      const answer = await api.get('customers');

      assert.equal(answer.status, 200);
      assert.ok(Date.now() - started >= 190, 'waited for Retry-After');
      assert.deepEqual(
        events.map((event) => [event.attempt, event.reason, event.delayMs, event.code]),
        [[1, 'HTTP 429', 200, 'RATE_LIMIT']],
      );
      assert.match(
        logs.join('\n'),
        /warn bc: GET \/api\/v2\.0\/customers failed \(HTTP 429\); attempt 2 of 4 in 200 ms/,
      );
    });

    for (const code of [502, 503, 504]) {
      it(`retries a GET after ${code}`, async () => {
        const api = await setUp(scripted(status(code), status(code), ok));
        const answer = await api.get('customers');
        assert.equal(answer.status, 200);
        assert.equal(server?.requests.length, 3);
        assert.deepEqual(
          events.map((event) => event.reason),
          [`HTTP ${code}`, `HTTP ${code}`],
        );
      });
    }

    it('retries a GET after the server resets the connection', async () => {
      const api = await setUp(scripted(reset, ok));
      const answer = await api.get('customers');
      assert.equal(answer.status, 200);
      assert.equal(events[0]?.reason, 'ECONNRESET');
    });

    it('retries a GET that timed out', async () => {
      const api = await setUp(scripted(hang, ok), { timeoutMs: 150 });
      const answer = await api.get('customers');
      assert.equal(answer.status, 200);
      assert.equal(events[0]?.code, 'TRANSIENT');
      assert.match(events[0]?.reason ?? '', /^(ECONNABORTED|ETIMEDOUT)$/);
    });

    it("waits for HubSpot's rate-limit interval on a 429 without Retry-After", async () => {
      const hubspot429 = status(
        429,
        { 'X-HubSpot-RateLimit-Interval-Milliseconds': '150', 'X-HubSpot-RateLimit-Remaining': '0' },
        { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT' },
      );
      const api = await setUp(scripted(hubspot429, ok));
      const started = Date.now();
      await api.get('crm/v3/objects/companies');
      assert.ok(Date.now() - started >= 140);
      assert.equal(events[0]?.delayMs, 150);
    });
  });

  describe('budget', () => {
    it('gives up after maxAttempts on 429 with RATE_LIMIT, still retryable', async () => {
      const api = await setUp(status(429, { 'Retry-After': '0.01' }));
      const error = await rejection(api.get('customers'));
      assert.equal(error.code, 'RATE_LIMIT');
      assert.equal(error.status, 429);
      assert.equal(error.retryable, true);
      assert.equal((error.details as HttpErrorDetails).attempts, 4);
      assert.match(error.message, /gave up after 4 attempts/);
      assert.equal(server?.requests.length, 4);
    });

    it('gives up after maxAttempts on 503 and on resets with TRANSIENT, still retryable', async () => {
      const unavailable = await rejection((await setUp(status(503))).get('customers'));
      assert.deepEqual([unavailable.code, unavailable.status, unavailable.retryable], ['TRANSIENT', 503, true]);
      client?.close();
      await server?.close();

      const resetError = await rejection((await setUp(reset)).get('customers'));
      assert.deepEqual([resetError.code, resetError.retryable], ['TRANSIENT', true]);
      assert.equal((resetError.details as HttpErrorDetails).networkCode, 'ECONNRESET');
      assert.equal(server?.requests.length, 4);
    });

    it('gives up at once when Retry-After would end past the deadline', async () => {
      const api = await setUp(status(429, { 'Retry-After': '5' }), { retry: { deadlineMs: 1000 } });
      const started = Date.now();
      const error = await rejection(api.get('customers'));
      assert.ok(Date.now() - started < 500);
      assert.equal(error.code, 'RATE_LIMIT');
      assert.equal(error.retryable, true);
      assert.equal((error.details as HttpErrorDetails).retryAfterMs, 5000);
      assert.equal(server?.requests.length, 1);
    });
  });

  describe('non-idempotent requests', () => {
    const posts = (): number => server?.requests.filter((request) => request.method === 'POST').length ?? 0;

    it('does not send a POST again after a reset: the outcome is unknown', async () => {
      const api = await setUp(scripted(reset, ok));
      const error = await rejection(api.post('salesOrders', { externalDocumentNumber: 'EXT-1' }));
      assert.equal(error.code, 'TRANSIENT');
      assert.equal(error.retryable, false);
      assert.equal((error.details as HttpErrorDetails).outcomeUnknown, true);
      assert.match(error.message, /may have been processed/);
      assert.equal(posts(), 1);
    });

    it('does not send a POST again after a timeout or a 502', async () => {
      const timedOut = await rejection((await setUp(scripted(hang, ok), { timeoutMs: 100 })).post('salesOrders', {}));
      assert.equal(timedOut.retryable, false);
      assert.equal(posts(), 1);
      client?.close();
      await server?.close();

      const badGateway = await rejection((await setUp(scripted(status(502), ok))).post('salesOrders', {}));
      assert.deepEqual([badGateway.status, badGateway.retryable], [502, false]);
      assert.equal(posts(), 1);
    });

    it('retries a POST on 429 and 503, which the server did not process', async () => {
      const api = await setUp(scripted(status(429, { 'Retry-After': '0' }), status(503), ok));
      const answer = await api.post('salesOrders', { externalDocumentNumber: 'EXT-1' });
      assert.equal(answer.status, 200);
      assert.equal(posts(), 3);
    });

    it('retries a POST after a reset when the caller marks it idempotent', async () => {
      const api = await setUp(scripted(reset, ok));
      const answer = await api.post('$batch', { requests: [] }, { idempotent: true });
      assert.equal(answer.status, 200);
      assert.equal(posts(), 2);
    });

    it('retries a PATCH with If-Match, or to an alternate key, after a reset', async () => {
      const api = await setUp(scripted(reset, ok, reset, ok));
      await api.patch('customers(5d11)', { displayName: 'X' }, { headers: { 'If-Match': 'W/"1"' } });
      await api.patch("accounts(accountnumber='C1')", { name: 'Adatum' });
      assert.equal(server?.requests.length, 4);
    });

    it('asks beforeRetry, which can return the record that the lost POST created', async () => {
      const handler = (request: RecordedRequest, response: http.ServerResponse): void => {
        if (request.method === 'POST') return reset(request, response);
        sendJson(response, 200, { value: [{ id: 'so-1', externalDocumentNumber: 'EXT-1' }] });
      };
      const api = await setUp(handler);
      const lookups: number[] = [];

      const answer = await api.post<{ id: string }>(
        'salesOrders',
        { externalDocumentNumber: 'EXT-1' },
        {
          beforeRetry: async ({ attempt, error }) => {
            lookups.push(attempt);
            assert.equal(error.code, 'TRANSIENT');
            const found = await api.get<{ value: Array<{ id: string }> }>('salesOrders', {
              query: { $filter: "externalDocumentNumber eq 'EXT-1'" },
            });
            const existing = found.data.value[0];
            return existing === undefined
              ? 'retry'
              : { response: { status: 200, headers: found.headers, data: existing } };
          },
        },
      );

      assert.equal(answer.data.id, 'so-1');
      assert.deepEqual(lookups, [1]);
      assert.equal(posts(), 1);
      assert.equal(server?.requests[1]?.url, '/api/v2.0/salesOrders?$filter=externalDocumentNumber%20eq%20%27EXT-1%27');
    });

    it('sends the POST again when beforeRetry says retry, and gives up when it says fail', async () => {
      const api = await setUp(scripted(reset, ok, reset));
      const answer = await api.post('salesOrders', {}, { beforeRetry: () => 'retry' });
      assert.equal(answer.status, 200);
      assert.equal(posts(), 2);

      const error = await rejection(api.post('salesOrders', {}, { beforeRetry: () => 'fail' }));
      assert.equal((error.details as HttpErrorDetails).outcomeUnknown, true);
      assert.equal(posts(), 3);
    });
  });

  it('does not retry errors a retry cannot cure', async () => {
    const api = await setUp(status(400, {}, { error: { code: 'BadRequest', message: 'bad' } }));
    const error = await rejection(api.get('customers'));
    assert.equal(error.code, 'VALIDATION');
    assert.equal(server?.requests.length, 1);
    assert.deepEqual(events, []);
  });
});
