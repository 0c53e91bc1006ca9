import { randomUUID } from 'node:crypto';
import { createSubRequest, type EmulatorRequest, type EmulatorResponse } from '../kit/http-server';
import {
  boundaryOf,
  buildMultipart,
  MultipartSyntaxError,
  parseHttpRequest,
  parseMultipart,
  serializeHttpResponse,
  type HttpRequestMessage,
} from '../kit/multipart';
import { parsePrefer } from '../kit/odata/query';
import type { DataStore } from '../kit/store';
import { DvError, dvErrorResponse } from './errors';

/** One top-level item of a batch: a single request, or a change set of requests that succeed or fail together. */
type BatchItem =
  | { readonly kind: 'request'; readonly contentId?: string; readonly message: HttpRequestMessage }
  | {
      readonly kind: 'changeset';
      readonly requests: ReadonlyArray<{ readonly contentId?: string; readonly message: HttpRequestMessage }>;
    };

interface ResponsePart {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const HTTP_PART_HEADERS = { 'Content-Type': 'application/http', 'Content-Transfer-Encoding': 'binary' };

/**
 * OData multipart $batch as the Dataverse Web API implements it: requests run in order; a change set is
 * atomic and its requests may refer to records created earlier in it as `$<Content-ID>`. Without
 * `Prefer: odata.continue-on-error` the batch stops at the first failure and answers 400.
 */
export async function executeMultipartBatch(
  request: EmulatorRequest,
  apiRoot: string,
  store: DataStore,
  maxRequests: number,
  dispatch: (subRequest: EmulatorRequest) => Promise<EmulatorResponse>,
): Promise<EmulatorResponse> {
  let items: BatchItem[];
  try {
    items = parseBatch(request);
  } catch (error) {
    if (error instanceof MultipartSyntaxError || error instanceof DvError) return batchError(error.message);
    throw error;
  }
  const requestCount = items.reduce((count, item) => count + (item.kind === 'request' ? 1 : item.requests.length), 0);
  if (requestCount > maxRequests) {
    return batchError(`The number of requests in the batch (${requestCount}) exceeds the maximum of ${maxRequests}.`);
  }
  const continueOnError = parsePrefer(request.headers.prefer).has('odata.continue-on-error');
  const run = (message: HttpRequestMessage): Promise<EmulatorResponse> => {
    const subRequest = createSubRequest({
      method: message.method,
      path: toServerPath(message.target, apiRoot),
      headers: { ...message.headers, authorization: request.headers.authorization ?? '' },
      body: Buffer.from(message.body, 'utf8'),
      origin: request.origin,
    });
    if (subRequest.rawPath.endsWith('/$batch')) {
      return Promise.resolve(dvErrorResponse(400, '', 'A batch request cannot contain another batch request.'));
    }
    return dispatch(subRequest);
  };

  const parts: ResponsePart[] = [];
  let failed = false;
  for (const item of items) {
    const outcome =
      item.kind === 'request'
        ? await runSingle(item.message, item.contentId, run)
        : await runChangeSet(item.requests, store, apiRoot, run);
    parts.push(outcome.part);
    if (outcome.failed) {
      failed = true;
      if (!continueOnError) break;
    }
  }
  const boundary = `batchresponse_${randomUUID()}`;
  return {
    status: failed && !continueOnError ? 400 : 200,
    headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}`, 'OData-Version': '4.0' },
    body: buildMultipart(boundary, parts),
  };
}

async function runSingle(
  message: HttpRequestMessage,
  contentId: string | undefined,
  run: (message: HttpRequestMessage) => Promise<EmulatorResponse>,
): Promise<{ part: ResponsePart; failed: boolean }> {
  const response = await run(message);
  return { part: httpPart(response, contentId), failed: response.status >= 400 };
}

async function runChangeSet(
  requests: ReadonlyArray<{ readonly contentId?: string; readonly message: HttpRequestMessage }>,
  store: DataStore,
  apiRoot: string,
  run: (message: HttpRequestMessage) => Promise<EmulatorResponse>,
): Promise<{ part: ResponsePart; failed: boolean }> {
  const savepoint = store.savepoint();
  const createdUrls = new Map<string, string>();
  const parts: ResponsePart[] = [];
  try {
    for (const { contentId, message } of requests) {
      let response: EmulatorResponse;
      if (message.method === 'GET') {
        response = dvErrorResponse(400, '', 'GET requests are not allowed within a change set.');
      } else {
        try {
          response = await run(resolveContentIdReferences(message, createdUrls, apiRoot));
        } catch (error) {
          if (!(error instanceof DvError)) throw error;
          response = error.toResponse();
        }
      }
      if (response.status >= 400) {
        // A failed change set rolls back and is answered by the failing request alone.
        savepoint.rollback();
        return { part: httpPart(response, contentId), failed: true };
      }
      const entityUrl = response.headers?.['OData-EntityId'];
      if (contentId !== undefined && entityUrl !== undefined) createdUrls.set(contentId, entityUrl);
      parts.push(httpPart(response, contentId));
    }
  } catch (error) {
    savepoint.rollback();
    throw error;
  }
  savepoint.release();
  const boundary = `changesetresponse_${randomUUID()}`;
  return {
    part: {
      headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}` },
      body: buildMultipart(boundary, parts).trimEnd(),
    },
    failed: false,
  };
}

