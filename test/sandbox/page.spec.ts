/**
 * The sandbox page against both emulators and a real sync store node, whose admin route is served
 * over loopback HTTP the way a running Node-RED serves it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import storeNode from '../../nodes/crmerp-store';
import type { SyncStore } from '../../nodes/lib/store';
import { DATAVERSE_SEED, startBcEmulator, startDataverseEmulator } from '../../sandbox';
import type { BcEmulator, DataverseEmulator } from '../../sandbox';
import { PAGE_TEXTS, startSandboxPage, type PageView, type SandboxPage } from '../../sandbox/page';
import { startSandbox } from '../../sandbox/run';
import type { StoreProblem } from '../../sandbox/page/view';
import { chromiumPath, launchChromium, PageProblems } from '../support/chromium';
import { helper, type FlowNode } from '../support/node-red';
import { tempDir } from '../support/tmp';
import { authorization, http } from './helpers';

const STORE_ID = 'crmerp-store-local';
const FABRIKAM = DATAVERSE_SEED.accountId(1);
const CONTOSO = DATAVERSE_SEED.accountId(2);
const RELECLOUD = DATAVERSE_SEED.accountId(6);
const CONTOSO_ORDER = DATAVERSE_SEED.salesOrderId(2);

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

function inlineScript(html: string): string {
  return /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
}

function bootData(html: string): { lang: string; view: PageView; etag: string } {
  const json = /<script id="page-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html)?.[1];
  assert.ok(json, 'the page carries its first view');
  return JSON.parse(json) as { lang: string; view: PageView; etag: string };
}

describe('sandbox page', function () {
  this.timeout(30_000);
  const dir = tempDir('page');
  let bc: BcEmulator;
  let dataverse: DataverseEmulator;
  let store: SyncStore;
  let nodeRed: Server;
  let nodeRedUrl: string;
  let page: SandboxPage;
  const extraPages: SandboxPage[] = [];
  let fabrikamLink: string;

  /** A page of its own, for the cases where Node-RED is not there. */
  async function pageWith(options: Partial<Parameters<typeof startSandboxPage>[0]>): Promise<SandboxPage> {
    const started = await startSandboxPage({ bc, dataverse, ...options });
    extraPages.push(started);
    return started;
  }

  async function view(target = page): Promise<PageView> {
    const response = await http<PageView>(`${target.url}api/view`);
    assert.equal(response.status, 200);
    return response.body;
  }

  before(async () => {
    [bc, dataverse] = await Promise.all([startBcEmulator(), startDataverseEmulator()]);
    await helper.startServer();
    const storeConfig: FlowNode = {
      id: STORE_ID,
      type: 'crmerp-store',
      backend: 'sqlite',
      file: join(dir.path, 'sync.db'),
      synchronous: 'normal',
    };
    await helper.load(storeNode, [storeConfig]);
    store = await (helper.getNode(STORE_ID) as unknown as { getStore(): Promise<SyncStore> }).getStore();
    const outcome = await store.commitWrite(
      { entity: 'customer', ids: { crm: FABRIKAM, erp: '20000' } },
      { system: 'erp', fieldHashes: { name: '0123456789abcdef01234567' } },
      { replace: false },
    );
    fabrikamLink = outcome.link.linkId;
    await store.link({ entity: 'order', ids: { crm: CONTOSO_ORDER, erp: 'S-ORD101001' } }, { replace: false });
    // Node-RED's admin API as a running Node-RED serves it: the helper's admin app on a real port.
    const adminApp = (): RequestListener => (helper as unknown as { _httpAdmin: RequestListener })._httpAdmin;
    nodeRed = createServer((req, res) => adminApp()(req, res));
    nodeRedUrl = await listen(nodeRed);
    page = await startSandboxPage({ bc, dataverse, nodeRed: { url: nodeRedUrl, storeId: STORE_ID }, pollMs: 200 });
  });
  beforeEach(() => {
    bc.reset();
    dataverse.reset();
  });
  after(async () => {
    await Promise.all([page?.close(), ...extraPages.map((p) => p.close())]);
    if (nodeRed) await closeServer(nodeRed);
    await helper.unload();
    await helper.stopServer();
    await Promise.all([bc?.close(), dataverse?.close()]);
    dir.remove();
  });

  describe('the HTML page', () => {
    it('is in the language of Accept-Language, with ?lang= taking precedence', async () => {
      const cases: Array<[header: string, query: string, lang: 'en' | 'de']> = [
        ['de-DE,de;q=0.9,en;q=0.8', '', 'de'],
        ['en-US,en;q=0.9', '', 'en'],
        ['fr-FR, de;q=0.5', '', 'de'],
        ['fr-FR', '', 'en'],
        ['de-AT, en;q=0.8', '?lang=en', 'en'],
        ['en-GB', '?lang=de', 'de'],
      ];
      for (const [header, query, lang] of cases) {
        const response = await http(`${page.url}${query}`, { headers: { 'Accept-Language': header } });
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
        assert.equal(response.headers.get('content-language'), lang, `${header} ${query}`);
        assert.match(response.text, new RegExp(`<html lang="${lang}">`));
        assert.ok(response.text.includes(`<h2 data-t="customers">${PAGE_TEXTS[lang].customers}</h2>`), lang);
        assert.equal(bootData(response.text).lang, lang);
      }
    });

    it('is one self-contained page: no external resources, only its own inline script may run', async () => {
      const response = await http(page.url);
      const html = response.text;
      assert.ok(html.includes('<table id="sync-view"'), 'the main table has the id the browser test waits for');
      assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+rel="stylesheet"|@import|url\(/);
      for (const [, value] of html.matchAll(/\s(?:src|href)="([^"]*)"/g)) {
        assert.match(value ?? '', /^data:/, `resource ${value}`);
      }
      const policy = response.headers.get('content-security-policy') ?? '';
      const hash = createHash('sha256').update(inlineScript(html), 'utf8').digest('base64');
      assert.ok(policy.includes(`script-src 'sha256-${hash}'`), policy);
      assert.match(policy, /default-src 'self'/);
    });

    it('takes every text it shows from the table of each language', async () => {
      const html = (await http(page.url)).text;
      const used = new Set([
        ...[...html.matchAll(/data-t="(\w+)"/g)].map((match) => match[1]!),
        ...[...inlineScript(html).matchAll(/\bt\('(\w+)'/g)].map((match) => match[1]!),
        ...[...inlineScript(html).matchAll(/'((?:crmOrder|erpOrder|blocked)\w+)'/g)].map((match) => match[1]!),
      ]);
      const problems: StoreProblem[] = ['refused', 'timeout', 'auth', 'missing', 'failed', 'invalid'];
      for (const problem of problems) used.add(`store${problem[0]!.toUpperCase()}${problem.slice(1)}`);
      assert.ok(used.size > 40, `found ${used.size} texts`);
      for (const lang of ['en', 'de'] as const) {
        const missing = [...used].filter((key) => !(key in PAGE_TEXTS[lang]));
        assert.deepEqual(missing, [], `texts missing in ${lang}`);
      }
      assert.deepEqual(Object.keys(PAGE_TEXTS.de).sort(), Object.keys(PAGE_TEXTS.en).sort());
      const untranslated = Object.keys(PAGE_TEXTS.en).filter(
        (key) =>
          PAGE_TEXTS.en[key as keyof typeof PAGE_TEXTS.en] === PAGE_TEXTS.de[key as keyof typeof PAGE_TEXTS.de] &&
          /[a-z]{4}/.test(PAGE_TEXTS.en[key as keyof typeof PAGE_TEXTS.en].replace(/\{\w+\}/g, '')),
      );
      assert.deepEqual(untranslated, ['headCrm', 'headErp'], 'German texts equal to the English ones');
    });

    it('keeps record data as data: a name with markup cannot end the script or add one', async () => {
      const headers = await authorization(dataverse);
      const evil = 'Evil </script><script>alert(1)</script> GmbH';
      const patch = await http(`${dataverse.apiUrl}/accounts(${RELECLOUD})`, {
        method: 'PATCH',
        headers,
        body: { name: evil },
      });
      assert.equal(patch.status, 204);
      const html = (await http(page.url)).text;
      assert.equal(html.match(/<script>/g)?.length, 1);
      const account = bootData(html).view.customers.find((row) => row.crm?.id === RELECLOUD);
      assert.equal(account?.crm?.name, evil);
    });
  });

  describe('GET /api/view', () => {
    it('shows the records of both systems, paired by the links of the sync store, with the sync times', async () => {
      const current = await view();
      assert.deepEqual(current.store, { state: 'ok', backend: 'sqlite', links: 2, truncated: false });
      assert.equal(current.erp.company, 'CRONUS International Ltd.');

      const fabrikam = current.customers.find((row) => row.crm?.id === FABRIKAM);
      assert.equal(fabrikam?.erp?.number, '20000');
      assert.equal(fabrikam?.link.by, 'store');
      assert.equal(fabrikam?.link.linkId, fabrikamLink);
      const written = await store.writtenState('customer', fabrikamLink, 'erp');
      assert.deepEqual(fabrikam?.link.syncedAt, { erp: written?.writtenAt });

      // Contoso keeps the ERP number in the CRM but has no link in the store yet.
      const contoso = current.customers.find((row) => row.crm?.id === CONTOSO);
      assert.equal(contoso?.link.by, 'key');
      assert.equal(contoso?.erp?.number, '30000');

      const prospect = current.customers.find((row) => row.crm?.id === RELECLOUD);
      assert.equal(prospect?.crm?.kind, 'prospect');
      assert.equal(prospect?.erp, undefined);
      assert.equal(prospect?.link.by, 'none');
      const adatum = current.customers.find((row) => row.erp?.number === '10000');
      assert.equal(adatum?.crm, undefined, 'Adatum is in the ERP only');
      const crmCount = current.customers.filter((row) => row.crm).length;
      const erpCount = current.customers.filter((row) => row.erp).length;
      assert.deepEqual([crmCount, erpCount], [6, 8], 'every record of both systems has a row');
      assert.deepEqual(current.counts.customers, { total: 11, linked: 1, matched: 2, crmOnly: 3, erpOnly: 5 });

      const order = current.orders.find((row) => row.crm?.id === CONTOSO_ORDER);
      assert.equal(order?.link.by, 'store');
      assert.equal(order?.erp?.number, 'S-ORD101001');
      assert.equal(order?.link.syncedAt.erp, undefined);
      assert.match(order?.link.linkedAt ?? '', /^\d{4}-\d{2}-\d{2}T/);
      assert.equal(current.orders.filter((row) => row.erp).length, 3);

      const figures = current.invoices.find((row) => row.key === fabrikam?.key);
      assert.deepEqual(figures?.crm, { openBalance: null, overdueBalance: null, oldestDueDate: null, checkedAt: null });
      assert.equal(figures?.erp?.openBalance, 1000);
      assert.equal(figures?.currency, 'EUR');
    });

    it('cuts long sections to the first rows by name, counting all records', async () => {
      const all = await view();
      const cut = await view(await pageWith({ nodeRed: { url: nodeRedUrl, storeId: STORE_ID }, maxRows: 3 }));
      assert.deepEqual(
        cut.customers.map((row) => row.key),
        all.customers.slice(0, 3).map((row) => row.key),
      );
      assert.equal(cut.orders.length, 3);
      assert.equal(cut.counts.customers.total, 11);
      assert.equal(cut.counts.orders.total, all.orders.length);
    });

    it('has a change in either emulator in the next poll, and answers 304 while nothing changed', async () => {
      const first = await http<PageView>(`${page.url}api/view`);
      const etag = first.headers.get('etag') ?? '';
      assert.match(etag, /^"[0-9a-f]+"$/);
      const unchanged = await http(`${page.url}api/view`, { headers: { 'If-None-Match': etag } });
      assert.equal(unchanged.status, 304);

      const [crmHeaders, erpHeaders] = await Promise.all([authorization(dataverse), authorization(bc)]);
      const erpFigures = first.body.invoices.find((row) => row.erpNumber === '20000')?.erp;
      const patch = await http(`${dataverse.apiUrl}/accounts(${FABRIKAM})`, {
        method: 'PATCH',
        headers: crmHeaders,
        body: {
          telephone1: '+49 89 4711 99',
          new_openbalance: 999,
          new_overduebalance: erpFigures?.overdueBalance,
          new_oldestduedate: erpFigures?.oldestDueDate,
          new_invoicescheckedat: '2026-01-05T02:00:00Z',
        },
      });
      assert.equal(patch.status, 204);
      const created = await http(`${bc.apiUrl}/companies(${bc.companyId})/customers`, {
        method: 'POST',
        headers: erpHeaders,
        body: { displayName: 'Page Test GmbH', email: 'page@example.com' },
      });
      assert.equal(created.status, 201);

      const next = await http<PageView>(`${page.url}api/view`, { headers: { 'If-None-Match': etag } });
      assert.equal(next.status, 200);
      assert.notEqual(next.headers.get('etag'), etag);
      const fabrikam = next.body.customers.find((row) => row.crm?.id === FABRIKAM);
      assert.equal(fabrikam?.crm?.phone, '+49 89 4711 99');
      assert.deepEqual(fabrikam?.differs, ['phone']);
      const newcomer = next.body.customers.find((row) => row.erp?.name === 'Page Test GmbH');
      assert.ok(newcomer && !newcomer.crm, 'a new ERP customer shows up, not yet in the CRM');
      const figures = next.body.invoices.find((row) => row.key === fabrikam?.key);
      assert.equal(figures?.crm.openBalance, 999);
      assert.equal(figures?.crm.checkedAt, '2026-01-05T02:00:00Z');
      assert.deepEqual(figures?.differs, ['openBalance'], 'only the open balance differs from the ERP');
    });
  });

  describe('when the sync store cannot be read', () => {
    async function expectFallback(target: SandboxPage, problem: StoreProblem): Promise<PageView> {
      const current = await view(target);
      assert.equal(current.store.state, 'unreachable');
      assert.equal(current.store.state === 'unreachable' && current.store.problem, problem);
      // Both systems are still there, paired by the keys they keep themselves.
      const fabrikam = current.customers.find((row) => row.crm?.id === FABRIKAM);
      assert.equal(fabrikam?.link.by, 'key');
      assert.equal(fabrikam?.erp?.number, '20000');
      assert.equal(current.customers.filter((row) => row.erp).length, 8);
      assert.equal(current.orders.filter((row) => row.crm).length, 3);
      return current;
    }

    it('says Node-RED does not answer, and pairs records by their keys', async () => {
      const gone = createServer();
      const url = await listen(gone);
      await closeServer(gone);
      await expectFallback(await pageWith({ nodeRed: { url, storeId: STORE_ID } }), 'refused');
    });

    it('says the store id is not deployed', async () => {
      const current = await expectFallback(
        await pageWith({ nodeRed: { url: nodeRedUrl, storeId: 'no-such-store' } }),
        'missing',
      );
      assert.equal(current.store.state === 'unreachable' && current.store.status, 404);
      assert.match((current.store.state === 'unreachable' && current.store.detail) || '', /no-such-store/);
    });

    it('says Node-RED did not answer in time', async () => {
      const silent = createServer(() => undefined);
      const url = await listen(silent);
      try {
        await expectFallback(await pageWith({ nodeRed: { url, storeId: STORE_ID }, storeTimeoutMs: 300 }), 'timeout');
      } finally {
        await closeServer(silent);
      }
    });

    it('says so when no Node-RED is configured', async () => {
      const current = await view(await pageWith({}));
      assert.deepEqual(current.store, { state: 'off' });
      assert.equal(current.customers.find((row) => row.crm?.id === FABRIKAM)?.link.by, 'key');
    });
  });

  describe('startSandbox', () => {
    it('starts the page with the emulators, names it first in the summary, and reads the store from the environment', async () => {
      const sandbox = await startSandbox(
        {
          SANDBOX_BC_PORT: '0',
          SANDBOX_DATAVERSE_PORT: '0',
          SANDBOX_PAGE_PORT: '0',
          SANDBOX_PERSIST: '0',
          SANDBOX_NODE_RED_URL: nodeRedUrl,
          SANDBOX_STORE_ID: STORE_ID,
        },
        dir.path,
      );
      try {
        assert.deepEqual(sandbox.summary()[0], ['Sandbox page', sandbox.page.url]);
        const current = await view(sandbox.page);
        assert.equal(current.store.state, 'ok');
        assert.equal(current.erp.url, sandbox.bc.apiUrl);
        assert.equal(current.crm.url, sandbox.dataverse.apiUrl);
      } finally {
        await sandbox.close();
      }
      const closed = await http(`${sandbox.page.url}api/view`).catch((error: unknown) => error);
      assert.ok(closed instanceof Error, 'the page stops with the sandbox');
    });
  });

  describe('in a browser', () => {
    it('renders both systems, switches language, and highlights what the next poll changed', async function () {
      const executable = chromiumPath();
      if (!executable) {
        console.log('    (skipped: no Chromium at /usr/bin/chromium)');
        this.skip();
      }
      const browser = await launchChromium(executable!);
      try {
        const context = await browser.newContext({ locale: 'en-US' });
        const tab = await context.newPage();
        const problems = new PageProblems(tab);
        await tab.goto(page.url);
        await tab.locator('#sync-view[data-ready="true"]').waitFor();
        const current = await view();
        assert.equal(await tab.locator('#sync-view tbody tr').count(), current.customers.length);
        assert.equal(await tab.locator('#orders-view tbody tr').count(), current.orders.length);
        assert.match((await tab.locator('#store-status').textContent()) ?? '', /connected \(sqlite\), 2 links/);
        const fabrikamRow = tab.locator(`#sync-view tr[data-key="crm:${FABRIKAM}"]`);
        assert.match((await fabrikamRow.textContent()) ?? '', /linked.*20000/s);

        await tab.locator('button[data-lang="de"]').click();
        assert.equal(await tab.locator('h2[data-t="customers"]').textContent(), PAGE_TEXTS.de.customers);
        assert.match((await fabrikamRow.textContent()) ?? '', /verknüpft/);
        assert.match(tab.url(), /[?&]lang=de/);

        const headers = await authorization(dataverse);
        const patch = await http(`${dataverse.apiUrl}/accounts(${FABRIKAM})`, {
          method: 'PATCH',
          headers,
          body: { telephone1: '+49 89 1234 5' },
        });
        assert.equal(patch.status, 204);
        const changed = fabrikamRow.locator('td.changed');
        await changed.first().waitFor({ timeout: 10_000 });
        assert.deepEqual(
          await changed.allTextContents(),
          ['buchhaltung@fabrikam.de+49 89 1234 5München · Germany'],
          'only the changed cell is highlighted',
        );
        assert.deepEqual(problems.since(0), [], 'console errors on the page');
      } finally {
        await browser.close();
      }
    });
  });
});
