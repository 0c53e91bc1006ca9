import assert from 'node:assert/strict';
import {
  GovernorRegistry,
  REDACTED,
  SecretRedactor,
  basicAuth,
  bearerAuth,
  createHttpClient,
  oauth2ClientCredentials,
  type AuthProvider,
  type HttpClient,
} from '../../nodes/drivers/http';
import type { SyncError } from '../../nodes/lib/errors';
import { CANARY, assertNoSecret, rejection, sendJson, startServer, type TestServer } from './support';

const ACCESS_TOKEN = 'ACCESS-TOKEN-CANARY-9931';

describe('http secret redaction', () => {
  describe('SecretRedactor', () => {
    const redactor = new SecretRedactor().add(CANARY, 'pw', undefined);

    it('masks known secrets in the forms they travel in', () => {
      assert.equal(redactor.redactText(`secret ${CANARY}!`), `secret ${REDACTED}!`);
      const special = new SecretRedactor().add('p@ss/+ word');
      assert.equal(special.redactText(`x=${encodeURIComponent('p@ss/+ word')}`), `x=${REDACTED}`);
      assert.equal(special.redactText(new URLSearchParams({ x: 'p@ss/+ word' }).toString()), `x=${REDACTED}`);
      const quoted = new SecretRedactor().add('a"b\\c-secret');
      assert.equal(quoted.redactText(JSON.stringify({ note: 'a"b\\c-secret' })), `{"note":"${REDACTED}"}`);
    });

    it('masks credential-shaped text it has never seen', () => {
      assert.equal(redactor.redactText('Authorization: Basic dXNlcjpwdw=='), `Authorization: ${REDACTED}`);
      assert.equal(redactor.redactText('{"authorization":"Bearer abc"}'), `{"authorization":"${REDACTED}"}`);
      assert.equal(redactor.redactText('got Bearer eyJhbGciOi.x.y here'), `got Bearer ${REDACTED} here`);
      assert.equal(
        redactor.redactText('grant_type=client_credentials&client_secret=s3&scope=x'),
        `grant_type=client_credentials&client_secret=${REDACTED}&scope=x`,
      );
      assert.equal(
        redactor.redactText('{"access_token": "t0k\\"en", "n": 1}'),
        `{"access_token": "${REDACTED}", "n": 1}`,
      );
      assert.equal(
        redactor.redactText('Authorization_InsufficientPermissions'),
        'Authorization_InsufficientPermissions',
      );
    });

    it('leaves short secrets alone in free text but masks them by field name', () => {
      assert.equal(redactor.redactText('pw is a word'), 'pw is a word');
      assert.deepEqual(redactor.redact({ password: 'pw', user: 'u' }), { password: REDACTED, user: 'u' });
    });

    it('keeps only the latest rotating secrets, such as refreshed access tokens', () => {
      const rotating = new SecretRedactor();
      for (let n = 1; n <= 10; n += 1) rotating.addRotating(`token-number-${n}`);
      assert.equal(rotating.redactText('token-number-2 token-number-3'), `token-number-2 ${REDACTED}`);
    });

    it('makes redacted deep copies of objects, arrays, errors, buffers and cycles', () => {
      const cyclic: Record<string, unknown> = { name: 'loop' };
      cyclic['self'] = cyclic;
      const error = Object.assign(new Error(`failed with ${CANARY}`), { code: 'E1' });
      const input = {
        headers: { Authorization: 'Bearer zzz', 'Content-Type': 'application/json' },
        list: [{ client_secret: 'x' }, `text ${CANARY}`],
        error,
        body: Buffer.from('binary'),
        cyclic,
      };

      assert.deepEqual(redactor.redact(input), {
        headers: { Authorization: REDACTED, 'Content-Type': 'application/json' },
        list: [{ client_secret: REDACTED }, `text ${REDACTED}`],
        error: { name: 'Error', message: `failed with ${REDACTED}`, code: 'E1' },
        body: '[6 bytes]',
        cyclic: { name: 'loop', self: '[…]' },
      });
      assert.equal(input.headers.Authorization, 'Bearer zzz', 'the input is not modified');
    });
  });

  describe('nothing secret leaves the client', () => {
    let server: TestServer;
    let logs: string[];
    const clients: HttpClient[] = [];

    before(async () => {
      server = await startServer((request, response) => {
        const path = request.url.split('?')[0] ?? '';
        const echo = `${JSON.stringify(request.headers)} ${request.body}`;
        if (path === '/token') {
          return sendJson(response, 200, { token_type: 'Bearer', expires_in: 3599, access_token: ACCESS_TOKEN });
        }
        if (path === '/bad-token') {
          return sendJson(response, 400, { error: 'invalid_request', error_description: `Bad request: ${echo}` });
        }
        if (path.endsWith('/echo-400')) {
          return sendJson(response, 400, { error: { code: 'BadRequest', message: `Rejected: ${echo}` } });
        }
        if (path.endsWith('/echo-503')) {
          response.writeHead(503, { 'Content-Type': 'text/plain', 'Retry-After': '0' });
          response.end(`Overloaded while serving Authorization: ${request.headers.authorization ?? ''}`);
          return;
        }
        if (path.endsWith('/echo-429')) {
          return sendJson(response, 429, {
            status: 'error',
            message: `Limit for ${request.headers.authorization ?? ''}`,
          });
        }
        if (path.endsWith('/reset')) response.destroy();
        else if (!path.endsWith('/hang')) sendJson(response, 200, {});
      });
    });

    beforeEach(() => {
      logs = [];
    });

    afterEach(() => {
      for (const client of clients.splice(0)) client.close();
      const leaked = logs.filter((line) => line.includes(CANARY) || line.includes(ACCESS_TOKEN));
      assert.deepEqual(leaked, [], 'log lines with a secret');
    });

    after(() => server.close());

    function clientWith(auth: AuthProvider): HttpClient {
      const client = createHttpClient({
        system: 'bc',
        baseUrl: `${server.url}/api`,
        auth,
        governors: new GovernorRegistry(),
        retry: { maxAttempts: 2, baseDelayMs: 5 },
        timeoutMs: 150,
        log: (level, message) => logs.push(`${level} ${message}`),
      });
      clients.push(client);
      return client;
    }

    const oauth = (tokenPath = '/token'): AuthProvider =>
      oauth2ClientCredentials({ tokenUrl: `${server.url}${tokenPath}`, clientId: 'app', clientSecret: CANARY });

    function assertClean(error: SyncError): void {
      assertNoSecret(error, CANARY);
      assertNoSecret(error, ACCESS_TOKEN);
    }

    it('from a token endpoint that echoes the request', async () => {
      const error = await rejection(clientWith(oauth('/bad-token')).get('customers'));
      assert.equal(error.code, 'AUTH');
      assertClean(error);
    });

    it('from API errors that echo the Authorization header and body', async () => {
      const api = clientWith(oauth());
      const rejected = await rejection(api.post('echo-400', { note: `body with ${CANARY}` }));
      assert.match(JSON.stringify(rejected.details), /\[REDACTED\]/);
      assertClean(rejected);
      assertClean(await rejection(api.get('echo-503')));
      assert.ok(logs.some((line) => line.startsWith('warn bc: GET /api/echo-503 failed (HTTP 503)')));
    });

    it('from resets and timeouts', async () => {
      const api = clientWith(oauth());
      assertClean(await rejection(api.post('reset', { secret: CANARY })));
      assertClean(await rejection(api.get('hang')));
    });

    it('for basic and bearer credentials', async () => {
      const basicError = await rejection(clientWith(basicAuth('nav', CANARY)).post('echo-400', {}));
      assertNoSecret(basicError, Buffer.from(`nav:${CANARY}`).toString('base64'));
      assertClean(basicError);
      assertClean(await rejection(clientWith(bearerAuth(CANARY)).get('echo-429')));
    });

    it('from a query string that carries a secret', async () => {
      const error = await rejection(clientWith(oauth()).get(`echo-400?sig=${CANARY}`));
      assert.equal((error.details as { path: string }).path, '/api/echo-400');
      assertClean(error);
    });
  });
});
