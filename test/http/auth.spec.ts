import assert from 'node:assert/strict';
import {
  GovernorRegistry,
  basicAuth,
  bearerAuth,
  createHttpClient,
  noAuth,
  oauth2ClientCredentials,
  type HttpClient,
  type HttpClientOptions,
  type HttpErrorDetails,
} from '../../nodes/drivers/http';
import {
  CANARY,
  assertNoSecret,
  delay,
  rejection,
  sendJson,
  startServer,
  tokenEndpoint,
  type TestServer,
} from './support';

describe('http auth', () => {
  let server: TestServer | undefined;
  let client: HttpClient | undefined;

  afterEach(async () => {
    client?.close();
    await server?.close();
    client = undefined;
    server = undefined;
  });

  function oauthClient(url: string, extra: Partial<HttpClientOptions> = {}, refreshSkewMs?: number): HttpClient {
    return createHttpClient({
      system: 'bc',
      baseUrl: `${url}/api`,
      auth: oauth2ClientCredentials({
        tokenUrl: `${url}/tenant/oauth2/v2.0/token`,
        clientId: 'app-1',
        clientSecret: CANARY,
        scope: 'https://api.businesscentral.dynamics.com/.default',
        refreshSkewMs,
      }),
      governors: new GovernorRegistry(),
      retry: { baseDelayMs: 5 },
      ...extra,
    });
  }

  describe('OAuth2 client credentials', () => {
    it('fetches the token once for 50 concurrent requests and reuses it', async () => {
      const token = tokenEndpoint();
      server = await startServer((request, response) => {
        if (request.url.endsWith('/token')) return token.handle(request, response);
        if (request.headers.authorization !== `Bearer ${token.lastToken}`) return sendJson(response, 401, {});
        sendJson(response, 200, { ok: true });
      });
      client = oauthClient(server.url);

      const answers = await Promise.all(Array.from({ length: 50 }, () => client!.get('customers')));
      await client.get('customers');

      assert.equal(token.calls, 1);
      assert.ok(answers.every((answer) => answer.status === 200));
      const form = new URLSearchParams(server.requests[0]?.body);
      assert.equal(form.get('client_id'), 'app-1');
      assert.equal(form.get('client_secret'), CANARY);
      assert.equal(form.get('scope'), 'https://api.businesscentral.dynamics.com/.default');
    });

    it('fetches a new token once the cached one is within the refresh skew of expiring', async () => {
      // expires_in 1 s with a 300 ms skew: reused for 700 ms.
      const token = tokenEndpoint({ expiresIn: 1 });
      server = await startServer((request, response) => {
        if (request.url.endsWith('/token')) return token.handle(request, response);
        sendJson(response, 200, { seen: request.headers.authorization });
      });
      client = oauthClient(server.url, {}, 300);

      await client.get('customers');
      await delay(350);
      await client.get('customers');
      assert.equal(token.calls, 1);
      await delay(450);
      const answer = await client.get<{ seen: string }>('customers');
      assert.equal(token.calls, 2);
      assert.equal(answer.data.seen, 'Bearer token-2');
    });

    it('on 401 drops the cached token and retries once with a new one, even for POST', async () => {
      const token = tokenEndpoint();
      server = await startServer((request, response) => {
        if (request.url.endsWith('/token')) return token.handle(request, response);
        // The first token has been revoked on the server side.
        if (request.headers.authorization === 'Bearer token-1') return sendJson(response, 401, {});
        sendJson(response, 201, { id: 'c1' });
      });
      client = oauthClient(server.url);

      const answers = await Promise.all(Array.from({ length: 50 }, () => client!.post('customers', { number: '1' })));

      assert.ok(answers.every((answer) => answer.status === 201));
      assert.equal(token.calls, 2, 'one refresh for all 50 rejected requests');
    });

    it('gives up with AUTH when the new token is rejected too', async () => {
      const token = tokenEndpoint();
      server = await startServer((request, response) => {
        if (request.url.endsWith('/token')) return token.handle(request, response);
        sendJson(response, 401, {
          error: {
            code: 'Authentication_InvalidCredentials',
            message: 'The server has rejected the client credentials.',
          },
        });
      });
      client = oauthClient(server.url);

      const error = await rejection(client.get('customers'));

      assert.equal(error.code, 'AUTH');
      assert.equal(error.status, 401);
      assert.equal(error.retryable, false);
      assert.match(error.message, /rejected the client credentials/);
      assert.equal(token.calls, 2);
      assert.equal(server.requests.filter((request) => request.url.startsWith('/api/')).length, 2);
    });

    it('turns a token endpoint failure into AUTH with the OAuth error, never the secret', async () => {
      server = await startServer((request, response) => {
        if (!request.url.endsWith('/token')) return sendJson(response, 200, {});
        sendJson(response, 401, {
          error: 'invalid_client',
          error_description: `AADSTS7000215: Invalid client secret provided. Request body was: ${request.body}`,
          correlation_id: 'corr-1',
        });
      });
      client = oauthClient(server.url);

      const error = await rejection(client.get('customers'));

      assert.equal(error.code, 'AUTH');
      assert.equal(error.status, 401);
      assert.equal(error.retryable, false);
      assert.match(
        error.message,
        /^bc: token request to http:\/\/127\.0\.0\.1:\d+\/tenant\/oauth2\/v2\.0\/token failed/,
      );
      assert.match(error.message, /invalid_client: AADSTS7000215: Invalid client secret provided/);
      const details = error.details as HttpErrorDetails;
      assert.equal(details.systemCode, 'invalid_client');
      assert.equal(details.correlationId, 'corr-1');
      assert.match(details.systemMessage ?? '', /client_secret=\[REDACTED\]/);
      assertNoSecret(error);
      assert.equal(server.requests.length, 1, 'the API was never called');
    });

    it('retries a POST whose token request failed transiently, since the POST was never sent', async () => {
      const token = tokenEndpoint();
      let tokenRequests = 0;
      server = await startServer((request, response) => {
        if (request.url.endsWith('/token')) {
          tokenRequests += 1;
          if (tokenRequests === 1)
            return sendJson(response, 503, { error: 'temporarily_unavailable' }, { 'Retry-After': '0' });
          return token.handle(request, response);
        }
        sendJson(response, 201, { id: 'o1' });
      });
      client = oauthClient(server.url);

      const answer = await client.post('salesOrders', { externalDocumentNumber: 'EXT-1' });

      assert.equal(answer.status, 201);
      assert.equal(tokenRequests, 2);
      assert.equal(server.requests.filter((request) => request.url === '/api/salesOrders').length, 1);
    });
  });

  describe('static credentials', () => {
    async function authorizationSeen(options: Pick<HttpClientOptions, 'auth'>): Promise<string | undefined> {
      server = await startServer((request, response) =>
        sendJson(response, 200, { seen: request.headers.authorization }),
      );
      client = createHttpClient({ system: 'crm', baseUrl: server.url, governors: new GovernorRegistry(), ...options });
      const answer = await client.get<{ seen?: string }>('/whoami');
      return answer.data.seen;
    }

    it('sends a static bearer token', async () => {
      assert.equal(await authorizationSeen({ auth: bearerAuth('pat-123') }), 'Bearer pat-123');
    });

    it('sends basic credentials', async () => {
      const expected = `Basic ${Buffer.from('nav-user:pa:ss', 'utf8').toString('base64')}`;
      assert.equal(await authorizationSeen({ auth: basicAuth('nav-user', 'pa:ss') }), expected);
    });

    it('sends no Authorization header without authentication', async () => {
      assert.equal(await authorizationSeen({ auth: noAuth() }), undefined);
    });

    it('does not retry a 401 for a static token', async () => {
      server = await startServer((_request, response) =>
        sendJson(response, 401, { message: 'Authentication credentials not found.' }),
      );
      client = createHttpClient({
        system: 'hubspot',
        baseUrl: server.url,
        auth: bearerAuth(CANARY),
        governors: new GovernorRegistry(),
      });

      const error = await rejection(client.get('/crm/v3/objects/companies'));

      assert.equal(error.code, 'AUTH');
      assert.equal(server.requests.length, 1);
      assertNoSecret(error);
    });
  });
});
