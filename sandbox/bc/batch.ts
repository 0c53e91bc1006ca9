import { createSubRequest, lowerCaseHeaders, type EmulatorRequest, type EmulatorResponse } from '../kit/http-server';
import type { DataStore } from '../kit/store';
import { BC_JSON, bcErrors } from './errors';

interface BatchOperation {
  readonly id?: unknown;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/**
 * OData JSON batch (`POST …/api/v2.0/$batch`): runs each operation through the normal request handling and
 * answers `{"responses":[{id,status,headers,body}]}`. With `Isolation: snapshot` the batch is one
 * transaction: if any operation fails, every change made by the batch is rolled back.
 */
export async function executeJsonBatch(
  request: EmulatorRequest,
  apiRoot: string,
  store: DataStore,
  maxOperations: number,
  dispatch: (subRequest: EmulatorRequest) => Promise<EmulatorResponse>,
): Promise<EmulatorResponse> {
  if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
    throw bcErrors.badRequest("The emulator supports JSON batch requests only; send 'Content-Type: application/json'.");
  }
  const operations = parseOperations(request.body);
  if (operations.length > maxOperations) {
    throw bcErrors.badRequest(
      `The batch request contains ${operations.length} operations, which exceeds the maximum of ${maxOperations}.`,
    );
  }
  const transactional = (request.headers.isolation ?? '').toLowerCase() === 'snapshot';
  const savepoint = transactional ? store.savepoint() : undefined;
  const apiPath = new URL(apiRoot).pathname;
  const responses: unknown[] = [];
  try {
    for (const operation of operations) {
      const body = operation.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(operation.body), 'utf8');
      const subRequest = createSubRequest({
        method: operation.method,
        path: resolveUrl(operation.url, apiPath),
        headers: { ...lowerCaseHeaders(operation.headers), authorization: request.headers.authorization ?? '' },
        body,
        origin: request.origin,
      });
      const response = subRequest.rawPath.endsWith('/$batch')
        ? bcErrors.badRequest('A batch request cannot contain another batch request.').toResponse()
        : await dispatch(subRequest);
      responses.push({
        id: operation.id ?? null,
        status: response.status,
        headers: lowerCaseHeaders(response.headers ?? {}),
        ...(response.body !== undefined && { body: response.body }),
      });
    }
  } catch (error) {
    savepoint?.rollback();
    throw error;
  }
  const failed = responses.some((response) => (response as { status: number }).status >= 400);
  if (failed) savepoint?.rollback();
  else savepoint?.release();
  return { status: 200, headers: { 'Content-Type': BC_JSON, 'OData-Version': '4.0' }, body: { responses } };
}

function parseOperations(body: Buffer): BatchOperation[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw bcErrors.badRequest('Invalid Request Body');
  }
  const requests = (parsed as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(requests))
    throw bcErrors.badRequest("Invalid Request Body: a JSON batch needs a 'requests' array.");
  return requests.map((candidate: unknown) => {
    const operation = candidate as Partial<Record<keyof BatchOperation, unknown>> | null;
    if (typeof operation?.method !== 'string' || typeof operation.url !== 'string') {
      throw bcErrors.badRequest("Invalid Request Body: every batch request needs 'method' and 'url'.");
    }
    const headers =
      typeof operation.headers === 'object' && operation.headers !== null
        ? (operation.headers as Record<string, string>)
        : {};
    return { id: operation.id, method: operation.method, url: operation.url, headers, body: operation.body };
  });
}

/** Operation URLs may be absolute, server-relative or relative to the API root (`companies(…)/customers`). */
function resolveUrl(url: string, apiPath: string): string {
  if (/^https?:\/\//i.test(url)) {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  }
  return url.startsWith('/') ? url : `${apiPath}/${url}`;
}
