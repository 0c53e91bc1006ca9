/**
 * The sandbox page: one HTML page showing the CRM and ERP emulators side by side, with the links and
 * sync times of the running Node-RED's sync store, and `GET /api/view` (JSON) that the page polls.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHttpServer, type EmulatorRequest, type EmulatorResponse } from '../kit/http-server';
import { readStoreLinks, type NodeRedStore } from './sync-store';
import { PAGE_TEXTS, pageLanguage, type PageLang, type TextKey } from './texts';
import { buildView, type PageView, type StoreLinks } from './view';

/** The parts of an emulator the page reads: where it answers and its records. */
interface EmulatorView {
  readonly apiUrl: string;
  state(): unknown;
}

export interface SandboxPageOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; default 0 (an ephemeral port). */
  port?: number;
  bc: EmulatorView;
  dataverse: EmulatorView;
  /** The Node-RED whose sync store holds the links; without it records are paired by their keys only. */
  nodeRed?: NodeRedStore;
  /** How often the page asks for news; default 2,000 ms. */
  pollMs?: number;
  /** How long to wait for Node-RED; default 2,000 ms. */
  storeTimeoutMs?: number;
  /** System names the links use; default `crm` and `erp`, as in flows/. */
  crmSystem?: string;
  erpSystem?: string;
  /** Currency of ERP amounts without a currency code: the demo company's local currency, EUR. */
  erpLocalCurrency?: string;
  /** Rows per section at most, so a load-test data set does not make the page slow; default 500. */
  maxRows?: number;
}

export interface SandboxPage {
  /** e.g. http://127.0.0.1:8180/ */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const TEMPLATE_FILE = join(__dirname, 'page.html');

function sha256(text: string, encoding: 'base64' | 'hex'): string {
  return createHash('sha256').update(text, 'utf8').digest(encoding);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** Only the page's own inline script (by hash) runs; nothing is loaded from anywhere else. */
function contentSecurityPolicy(template: string): string {
  const script = /<script>([\s\S]*?)<\/script>/.exec(template)?.[1] ?? '';
  return [
    "default-src 'self'",
    `script-src 'sha256-${sha256(script, 'base64')}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function renderPage(template: string, lang: PageLang, boot: Record<string, unknown>): string {
  const texts = PAGE_TEXTS[lang];
  return template
    .replace(/<html lang="[a-z]+">/, `<html lang="${lang}">`)
    .replace(
      /(<([a-z][a-z0-9]*)\b[^>]*\sdata-t="(\w+)"[^>]*>)[^<]*(<\/\2>)/g,
      (_whole, open: string, _tag: string, key: string, close: string) =>
        `${open}${escapeHtml(texts[key as TextKey] ?? key)}${close}`,
    )
    .replace(
      /(<script id="page-data" type="application\/json">)[\s\S]*?(<\/script>)/,
      (_whole, open: string, close: string) => `${open}${scriptJson(boot)}${close}`,
    );
}

const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export async function startSandboxPage(options: SandboxPageOptions): Promise<SandboxPage> {
  const template = readFileSync(TEMPLATE_FILE, 'utf8');
  const policy = contentSecurityPolicy(template);
  const pollMs = options.pollMs ?? 2000;
  const viewOptions = {
    crmUrl: options.dataverse.apiUrl,
    erpUrl: options.bc.apiUrl,
    crmSystem: options.crmSystem ?? 'crm',
    erpSystem: options.erpSystem ?? 'erp',
    erpLocalCurrency: options.erpLocalCurrency ?? 'EUR',
    maxRows: options.maxRows ?? 500,
  };

  // Pages polling at the same time share one request to Node-RED.
  let pendingLinks: Promise<StoreLinks> | undefined;
  const storeLinks = (): Promise<StoreLinks> =>
    (pendingLinks ??= readStoreLinks(options.nodeRed, options.storeTimeoutMs).finally(() => {
      pendingLinks = undefined;
    }));

  const currentView = async (): Promise<{ view: PageView; json: string; etag: string }> => {
    const links = await storeLinks();
    const view = buildView(options.bc.state(), options.dataverse.state(), links, viewOptions);
    const json = JSON.stringify(view);
    return { view, json, etag: `"${sha256(json, 'hex').slice(0, 32)}"` };
  };

  const handle = async (request: EmulatorRequest): Promise<EmulatorResponse> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return { status: 405, headers: { ...COMMON_HEADERS, Allow: 'GET, HEAD' }, body: 'Method not allowed.' };
    }
    if (request.rawPath === '/api/view') {
      const { json, etag } = await currentView();
      if (request.headers['if-none-match'] === etag) return { status: 304, headers: { ...COMMON_HEADERS, ETag: etag } };
      return {
        status: 200,
        headers: { ...COMMON_HEADERS, ETag: etag, 'Content-Type': 'application/json; charset=utf-8' },
        body: json,
      };
    }
    if (request.rawPath === '/' || request.rawPath === '/index.html') {
      const lang = pageLanguage(request.headers['accept-language'], request.query.get('lang'));
      const { view, etag } = await currentView();
      return {
        status: 200,
        headers: {
          ...COMMON_HEADERS,
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Language': lang,
          Vary: 'Accept-Language',
          'Content-Security-Policy': policy,
        },
        body: renderPage(template, lang, { lang, texts: PAGE_TEXTS, view, etag, pollMs }),
      };
    }
    return { status: 404, headers: COMMON_HEADERS, body: 'Not found. The page is at /.' };
  };

  const server = await startHttpServer({ host: options.host ?? '127.0.0.1', port: options.port ?? 0, handler: handle });
  return { url: `${server.origin}/`, port: server.port, close: () => server.close() };
}
