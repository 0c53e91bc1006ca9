import assert from 'node:assert/strict';
import {
  GovernorRegistry,
  RateGovernor,
  createHttpClient,
  oauth2ClientCredentials,
  rateLimitsFor,
  type HttpClient,
  type RateLimits,
} from '../../nodes/drivers/http';
import { CANARY, delay, sendJson, startServer, tokenEndpoint, type TestServer } from './support';

describe('http rate governor', () => {
  describe('RateGovernor', () => {
    it('grants slots in FIFO order within the concurrency cap', async () => {
      const governor = new RateGovernor({ maxConcurrent: 1 });
      const order: number[] = [];
      const first = await governor.acquire();
      const waiting = [1, 2, 3].map((n) => governor.acquire().then((release) => (order.push(n), release)));
      assert.deepEqual(governor.stats(), { inFlight: 1, queued: 3, sentInWindow: 0, pausedForMs: 0 });

      first();
      for (const pending of waiting) (await pending)();

      assert.deepEqual(order, [1, 2, 3]);
      assert.equal(governor.stats().inFlight, 0);
    });

    it('lets N requests start per sliding window and holds the rest until the oldest leave it', async () => {
      const governor = new RateGovernor({ maxRequests: 3, windowMs: 200 });
      const started = Date.now();
      const startedAfter: number[] = [];
      const all = Array.from({ length: 5 }, () =>
        governor.acquire().then((release) => {
          startedAfter.push(Date.now() - started);
          release();
        }),
      );
      await delay(20);
      assert.deepEqual(governor.stats(), { inFlight: 0, queued: 2, sentInWindow: 3, pausedForMs: 0 });

      await Promise.all(all);

      assert.ok(
        startedAfter.slice(0, 3).every((ms) => ms < 100),
        `first three at once: ${startedAfter.join()}`,
      );
      assert.ok(
        startedAfter.slice(3).every((ms) => ms >= 190),
        `the rest after the window: ${startedAfter.join()}`,
      );
    });

    it('holds new requests back while paused', async () => {
      const governor = new RateGovernor();
      governor.pause(100);
      const started = Date.now();
      (await governor.acquire())();
      assert.ok(Date.now() - started >= 90);
    });

    it('drops a queued request when its signal aborts', async () => {
      const governor = new RateGovernor({ maxConcurrent: 1 });
      const first = await governor.acquire();
      const controller = new AbortController();
      const abandoned = governor.acquire(controller.signal);
      controller.abort(new Error('node closed'));
      await assert.rejects(abandoned, /node closed/);
      assert.equal(governor.stats().queued, 0);
      first();
    });

    it('has presets for the documented limits, with overrides', () => {
      assert.deepEqual(rateLimitsFor('businessCentral'), { maxRequests: 6000, windowMs: 300_000, maxConcurrent: 5 });
      assert.deepEqual(rateLimitsFor('dataverse', { maxConcurrent: 10 }), {
        maxRequests: 6000,
        windowMs: 300_000,
        maxConcurrent: 10,
      });
      assert.deepEqual(rateLimitsFor('hubspot'), { maxRequests: 100, windowMs: 10_000 });
      assert.deepEqual(rateLimitsFor('hubspotProfessional'), { maxRequests: 190, windowMs: 10_000 });
      assert.deepEqual(rateLimitsFor('salesforce'), { maxConcurrent: 25 });
    });
  });

  describe('through clients', () => {
    let server: TestServer;
    let registry: GovernorRegistry;
    const clients: HttpClient[] = [];
    const arrivals: number[] = [];

    beforeEach(async () => {
      registry = new GovernorRegistry();
      arrivals.length = 0;
      const token = tokenEndpoint();
      server = await startServer((request, response) => {
        if (request.url.endsWith('/token')) return token.handle(request, response);
        arrivals.push(Date.now());
        if (request.url.includes('throttle')) {
          return sendJson(
            response,
            429,
            { error: { code: '0x80072322', message: 'Number of requests exceeded' } },
            {
              'Retry-After': '0.3',
            },
          );
        }
        setTimeout(() => sendJson(response, 200, { ok: true }), 40);
      });
    });

    afterEach(async () => {
      for (const client of clients.splice(0)) client.close();
      await server.close();
    });

    function client(clientId: string, rateLimits: RateLimits): HttpClient {
      const created = createHttpClient({
        system: 'crm',
        baseUrl: `${server.url}/api/data/v9.2`,
        auth: oauth2ClientCredentials({ tokenUrl: `${server.url}/token`, clientId, clientSecret: CANARY }),
        rateLimits,
        governors: registry,
        retry: { baseDelayMs: 5, maxAttempts: 2 },
      });
      clients.push(created);
      return created;
    }

    it('bounds the requests in flight', async () => {
      const api = client('app', { maxConcurrent: 3 });
      const pending = Array.from({ length: 12 }, () => api.get('accounts'));
      await delay(20);
      assert.deepEqual(api.stats().credential.inFlight, 3);
      assert.equal(api.stats().credential.queued + api.stats().client.queued > 0, true);
      await Promise.all(pending);
      assert.equal(server.maxActive, 3);
    });

    it('holds requests beyond the window until it has room, without failing them', async () => {
      const api = client('app', { maxRequests: 4, windowMs: 300 });
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 6 }, () => api.get('accounts')));
      assert.ok(answers.every((answer) => answer.status === 200));
      const offsets = arrivals.map((at) => at - started).sort((a, b) => a - b);
      assert.ok(
        offsets.slice(0, 4).every((ms) => ms < 200),
        offsets.join(),
      );
      assert.ok(
        offsets.slice(4).every((ms) => ms >= 290),
        offsets.join(),
      );
    });

    it('is shared by clients with the same credential, not by another credential', async () => {
      const first = client('app', { maxConcurrent: 2 });
      const sibling = client('app', { maxConcurrent: 2 });
      await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? first : sibling).get('accounts')));
      assert.equal(server.maxActive, 2);
      assert.equal(registry.keys().length, 1);

      const other = client('other-app', { maxConcurrent: 2 });
      await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? first : other).get('accounts')));
      assert.equal(server.maxActive, 4);
      assert.equal(registry.keys().length, 2);
    });

    it('keys the registry by a hash, never by a credential in clear', () => {
      client('app', {});
      const keys = registry.keys();
      assert.equal(keys.length, 1);
      assert.match(keys[0] ?? '', /^[0-9a-f]{64}$/);
      assert.ok(!keys.some((key) => key.includes(CANARY) || key.includes('app')));
    });

    it('pauses every client of the credential when one gets a 429', async () => {
      const throttled = client('app', {});
      const sibling = client('app', {});
      const throttledRequest = throttled.get('throttle').catch(() => undefined);
      await delay(60);
      const askedAt = Date.now();
      await sibling.get('accounts');
      const siblingArrival = arrivals.find((at) => at >= askedAt) ?? 0;
      assert.ok(siblingArrival - (arrivals[0] ?? 0) >= 280, 'the sibling waited for Retry-After');
      await throttledRequest;
    });
  });
});
