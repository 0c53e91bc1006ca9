import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Header names are lower-cased; repeated headers are joined with ", ". */
export type HeaderMap = Readonly<Record<string, string>>;

export interface EmulatorRequest {
  readonly method: string;
  /** The path as received (still percent-encoded), without the query string. */
  readonly rawPath: string;
  readonly query: URLSearchParams;
  readonly headers: HeaderMap;
  readonly body: Buffer;
  /** Base URL the client used to reach us (scheme + Host header), used to build absolute links. */
  readonly origin: string;
  /** Settles when the client connection closes; never settles for in-process sub-requests. */
  readonly connectionClosed: Promise<void>;
}

export interface EmulatorResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** undefined → no body; string or Buffer → sent as is; anything else → JSON. */
  readonly body?: unknown;
}

/** Outcomes that are not HTTP responses: drop the connection, or keep it open and never answer. */
export type ConnectionFault = { readonly connection: 'reset' } | { readonly connection: 'hang' };

export type RequestOutcome = EmulatorResponse | ConnectionFault;

export type RequestHandler = (request: EmulatorRequest) => Promise<RequestOutcome>;

export interface HttpServerHandle {
  /** e.g. http://127.0.0.1:8181 */
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

export function isConnectionFault(outcome: RequestOutcome): outcome is ConnectionFault {
  return 'connection' in outcome;
}

/** Builds a request that never went over the wire, e.g. one operation of a $batch. */
export function createSubRequest(init: {
  method: string;
  path: string;
  headers: HeaderMap;
  body: Buffer;
  origin: string;
}): EmulatorRequest {
  const questionMark = init.path.indexOf('?');
  return {
    method: init.method.toUpperCase(),
    rawPath: questionMark < 0 ? init.path : init.path.slice(0, questionMark),
    query: new URLSearchParams(questionMark < 0 ? '' : init.path.slice(questionMark + 1)),
    headers: init.headers,
    body: init.body,
    origin: init.origin,
    connectionClosed: new Promise<void>(() => undefined),
  };
}

export function lowerCaseHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return result;
}

export function serializeBody(response: EmulatorResponse): { bytes: Buffer; contentType?: string } {
  const body = response.body;
  if (body === undefined || response.status === 204 || response.status === 304) return { bytes: Buffer.alloc(0) };
  if (Buffer.isBuffer(body)) return { bytes: body };
  if (typeof body === 'string') return { bytes: Buffer.from(body, 'utf8'), contentType: 'text/plain; charset=utf-8' };
  return { bytes: Buffer.from(JSON.stringify(body), 'utf8'), contentType: 'application/json; charset=utf-8' };
}

/** Starts a node:http server on host:port (port 0 = ephemeral) that hands every request to `handler`. */
export async function startHttpServer(options: {
  host: string;
  port: number;
  handler: RequestHandler;
}): Promise<HttpServerHandle> {
  const sockets = new Set<Socket>();
  // One promise per connection: keep-alive connections carry many requests.
  const socketClosed = new WeakMap<Socket, Promise<void>>();
  const server = createServer((req, res) => {
    void serve(req, res, socketClosed.get(req.socket) ?? Promise.resolve(), options.handler);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socketClosed.set(socket, new Promise<void>((resolve) => socket.once('close', () => resolve())));
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    origin: `http://${hostForUrl}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging requests and keep-alive connections would otherwise keep close() waiting.
        for (const socket of sockets) socket.destroy();
      }),
  };
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  connectionClosed: Promise<void>,
  handler: RequestHandler,
): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch {
    writeResponse(res, {
      status: 413,
      body: { error: { code: 'RequestTooLarge', message: 'Request body too large.' } },
    });
    return;
  }
  const target = req.url ?? '/';
  const questionMark = target.indexOf('?');
  const request: EmulatorRequest = {
    method: (req.method ?? 'GET').toUpperCase(),
    rawPath: questionMark < 0 ? target : target.slice(0, questionMark),
    query: new URLSearchParams(questionMark < 0 ? '' : target.slice(questionMark + 1)),
    headers: lowerCaseHeaders(req.headers),
    body,
    origin: `http://${req.headers.host ?? 'localhost'}`,
    connectionClosed,
  };
  let outcome: RequestOutcome;
  try {
    outcome = await handler(request);
  } catch (error) {
    outcome = { status: 500, body: { error: { code: 'EmulatorFailure', message: String(error) } } };
  }
  if (!isConnectionFault(outcome)) writeResponse(res, outcome);
  else if (outcome.connection === 'reset') req.socket.destroy();
  // 'hang': leave the response open until the client gives up or the server closes.
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function writeResponse(res: ServerResponse, response: EmulatorResponse): void {
  const { bytes, contentType } = serializeBody(response);
  const headers: Record<string, string> = { ...response.headers };
  const hasContentType = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  if (contentType !== undefined && !hasContentType) headers['Content-Type'] = contentType;
  if (bytes.length > 0 || (response.status !== 204 && response.status !== 304)) {
    headers['Content-Length'] = String(bytes.length);
  }
  res.writeHead(response.status, headers);
  res.end(bytes);
}
