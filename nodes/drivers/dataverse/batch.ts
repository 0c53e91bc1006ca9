/**
 * OData multipart `$batch` as the Dataverse Web API takes it: one change set per write, so a failing write
 * rolls back only itself, and `Prefer: odata.continue-on-error` so the batch goes on after a failure.
 */
import { randomUUID } from 'node:crypto';
import { SyncError } from '../../lib/errors';
import type { HttpClient } from '../http';
import { errorFromResponse } from '../http';
import type { Row } from './web-api';

/** Documented: at most 1,000 requests per batch. */
export const MAX_BATCH_REQUESTS = 1000;

/** As a request URL: the record that the first request of the same change set created (`$<Content-ID>`). */
export const CREATED_IN_CHANGE_SET = '$created';

export interface PlannedRequest {
  method: 'POST' | 'PATCH';
  /** Relative to the API root, e.g. `accounts(…)`, or CREATED_IN_CHANGE_SET. */
  url: string;
  headers: Readonly<Record<string, string>>;
  body: Row;
}

export interface PartResponse {
  status: number;
  data: Row | undefined;
}

/** The answers to every request of a change set, or the error of the request that failed it. */
export type ChangeSetOutcome = { ok: true; responses: PartResponse[] } | { ok: false; error: SyncError };

interface MimeEntity {
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

const CRLF = '\r\n';

/** Sends change sets in one `$batch` (together at most MAX_BATCH_REQUESTS requests); outcomes in the same order. */
export async function sendChangeSets(
  client: HttpClient,
  apiBase: string,
  changeSets: ReadonlyArray<readonly PlannedRequest[]>,
): Promise<ChangeSetOutcome[]> {
  const boundary = `batch_${randomUUID()}`;
  const numbered = numberRequests(changeSets);
  const body =
    numbered.map((changeSet) => `--${boundary}${CRLF}${changeSetEntity(changeSet, apiBase)}${CRLF}`).join('') +
    `--${boundary}--${CRLF}`;
  const response = await client.post<string>('$batch', body, {
    contentType: `multipart/mixed; boundary=${boundary}`,
    headers: { Prefer: 'odata.continue-on-error' },
    responseType: 'text',
    // Updates carry If-Match and upserts address their key, so only a batch with a create can duplicate a record.
    idempotent: changeSets.every((changeSet) => changeSet.every((request) => request.method === 'PATCH')),
  });
  const responseBoundary = boundaryOf(response.headers['content-type']);
  if (responseBoundary === undefined) {
    throw new SyncError({
      code: 'TRANSIENT',
      system: client.system,
      status: response.status,
      retryable: false,
      message: `${client.system}: Dataverse answered the $batch request without a multipart body`,
    });
  }
  const parts = parseMultipart(response.data, responseBoundary);
  return numbered.map((changeSet, index) => outcomeOf(client, apiBase, changeSet, parts[index]));
}

interface NumberedRequest extends PlannedRequest {
  contentId: string;
}

/** Content-IDs are unique across the whole batch. */
function numberRequests(changeSets: ReadonlyArray<readonly PlannedRequest[]>): NumberedRequest[][] {
  let next = 1;
  return changeSets.map((changeSet) => changeSet.map((request) => ({ ...request, contentId: String(next++) })));
}

function targetOf(request: NumberedRequest, changeSet: readonly NumberedRequest[], apiBase: string): string {
  return request.url === CREATED_IN_CHANGE_SET ? `$${changeSet[0]?.contentId ?? ''}` : `${apiBase}/${request.url}`;
}

function changeSetEntity(changeSet: readonly NumberedRequest[], apiBase: string): string {
  const boundary = `changeset_${randomUUID()}`;
  const requests = changeSet.map((request) => {
    const head = [
      `${request.method} ${targetOf(request, changeSet, apiBase)} HTTP/1.1`,
      'Content-Type: application/json',
      ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
    ];
    return (
      `--${boundary}${CRLF}Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}` +
      `Content-ID: ${request.contentId}${CRLF}${CRLF}${head.join(CRLF)}${CRLF}${CRLF}${JSON.stringify(request.body)}${CRLF}`
    );
  });
  return `Content-Type: multipart/mixed; boundary=${boundary}${CRLF}${CRLF}${requests.join('')}--${boundary}--`;
}

/**
 * A succeeded change set is answered by a nested multipart with one response per request; a failed one by
 * the failing request's response alone (its Content-ID says which).
 */
function outcomeOf(
  client: HttpClient,
  apiBase: string,
  changeSet: readonly NumberedRequest[],
  part: MimeEntity | undefined,
): ChangeSetOutcome {
  if (part === undefined) {
    return {
      ok: false,
      error: new SyncError({
        code: 'TRANSIENT',
        system: client.system,
        message: `${client.system}: Dataverse sent no answer for this write of the $batch, so it was not applied; send it again`,
      }),
    };
  }
  const nestedBoundary = boundaryOf(part.headers['content-type']);
  const entities = nestedBoundary === undefined ? [part] : parseMultipart(part.body, nestedBoundary);
  const responses = entities.map((entity) => ({ entity, response: parseHttpResponse(entity.body) }));
  const failed = responses.find(({ response }) => response.status >= 400);
  if (failed === undefined) {
    return {
      ok: true,
      responses: responses.map(({ response }) => ({ status: response.status, data: jsonOf(response.body) })),
    };
  }
  const request =
    changeSet.find((candidate) => candidate.contentId === failed.entity.headers['content-id']) ?? changeSet[0];
  const url = new URL(request === undefined ? '$batch' : targetOf(request, changeSet, apiBase), `${apiBase}/`);
  const target = { system: client.system, method: request?.method ?? 'POST', url };
  return { ok: false, error: errorFromResponse(target, failed.response.status, failed.response.body, client.redactor) };
}

function boundaryOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !/^\s*multipart\/mixed\b/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** The entities between `--boundary` lines, up to the closing `--boundary--`. Lines may end in CRLF or LF. */
function parseMultipart(text: string, boundary: string): MimeEntity[] {
  const escaped = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const [, ...sections] = text.split(new RegExp(`(?:^|\\r?\\n)--${escaped}`));
  const entities: MimeEntity[] = [];
  for (const section of sections) {
    if (section.startsWith('--')) break;
    entities.push(parseEntity(section.replace(/^[ \t]*\r?\n/, '')));
  }
  return entities;
}

function parseEntity(text: string): MimeEntity {
  const blankLine = /\r?\n\r?\n/.exec(text);
  const head = blankLine === null ? text : text.slice(0, blankLine.index);
  const body = blankLine === null ? '' : text.slice(blankLine.index + blankLine[0].length);
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

/** An `application/http` part: a status line, headers (the status line has no colon, so it is skipped as one), body. */
function parseHttpResponse(text: string): { status: number; body: string } {
  const message = text.trimStart();
  const status = Number(/^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(message)?.[1] ?? 0);
  return { status, body: parseEntity(message).body };
}

function jsonOf(text: string): Row | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Row) : undefined;
  } catch {
    return undefined;
  }
}
