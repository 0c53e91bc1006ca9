import { STATUS_CODES } from 'node:http';
import { lowerCaseHeaders, serializeBody, type EmulatorResponse, type HeaderMap } from './http-server';

/**
 * multipart/mixed bodies as OData $batch uses them (RFC 2046 §5.1), with `application/http` parts
 * that carry whole HTTP requests or responses. Lines may end in CRLF or bare LF; we always write CRLF.
 */

export interface MimePart {
  readonly headers: HeaderMap;
  readonly body: string;
}

export interface HttpRequestMessage {
  readonly method: string;
  readonly target: string;
  readonly headers: HeaderMap;
  readonly body: string;
}

export class MultipartSyntaxError extends Error {}

/** The `boundary` parameter of a multipart Content-Type, quoted or not. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !/^\s*multipart\/mixed\b/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

export function parseMultipart(body: string, boundary: string): MimePart[] {
  const escaped = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const delimiter = new RegExp(`(?:^|\\r?\\n)--${escaped}(--)?[ \\t]*(?:\\r?\\n|$)`, 'g');
  const parts: MimePart[] = [];
  let previousEnd: number | undefined;
  let closed = false;
  for (const match of body.matchAll(delimiter)) {
    if (previousEnd !== undefined) parts.push(parsePart(body.slice(previousEnd, match.index)));
    previousEnd = match.index + match[0].length;
    if (match[1] === '--') {
      closed = true;
      break;
    }
  }
  if (!closed) throw new MultipartSyntaxError(`The multipart body has no closing delimiter --${boundary}--.`);
  return parts;
}

function parsePart(text: string): MimePart {
  const { head, rest } = splitHead(text);
  return { headers: parseHeaderLines(head), body: rest };
}

function splitHead(text: string): { head: string[]; rest: string } {
  const blankLine = /\r?\n\r?\n/.exec(text);
  if (text.startsWith('\r\n') || text.startsWith('\n')) return { head: [], rest: text.replace(/^\r?\n/, '') };
  if (blankLine === null) return { head: text.split(/\r?\n/), rest: '' };
  return {
    head: text.slice(0, blankLine.index).split(/\r?\n/),
    rest: text.slice(blankLine.index + blankLine[0].length),
  };
}

function parseHeaderLines(lines: readonly string[]): HeaderMap {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartSyntaxError(`Malformed header line '${line}'.`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return lowerCaseHeaders(headers);
}

/** Reads the HTTP request carried in an `application/http` part. */
export function parseHttpRequest(text: string): HttpRequestMessage {
  const { head, rest } = splitHead(text.replace(/^(\r?\n)+/, ''));
  const [requestLine, ...headerLines] = head;
  const match = /^([A-Z]+)\s+(.+?)(?:\s+HTTP\/\d\.\d)?$/.exec(requestLine?.trim() ?? '');
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new MultipartSyntaxError(`Malformed request line '${requestLine ?? ''}'.`);
  }
  // Be lenient with clients that leave spaces of a $filter unencoded in the request line.
  const target = match[2].replaceAll(' ', '%20');
  return { method: match[1], target, headers: parseHeaderLines(headerLines), body: rest.trim() };
}

export function serializeHttpResponse(response: EmulatorResponse): string {
  const { bytes, contentType } = serializeBody(response);
  const headers: Record<string, string> = { ...response.headers };
  if (contentType !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = contentType;
  }
  const lines = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`.trimEnd()];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n${bytes.toString('utf8')}`;
}

/** Writes parts between `--boundary` lines and closes with `--boundary--`. */
export function buildMultipart(
  boundary: string,
  parts: ReadonlyArray<{ headers: Readonly<Record<string, string>>; body: string }>,
): string {
  const chunks = parts.map(({ headers, body }) => {
    const headerText = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}`)
      .join('\r\n');
    return `--${boundary}\r\n${headerText}\r\n\r\n${body}\r\n`;
  });
  return `${chunks.join('')}--${boundary}--\r\n`;
}
