import assert from 'node:assert/strict';
import type { ErrorCode } from '../../nodes/lib/errors';
import {
  GovernorRegistry,
  createHttpClient,
  parseSystemError,
  type HttpClient,
  type HttpErrorDetails,
  type HttpMethod,
} from '../../nodes/drivers/http';
import { rejection, startServer, type TestServer } from './support';

interface ErrorCase {
  name: string;
  method: HttpMethod;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  code: ErrorCode;
  retryable: boolean;
  /** Expected parts of `details`. */
  details: Partial<HttpErrorDetails>;
  message: RegExp;
}

const CASES: ErrorCase[] = [
  {
    name: 'Business Central stale ETag (409)',
    method: 'PATCH',
    status: 409,
    body: { error: { code: 'Request_EntityChanged', message: 'Another user has already changed the record.' } },
    code: 'CONFLICT',
    retryable: false,
    details: { systemCode: 'Request_EntityChanged', systemMessage: 'Another user has already changed the record.' },
    message: /Request_EntityChanged: Another user has already changed the record\./,
  },
  {
    name: 'Business Central missing If-Match (400)',
    method: 'PATCH',
    status: 400,
    body: { error: { code: 'BadRequest_InvalidToken', message: 'Could not validate the client concurrency token.' } },
    code: 'VALIDATION',
    retryable: false,
    details: { systemCode: 'BadRequest_InvalidToken' },
    message: /Could not validate the client concurrency token/,
  },
  {
    name: 'Business Central record not found (404)',
    method: 'GET',
    status: 404,
    body: { error: { code: 'Internal_RecordNotFound', message: 'The Customer does not exist.' } },
    code: 'NOT_FOUND',
    retryable: false,
    details: { systemCode: 'Internal_RecordNotFound' },
    message: /The Customer does not exist/,
  },
  {
    name: 'Business Central missing permission (403)',
    method: 'GET',
    status: 403,
    body: { error: { code: 'Authorization_InsufficientPermissions', message: 'You do not have permission.' } },
    code: 'AUTH',
    retryable: false,
    details: { systemCode: 'Authorization_InsufficientPermissions' },
    message: /You do not have permission/,
  },
  {
    name: 'Dataverse RowVersion mismatch (412)',
    method: 'PATCH',
    status: 412,
    body: {
      error: {
        code: '0x80060882',
        message: "The version of the existing record doesn't match the RowVersion property provided.",
      },
    },
    code: 'CONFLICT',
    retryable: false,
    details: { systemCode: '0x80060882' },
    message: /doesn't match the RowVersion/,
  },
  {
    name: 'Dataverse service protection (429)',
    method: 'GET',
    status: 429,
    headers: { 'Retry-After': '7' },
    body: {
      error: {
        code: '0x80072322',
        message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.',
      },
    },
    code: 'RATE_LIMIT',
    retryable: true,
    details: { systemCode: '0x80072322', retryAfterMs: 7000 },
    message: /exceeded the limit of 6000/,
  },
  {
    name: 'Dataverse validation with an empty code (400)',
    method: 'POST',
    status: 400,
    body: { error: { code: '', message: 'A validation error occurred.' } },
    code: 'VALIDATION',
    retryable: false,
    details: { systemMessage: 'A validation error occurred.' },
    message: /failed with HTTP 400: A validation error occurred\./,
  },
  {
    name: 'Salesforce field error array (400)',
    method: 'PATCH',
    status: 400,
    body: [
      { message: 'Email: invalid email address: bad', errorCode: 'INVALID_EMAIL_ADDRESS', fields: ['Email'] },
      { message: 'Phone: too long', errorCode: 'STRING_TOO_LONG', fields: ['Phone'] },
    ],
    code: 'VALIDATION',
    retryable: false,
    details: { systemCode: 'INVALID_EMAIL_ADDRESS', fields: ['Email', 'Phone'] },
    message: /INVALID_EMAIL_ADDRESS: Email: invalid email address: bad; Phone: too long/,
  },
  {
    name: 'Salesforce request limit (403 REQUEST_LIMIT_EXCEEDED)',
    method: 'GET',
    status: 403,
    body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
    code: 'RATE_LIMIT',
    retryable: true,
    details: { systemCode: 'REQUEST_LIMIT_EXCEEDED' },
    message: /TotalRequests Limit exceeded/,
  },
  {
    name: 'Salesforce expired session (401)',
    method: 'GET',
    status: 401,
    body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
    code: 'AUTH',
    retryable: false,
    details: { systemCode: 'INVALID_SESSION_ID' },
    message: /Session expired or invalid/,
  },
  {
    name: 'HubSpot validation error (400)',
    method: 'POST',
    status: 400,
    body: {
      status: 'error',
      message: 'Property values were not valid',
      correlationId: 'a436-1',
      category: 'VALIDATION_ERROR',
      errors: [{ message: 'Property "name" is too long', in: 'name', code: 'INVALID_LENGTH' }],
    },
    code: 'VALIDATION',
    retryable: false,
    details: { systemCode: 'VALIDATION_ERROR', correlationId: 'a436-1', fields: ['name'] },
    message: /VALIDATION_ERROR: Property values were not valid/,
  },
  {
    name: 'HubSpot rate limit (429)',
    method: 'POST',
    status: 429,
    headers: { 'X-HubSpot-RateLimit-Interval-Milliseconds': '10000' },
    body: { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT' },
    code: 'RATE_LIMIT',
    retryable: true,
    details: { systemCode: 'RATE_LIMIT', retryAfterMs: 10000 },
    message: /You have reached your secondly limit/,
  },
  {
    name: 'unprocessable entity (422)',
    method: 'POST',
    status: 422,
    body: { message: 'Unprocessable' },
    code: 'VALIDATION',
    retryable: false,
    details: { systemMessage: 'Unprocessable' },
    message: /Unprocessable/,
  },
  {
    name: 'server error with a plain-text body (500)',
    method: 'GET',
    status: 500,
    body: 'Internal failure in the middle tier',
    code: 'TRANSIENT',
    retryable: true,
    details: { systemMessage: 'Internal failure in the middle tier' },
    message: /Internal failure in the middle tier/,
  },
  {
    name: 'gateway timeout without a body (504)',
    method: 'GET',
    status: 504,
    body: '',
    code: 'TRANSIENT',
    retryable: true,
    details: {},
    message: /failed with HTTP 504: Gateway Timeout/,
  },
];

describe('http error mapping', () => {
  let server: TestServer;
  let client: HttpClient;

  before(async () => {
    server = await startServer((request, response) => {
      const errorCase = CASES[Number(new URL(request.url, 'http://x').searchParams.get('case'))];
      const body = errorCase?.body;
      response.writeHead(errorCase?.status ?? 500, {
        'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json',
        ...errorCase?.headers,
      });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
  });

  // A fresh registry per test: a 429 pauses the governor, which would slow down the next case.
  beforeEach(() => {
    client = createHttpClient({
      system: 'erp',
      baseUrl: `${server.url}/api/v2.0`,
      governors: new GovernorRegistry(),
      retry: { maxAttempts: 1 },
    });
  });

  afterEach(() => client.close());

  after(() => server.close());

  CASES.forEach((errorCase, index) => {
    it(`maps ${errorCase.name} to ${errorCase.code}`, async () => {
      const error = await rejection(
        client.request({
          method: errorCase.method,
          url: 'companies(c1)/customers(k1)',
          query: { case: index, $filter: "number eq '10000'" },
          body: errorCase.method === 'GET' ? undefined : { displayName: 'X' },
        }),
      );

      assert.equal(error.code, errorCase.code);
      assert.equal(error.system, 'erp');
      assert.equal(error.status, errorCase.status);
      assert.equal(error.retryable, errorCase.retryable);
      const details = error.details as HttpErrorDetails;
      assert.equal(details.method, errorCase.method);
      assert.equal(details.path, '/api/v2.0/companies(c1)/customers(k1)');
      for (const [key, value] of Object.entries(errorCase.details)) {
        assert.deepEqual(details[key as keyof HttpErrorDetails], value, key);
      }
      assert.ok(
        error.message.startsWith(
          `erp: ${errorCase.method} /api/v2.0/companies(c1)/customers(k1) failed with HTTP ${errorCase.status}: `,
        ),
        error.message,
      );
      assert.match(error.message, errorCase.message);
      assert.ok(!error.message.includes('?') && !error.message.includes('10000'), 'no query string in the message');
    });
  });

  it('reads the OAuth error shape', () => {
    assert.deepEqual(
      parseSystemError({ error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret.' }),
      { code: 'invalid_client', message: 'AADSTS7000215: Invalid client secret.' },
    );
  });

  it('refuses to send a request with the credentials to another origin', async () => {
    const before = server.requests.length;
    const error = await rejection(client.get('https://attacker.example/api/v2.0/customers'));
    assert.equal(error.code, 'CONFIG');
    assert.match(error.message, /refusing to send a request to https:\/\/attacker\.example/);
    assert.equal(server.requests.length, before);
  });
});
