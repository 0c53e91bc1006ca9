/** Loopback servers, a self-signed certificate made with node:crypto, and secret-leak checks for the HTTP tests. */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { SyncError } from '../../nodes/lib/errors';

export const CANARY = 'CANARY-s3cr3t-4711';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (request: RecordedRequest, response: http.ServerResponse) => void | Promise<void>;

export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  /** Requests being handled right now, and the most at any moment. */
  active: number;
  maxActive: number;
  close(): Promise<void>;
}

export async function startServer(handler: Handler, tls?: { key: string; cert: string }): Promise<TestServer> {
  const state: TestServer = { url: '', requests: [], active: 0, maxActive: 0, close: () => Promise.resolve() };
  const listener: http.RequestListener = (incoming, response) => {
    state.active += 1;
    state.maxActive = Math.max(state.maxActive, state.active);
    response.on('close', () => (state.active -= 1));
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request = {
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      state.requests.push(request);
      Promise.resolve(handler(request, response)).catch((error: unknown) => {
        response.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  };
  const server = tls === undefined ? http.createServer(listener) : https.createServer(tls, listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

export function sendJson(
  response: http.ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers });
  response.end(payload);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Answers client-credentials token requests with `token-1`, `token-2`, … and counts them. */
export function tokenEndpoint(options: { expiresIn?: number } = {}) {
  const endpoint = {
    calls: 0,
    lastToken: '',
    handle(request: RecordedRequest, response: http.ServerResponse): void {
      endpoint.calls += 1;
      assert.equal(new URLSearchParams(request.body).get('grant_type'), 'client_credentials');
      endpoint.lastToken = `token-${endpoint.calls}`;
      const body = { token_type: 'Bearer', expires_in: options.expiresIn ?? 3599, access_token: endpoint.lastToken };
      // A short delay gives concurrent requests the chance to pile up behind one token request.
      setTimeout(() => sendJson(response, 200, body), 20);
    },
  };
  return endpoint;
}

/** Asserts that a secret appears nowhere in an error, however it is printed or serialised. */
export function assertNoSecret(error: unknown, secret: string = CANARY): void {
  assert.ok(error instanceof SyncError, `expected a SyncError, got ${inspect(error)}`);
  const renderings = [
    error.message,
    error.stack ?? '',
    String(error),
    JSON.stringify(error),
    JSON.stringify(error.toInfo()),
    inspect(error, { depth: Infinity, showHidden: true }),
  ];
  for (const rendering of renderings) assert.ok(!rendering.includes(secret), `secret leaked in: ${rendering}`);
}

export async function rejection(promise: Promise<unknown>): Promise<SyncError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SyncError, `expected a SyncError, got ${inspect(error)}`);
    return error;
  }
  assert.fail('expected the promise to reject');
}

// --- A self-signed certificate for 127.0.0.1, DER-encoded by hand (node:crypto can sign but not build X.509). ---

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) groups.unshift((value & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return der(0x17, Buffer.from(text, 'ascii'));
}

function commonName(name: string): Buffer {
  return der(0x30, der(0x31, der(0x30, oid('2.5.4.3'), der(0x0c, Buffer.from(name, 'utf8')))));
}

export interface SelfSignedCertificate {
  key: string;
  cert: string;
}

export function selfSignedCertificate(): SelfSignedCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ecdsaWithSha256 = der(0x30, oid('1.2.840.10045.4.3.2'));
  const now = Date.now();
  const subjectAltName = der(
    0x30,
    der(0x82, Buffer.from('localhost', 'ascii')),
    der(0x87, Buffer.from([127, 0, 0, 1])),
  );
  const extensions = der(
    0xa3,
    der(
      0x30,
      der(0x30, oid('2.5.29.17'), der(0x04, subjectAltName)),
      // basicConstraints CA:TRUE, so the certificate can also be given as its own trusted CA
      der(0x30, oid('2.5.29.19'), der(0x04, der(0x30, der(0x01, Buffer.from([0xff]))))),
    ),
  );
  const serial = randomBytes(8);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const tbsCertificate = der(
    0x30,
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    ecdsaWithSha256,
    commonName('crmerp test'),
    der(0x30, utcTime(new Date(now - 60_000)), utcTime(new Date(now + 86_400_000))),
    commonName('crmerp test'),
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const signature = sign('sha256', tbsCertificate, privateKey);
  const certificate = der(0x30, tbsCertificate, ecdsaWithSha256, der(0x03, Buffer.from([0]), signature));
  const base64 = certificate.toString('base64').replace(/(.{64})/g, '$1\n');
  const cert = `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`.replace('\n\n', '\n');
  assert.ok(new X509Certificate(cert).verify(publicKey), 'the generated certificate does not verify');
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert };
}
