import assert from 'node:assert/strict';
import { GovernorRegistry, createHttpClient, type HttpClient, type TlsOptions } from '../../nodes/drivers/http';
import {
  rejection,
  selfSignedCertificate,
  sendJson,
  startServer,
  type SelfSignedCertificate,
  type TestServer,
} from './support';

describe('http TLS verification', () => {
  let certificate: SelfSignedCertificate | undefined;
  let server: TestServer | undefined;
  let client: HttpClient | undefined;
  let logs: string[];

  before(async function () {
    let generated: SelfSignedCertificate;
    try {
      generated = selfSignedCertificate();
    } catch (error) {
      // Without a certificate there is no HTTPS peer to test against.
      console.warn(`skipping TLS tests: could not create a self-signed certificate with node:crypto: ${String(error)}`);
      this.skip();
    }
    certificate = generated;
    server = await startServer((_request, response) => sendJson(response, 200, { secure: true }), generated);
  });

  beforeEach(() => {
    logs = [];
  });

  afterEach(() => client?.close());

  after(() => server?.close());

  function httpsClient(tls?: TlsOptions): HttpClient {
    client = createHttpClient({
      system: 'bc-onprem',
      baseUrl: `${server?.url}/BC/api/v2.0`,
      governors: new GovernorRegistry(),
      log: (level, message) => logs.push(`${level} ${message}`),
      ...(tls === undefined ? {} : { tls }),
    });
    return client;
  }

  it('rejects a self-signed certificate by default with a clear CONFIG error', async () => {
    const before = server?.requests.length;
    const error = await rejection(httpsClient().get('companies'));
    assert.equal(error.code, 'CONFIG');
    assert.equal(error.retryable, false);
    assert.match(
      error.message,
      /^bc-onprem: GET \/BC\/api\/v2\.0\/companies failed: the TLS certificate of https:\/\/127\.0\.0\.1:\d+ could not be verified/,
    );
    assert.match(error.message, /DEPTH_ZERO_SELF_SIGNED_CERT|self[- ]signed/);
    assert.match(error.message, /tls\.ca/);
    assert.equal(server?.requests.length, before, 'no request reached the server');
  });

  it('accepts it when verification is turned off, and warns', async () => {
    const answer = await httpsClient({ rejectUnauthorized: false }).get<{ secure: boolean }>('companies');
    assert.deepEqual(answer.data, { secure: true });
    assert.match(logs.join('\n'), /warn bc-onprem: TLS certificate verification is off/);
  });

  it('accepts it with verification on when its CA is trusted', async () => {
    const answer = await httpsClient({ ca: certificate?.cert }).get<{ secure: boolean }>('companies');
    assert.equal(answer.status, 200);
    assert.deepEqual(logs, []);
  });
});
