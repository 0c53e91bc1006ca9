import assert from 'node:assert/strict';
import { GovernorRegistry, createHttpClient, type HttpClient, type HttpClientOptions } from '../../nodes/drivers/http';
import { delay, rejection, sendJson, startServer, type Handler, type TestServer } from './support';

describe('http client', () => {
  let server: TestServer | undefined;
  let client: HttpClient | undefined;

  afterEach(async () => {
    client?.close();
    await server?.close();
    client = undefined;
    server = undefined;
  });

  async function setUp(handler: Handler, options: Partial<HttpClientOptions> = {}): Promise<HttpClient> {
    server = await startServer(handler);
    client = createHttpClient({
      system: 'bc',
      baseUrl: `${server.url}/v2.0/prod/api/v2.0/`,
      headers: { 'Data-Access-Intent': 'ReadOnly' },
      governors: new GovernorRegistry(),
      ...options,
    });
    return client;
  }

  it('follows absolute @odata.nextLink URLs page by page', async () => {
    const api = await setUp((request, response) => {
      const nextLink = `${server?.url}/v2.0/prod/api/v2.0/companies(c1)/customers?$skiptoken=abc`;
      if (request.url.includes('skiptoken')) return sendJson(response, 200, { value: [{ number: '3' }] });
      sendJson(response, 200, { value: [{ number: '1' }, { number: '2' }], '@odata.nextLink': nextLink });
    });

    const pages: Array<Array<{ number: string }>> = [];
    for await (const page of api.pages<{ number: string }>('companies(c1)/customers', {
      query: { $filter: "blocked eq ' '", $top: undefined },
      headers: { Prefer: 'odata.maxpagesize=2' },
    })) {
      pages.push(page);
    }

    assert.deepEqual(pages, [[{ number: '1' }, { number: '2' }], [{ number: '3' }]]);
    const [first, second] = server?.requests ?? [];
    assert.equal(first?.url, '/v2.0/prod/api/v2.0/companies(c1)/customers?$filter=blocked%20eq%20%27%20%27');
    assert.equal(second?.url, '/v2.0/prod/api/v2.0/companies(c1)/customers?$skiptoken=abc');
    assert.equal(second?.headers['prefer'], 'odata.maxpagesize=2');
  });

  it('sends JSON, returns status, lower-case headers and data, and lets request headers win', async () => {
    const api = await setUp((request, response) =>
      sendJson(
        response,
        201,
        { id: 'k1', received: JSON.parse(request.body) as unknown, headers: request.headers },
        { ETag: 'W/"1"' },
      ),
    );

    const answer = await api.post<{ id: string; received: unknown; headers: Record<string, string> }>(
      'companies(c1)/customers',
      { displayName: 'Adatum' },
      { headers: { 'data-access-intent': 'ReadWrite' } },
    );

    assert.equal(answer.status, 201);
    assert.equal(answer.headers['etag'], 'W/"1"');
    assert.deepEqual(answer.data.received, { displayName: 'Adatum' });
    assert.equal(answer.data.headers['content-type'], 'application/json');
    assert.equal(answer.data.headers['accept'], 'application/json');
    assert.equal(answer.data.headers['data-access-intent'], 'ReadWrite');
  });

  it('sends If-Match on PATCH, and returns undefined data for 204', async () => {
    const api = await setUp((request, response) => {
      assert.equal(request.headers['if-match'], 'W/"JzQ0Oz"');
      response.writeHead(204).end();
    });
    const answer = await api.patch(
      'companies(c1)/customers(k1)',
      { phoneNumber: '1' },
      { headers: { 'If-Match': 'W/"JzQ0Oz"' } },
    );
    assert.deepEqual([answer.status, answer.data], [204, undefined]);
    assert.equal(
      (await api.delete('companies(c1)/customers(k1)', { headers: { 'If-Match': 'W/"JzQ0Oz"' } })).status,
      204,
    );
  });

  it('sends a raw multipart $batch body with its own Content-Type and returns the multipart answer as text', async () => {
    const boundary = 'batch_8f2c';
    const body = [
      `--${boundary}`,
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      'GET /api/data/v9.2/accounts?$top=1 HTTP/1.1',
      '',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const api = await setUp((request, response) => {
      response.writeHead(200, { 'Content-Type': 'multipart/mixed; boundary=batchresponse_1' });
      response.end(`echo:${request.headers['content-type']}:${request.body.length}`);
    });

    const answer = await api.post<string>('$batch', body, {
      contentType: `multipart/mixed; boundary="${boundary}"`,
      idempotent: false,
    });

    assert.equal(server?.requests[0]?.body, body);
    assert.equal(answer.data, `echo:multipart/mixed; boundary="${boundary}":${body.length}`);
  });

  it('returns buffers and text when asked', async () => {
    const api = await setUp((_request, response) => sendJson(response, 200, { a: 1 }));
    const buffer = await api.get<Buffer>('x', { responseType: 'buffer' });
    const text = await api.get<string>('x', { responseType: 'text' });
    assert.ok(Buffer.isBuffer(buffer.data));
    assert.equal(text.data, '{"a":1}');
  });

  it('reports a 2xx answer with invalid JSON as a TRANSIENT error that is not retried', async () => {
    const api = await setUp((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('{"value": [');
    });
    const error = await rejection(api.get('customers'));
    assert.deepEqual([error.code, error.retryable, error.status], ['TRANSIENT', false, 200]);
    assert.equal(server?.requests.length, 1);
  });

  it('caps its own concurrency and reports stats', async () => {
    const api = await setUp(
      (_request, response) => {
        setTimeout(() => sendJson(response, 200, {}), 40);
      },
      { maxConcurrency: 2 },
    );
    const pending = Array.from({ length: 6 }, () => api.get('customers'));
    await delay(15);
    assert.deepEqual(api.stats().client, { inFlight: 2, queued: 4 });
    await Promise.all(pending);
    assert.equal(server?.maxActive, 2);
    assert.deepEqual(api.stats().client, { inFlight: 0, queued: 0 });
  });

  it('cancels a request through its AbortSignal', async () => {
    const api = await setUp(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const error = await rejection(api.get('customers', { signal: controller.signal }));
    assert.deepEqual([error.code, error.retryable], ['TRANSIENT', false]);
    assert.match(error.message, /cancelled/);
  });

  it('rejects an invalid base URL as CONFIG', () => {
    assert.throws(() => createHttpClient({ system: 'bc', baseUrl: 'ftp://example' }), { code: 'CONFIG' });
    assert.throws(() => createHttpClient({ system: 'bc', baseUrl: 'not a url' }), { code: 'CONFIG' });
  });
});
