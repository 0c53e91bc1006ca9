/**
 * Reads the links of the running Node-RED's sync store through the store node's admin route
 * (`GET /crmerp-store/:id/links`). The store's SQLite file is locked by Node-RED, so this is the only
 * way in; when it fails, the page says why and pairs records by the systems' own keys.
 */
import { request } from 'node:http';
import type { StoreLink, StoreLinks, StoreProblem } from './view';

export interface NodeRedStore {
  /** Where Node-RED's admin API answers, e.g. http://127.0.0.1:1880. */
  url: string;
  /** Id of the deployed crmerp-store node. */
  storeId: string;
}

const PAGE_SIZE = 1000;
/** More links than a sandbox page can usefully show; the rest is left out and said so. */
const MAX_LINKS = 5000;

class StoreUnreachable extends Error {
  constructor(
    readonly problem: StoreProblem,
    readonly status?: number,
    readonly detail?: string,
  ) {
    super(problem);
  }
}

function getJson(url: URL, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers: { Accept: 'application/json' }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', () => reject(new StoreUnreachable('refused')));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        if (status === 200) {
          if (body === undefined) reject(new StoreUnreachable('invalid', status));
          else resolve(body);
          return;
        }
        const error = (body as { error?: { message?: unknown } } | undefined)?.error;
        const detail = typeof error?.message === 'string' ? error.message : undefined;
        const problem: StoreProblem = status === 401 || status === 403 ? 'auth' : status === 404 ? 'missing' : 'failed';
        reject(new StoreUnreachable(problem, status, detail));
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new StoreUnreachable('timeout')));
    req.on('error', (error) => reject(error instanceof StoreUnreachable ? error : new StoreUnreachable('refused')));
    req.end();
  });
}

function isLink(value: unknown): value is StoreLink {
  const link = value as StoreLink | null;
  return (
    typeof link === 'object' &&
    link !== null &&
    typeof link.linkId === 'string' &&
    typeof link.ids === 'object' &&
    link.ids !== null &&
    typeof link.writtenAt === 'object' &&
    link.writtenAt !== null
  );
}

async function readEntity(
  target: NodeRedStore,
  entity: string,
  timeoutMs: number,
): Promise<{ links: StoreLink[]; backend: string; truncated: boolean }> {
  const links: StoreLink[] = [];
  let backend = '';
  let after: string | undefined;
  do {
    const url = new URL(
      `crmerp-store/${encodeURIComponent(target.storeId)}/links`,
      `${target.url.replace(/\/+$/, '')}/`,
    );
    url.searchParams.set('entity', entity);
    url.searchParams.set('limit', String(PAGE_SIZE));
    if (after !== undefined) url.searchParams.set('after', after);
    const page = (await getJson(url, timeoutMs)) as { backend?: unknown; links?: unknown; next?: unknown };
    if (!Array.isArray(page.links) || !page.links.every(isLink)) throw new StoreUnreachable('invalid', 200);
    links.push(...page.links);
    backend = typeof page.backend === 'string' ? page.backend : backend;
    after = typeof page.next === 'string' ? page.next : undefined;
  } while (after !== undefined && links.length < MAX_LINKS);
  return { links, backend, truncated: after !== undefined };
}

/** The store's customer and order links, or why they cannot be read. Never throws. */
export async function readStoreLinks(target: NodeRedStore | undefined, timeoutMs = 2000): Promise<StoreLinks> {
  if (!target) return { state: 'off' };
  try {
    const [customer, order] = await Promise.all([
      readEntity(target, 'customer', timeoutMs),
      readEntity(target, 'order', timeoutMs),
    ]);
    return {
      state: 'ok',
      backend: customer.backend || order.backend,
      customer: customer.links,
      order: order.links,
      truncated: customer.truncated || order.truncated,
    };
  } catch (error) {
    const { problem, status, detail } =
      error instanceof StoreUnreachable ? error : new StoreUnreachable('failed', undefined, String(error));
    return {
      state: 'unreachable',
      problem,
      url: target.url,
      storeId: target.storeId,
      ...(status !== undefined && { status }),
      ...(detail !== undefined && { detail }),
    };
  }
}