/** `$1` in the URL or in `…@odata.bind` / `@odata.id` values stands for the record created by Content-ID 1. */
function resolveContentIdReferences(
  message: HttpRequestMessage,
  createdUrls: ReadonlyMap<string, string>,
  apiRoot: string,
): HttpRequestMessage {
  const resolve = (reference: string): string => {
    const match = /^\$([^/]+)(\/.*)?$/.exec(reference);
    if (match?.[1] === undefined) return reference;
    const url = createdUrls.get(match[1]);
    if (url === undefined)
      throw new DvError(400, '', `Content-ID Reference: '$${match[1]}' does not exist in the batch context.`);
    return `${url}${match[2] ?? ''}`;
  };
  const target = message.target.startsWith('$') ? toServerPath(resolve(message.target), apiRoot) : message.target;
  if (message.body === '') return { ...message, target };
  let body: unknown;
  try {
    body = JSON.parse(message.body);
  } catch {
    return { ...message, target };
  }
  if (typeof body === 'object' && body !== null) {
    for (const [name, value] of Object.entries(body)) {
      if (
        (name.endsWith('@odata.bind') || name === '@odata.id') &&
        typeof value === 'string' &&
        value.startsWith('$')
      ) {
        (body as Record<string, unknown>)[name] = resolve(value);
      }
    }
  }
  return { ...message, target, body: JSON.stringify(body) };
}

function parseBatch(request: EmulatorRequest): BatchItem[] {
  const boundary = boundaryOf(request.headers['content-type']);
  if (boundary === undefined) {
    throw new MultipartSyntaxError("A $batch request needs 'Content-Type: multipart/mixed; boundary=…'.");
  }
  return parseMultipart(request.body.toString('utf8'), boundary).map((part): BatchItem => {
    const changeSetBoundary = boundaryOf(part.headers['content-type']);
    if (changeSetBoundary === undefined) {
      return { kind: 'request', ...contentIdOf(part.headers), message: parseHttpRequest(part.body) };
    }
    const requests = parseMultipart(part.body, changeSetBoundary).map((inner) => ({
      ...contentIdOf(inner.headers),
      message: parseHttpRequest(inner.body),
    }));
    return { kind: 'changeset', requests };
  });
}

function contentIdOf(headers: Readonly<Record<string, string>>): { contentId?: string } {
  const contentId = headers['content-id'];
  return contentId === undefined ? {} : { contentId };
}

function httpPart(response: EmulatorResponse, contentId: string | undefined): ResponsePart {
  const headers: Record<string, string> = { ...HTTP_PART_HEADERS };
  if (contentId !== undefined) headers['Content-ID'] = contentId;
  // Inside a batch, creates also report the new record's URL as Location (as in the documented examples).
  const entityUrl = response.headers?.['OData-EntityId'];
  const withLocation =
    entityUrl === undefined ? response : { ...response, headers: { ...response.headers, Location: entityUrl } };
  return { headers, body: serializeHttpResponse(withLocation) };
}

/** Request targets may be absolute, server-relative or relative to the service root. */
function toServerPath(target: string, apiRoot: string): string {
  if (/^https?:\/\//i.test(target)) {
    const url = new URL(target);
    return `${url.pathname}${url.search}`;
  }
  return target.startsWith('/') ? target : `${new URL(apiRoot).pathname}/${target}`;
}

function batchError(message: string): EmulatorResponse {
  return dvErrorResponse(400, '', message);
}
