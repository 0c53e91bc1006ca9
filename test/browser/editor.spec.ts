/**
 * The editor in a real browser, started the way `npm start` starts it: every node type of the package
 * in the palette, every edit dialog opening and closing without a console error, the German editor,
 * and screenshots of the main flow and of the sandbox page.
 *
 * Uses the system's Chromium (Debian package `chromium`); skipped without one, except on CI.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { flowFiles, mergeFlows, type FlowNode } from '../../dev/flows';
import { chromiumPath, launchChromium, PageProblems } from '../support/chromium';
import { freePorts, startDevServer, type DevServer } from '../support/dev-server';
import { tempDir } from '../support/tmp';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  'node-red': { nodes: Record<string, string> };
};
const OUR_TYPES = Object.keys(pkg['node-red'].nodes);
const CATEGORY = 'crm_erp';
const GERMAN_DIALOG_TYPE = 'crmerp-validate';
const flows = mergeFlows(flowFiles());
const screenshotDir = resolve(root, process.env.CRMERP_SCREENSHOTS || join('test-results', 'screenshots'));

type Messages = Record<string, Record<string, unknown> & { paletteLabel?: string; label?: Record<string, string> }> & {
  palette: { label: Record<string, string> };
};
function messages(lang: 'en-US' | 'de', type: string): Messages {
  return JSON.parse(readFileSync(join(root, 'nodes', 'locales', lang, `${type}.json`), 'utf8')) as Messages;
}

/**
 * Monaco, the code editor inside Node-RED's dialogs, can throw "Model is disposed!" from its folding
 * computation when a dialog with a JSON editor closes before Monaco's JSON worker has answered; Node-RED's
 * own template node does the same. Ignored only when every frame of the stack is Monaco's own.
 */
function monacoDisposeRace(problem: string): boolean {
  const frames = problem.split('\n').filter((line) => /^\s+at /.test(line));
  return (
    problem.startsWith('page error: Error: Model is disposed!') &&
    frames.length > 0 &&
    frames.every((frame) => frame.includes('/vendor/monaco/'))
  );
}

/** The parts of the editor's global `RED` the test reads (the page functions run in the browser). */
interface EditorNode {
  id: string;
  type: string;
  z?: string;
}
interface EditorGlobal {
  RED?: {
    nodes?: {
      node(id: string): EditorNode | null;
      getType(type: string): { category: string } | undefined;
      import(nodes: object[], options: object): unknown;
    };
    workspaces: { active(): string };
    sidebar: { show(id: string): void };
    utils: { getNodeLabel(node: EditorNode, fallback: string): string };
    view: { redraw(full: boolean): void };
    actions: { invoke(name: string): void };
  };
}
/** What the i18n check reads of an element. */
interface TranslatedElement {
  getAttribute(name: string): string | null;
  textContent: string | null;
}

describe('editor in a browser (npm start, Chromium)', function () {
  this.timeout(30_000);

  let server: DevServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let problems: PageProblems;
  let editorUrl: string;
  const dirs: Array<ReturnType<typeof tempDir>> = [];

  before(async function () {
    this.timeout(120_000);
    const executable = chromiumPath();
    if (!executable) {
      if (process.env.CI) {
        throw new Error('no Chromium at /usr/bin/chromium: .ci/run must install it (apt-get install chromium)');
      }
      console.log(
        '    (skipped: no Chromium at /usr/bin/chromium; install the chromium package to run the editor test)',
      );
      this.skip();
    }
    const [userDir, sandboxDir] = [tempDir('browser-user'), tempDir('browser-sandbox')];
    dirs.push(userDir, sandboxDir);
    const [editorPort, bcPort, dataversePort, pagePort] = await freePorts(4);
    const starting = startDevServer(
      {
        CRMERP_HOST: '127.0.0.1',
        CRMERP_PORT: String(editorPort),
        CRMERP_USER_DIR: userDir.path,
        SANDBOX_BC_PORT: String(bcPort),
        SANDBOX_DATAVERSE_PORT: String(dataversePort),
        SANDBOX_PAGE_PORT: String(pagePort),
        SANDBOX_DATA_DIR: sandboxDir.path,
        // Otherwise Node-RED 4.1 asks on first start whether to enable update notifications, in a modal dialog.
        NODE_RED_DISABLE_TELEMETRY: '1',
      },
      90_000,
    );
    const launching = launchChromium(executable!);
    const [started, launched] = await Promise.allSettled([starting, launching]);
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    if (started.status === 'rejected') throw started.reason;
    if (launched.status === 'rejected') throw launched.reason;

    editorUrl = server!.row('Node-RED editor') ?? '';
    assert.match(editorUrl, /^http:\/\/127\.0\.0\.1:\d+/, `the banner names the editor:\n${server!.output()}`);
    context = await editorContext(browser!, 'en-US');
    page = await context.newPage();
    problems = new PageProblems(page, monacoDisposeRace);
    try {
      await openEditor(page, editorUrl);
    } catch (error) {
      mkdirSync(screenshotDir, { recursive: true });
      await page.screenshot({ path: join(screenshotDir, 'failed-open-editor.png') }).catch(() => undefined);
      throw new Error(`the editor did not load: ${String(error)}\n${problems.since(0).join('\n')}`);
    }
  });

  /** What the editor showed when a test failed, next to the screenshots (once per test). */
  const captured = new Set<Mocha.Test>();
  async function keepFailureScreenshot(test: Mocha.Test | undefined): Promise<void> {
    if (!test || test.state !== 'failed' || captured.has(test) || !page) return;
    captured.add(test);
    mkdirSync(screenshotDir, { recursive: true });
    const name = test
      .fullTitle()
      .replace(/[^\w-]+/g, '-')
      .slice(0, 100);
    await page.screenshot({ path: join(screenshotDir, `failed-${name}.png`) }).catch(() => undefined);
  }

  afterEach(async function () {
    await keepFailureScreenshot(this.currentTest);
  });

  after(async function () {
    this.timeout(30_000);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    for (const dir of dirs) dir.remove();
  });

  it('loads the flows of flows/ without console errors', () => {
    assert.deepEqual(problems.since(0), [], 'console errors while the editor loaded');
  });

  it('shows every node type of the package, in the "CRM ⇄ ERP" category or among the config nodes', async () => {
    const categories = await page.evaluate(
      (types) => types.map((type) => (globalThis as EditorGlobal).RED!.nodes!.getType(type)?.category ?? 'missing'),
      OUR_TYPES,
    );
    const byType = Object.fromEntries(OUR_TYPES.map((type, i) => [type, categories[i]]));
    for (const [type, category] of Object.entries(byType)) {
      assert.ok(category === CATEGORY || category === 'config', `${type} is registered in ${category}`);
    }
    const header = page.locator(`#red-ui-palette-header-${CATEGORY} span`);
    assert.equal(await header.textContent(), messages('en-US', OUR_TYPES[0]!).palette.label[CATEGORY]);
    const paletteTypes = await page
      .locator(`#red-ui-palette-base-category-${CATEGORY} .red-ui-palette-node`)
      .evaluateAll((elements: TranslatedElement[]) =>
        elements.map((element) => element.getAttribute('data-palette-type')),
      );
    const expected = OUR_TYPES.filter((type) => byType[type] === CATEGORY);
    assert.ok(expected.length > 0, 'the package has nodes for the palette');
    assert.deepEqual([...paletteTypes].sort(), [...expected].sort());
    for (const type of expected) {
      const entry = page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
      assert.ok(await entry.isVisible(), `${type} is visible in the palette`);
      const label = messages('en-US', type)[type]?.paletteLabel;
      if (label) assert.equal(normalized(await entry.locator('.red-ui-palette-label').textContent()), label);
    }
  });

  it('shows the main flow (screenshot)', async () => {
    const tab = flows.find((node) => node.type === 'tab');
    assert.ok(tab, 'flows/ has a tab');
    await showTab(page, tab.id);
    for (const node of flows.filter((n) => n.z === tab.id)) {
      await page.locator(nodeSelector(node.id)).waitFor({ state: 'visible' });
    }
    await page.mouse.move(1, 999);
    mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: join(screenshotDir, 'main-flow.png') });
  });

  it('shows the sandbox page (screenshot)', async function () {
    const row = server!.row('Sandbox page');
    const url = row && /https?:\/\/\S+/.exec(row)?.[0];
    if (!url) {
      console.log('    (skipped: the start banner has no "Sandbox page" row yet, so there is no sandbox page to show)');
      this.skip();
    }
    const sandboxPage = await context!.newPage();
    const sandboxProblems = new PageProblems(sandboxPage);
    try {
      await sandboxPage.goto(url!, { waitUntil: 'load' });
      await sandboxPage.locator('#sync-view').waitFor({ state: 'visible' });
      mkdirSync(screenshotDir, { recursive: true });
      await sandboxPage.screenshot({ path: join(screenshotDir, 'sandbox-page.png'), fullPage: true });
      assert.deepEqual(sandboxProblems.since(0), [], 'console errors on the sandbox page');
    } finally {
      await sandboxPage.close();
    }
  });

  it('speaks German to a German browser: palette and edit dialog', async function () {
    this.timeout(90_000);
    const en = messages('en-US', GERMAN_DIALOG_TYPE);
    const de = messages('de', GERMAN_DIALOG_TYPE);
    const germanLabels = Object.entries(de[GERMAN_DIALOG_TYPE]?.label ?? {})
      .filter(([key, text]) => en[GERMAN_DIALOG_TYPE]?.label?.[key] !== text)
      .map(([, text]) => text);
    assert.ok(germanLabels.length > 0, `${GERMAN_DIALOG_TYPE} has German labels that differ from the English ones`);

    const german = await editorContext(browser!, 'de-DE');
    try {
      const germanPage = await german.newPage();
      const germanProblems = new PageProblems(germanPage, monacoDisposeRace);
      await openEditor(germanPage, editorUrl);
      const header = germanPage.locator(`#red-ui-palette-header-${CATEGORY} span`);
      assert.equal(await header.textContent(), de.palette.label[CATEGORY]);
      const paletteLabel = germanPage.locator(
        `.red-ui-palette-node[data-palette-type="${GERMAN_DIALOG_TYPE}"] .red-ui-palette-label`,
      );
      assert.equal(normalized(await paletteLabel.textContent()), de[GERMAN_DIALOG_TYPE]?.paletteLabel);

      const form = await openDialog(germanPage, GERMAN_DIALOG_TYPE);
      const labels = (await form.locator('label').allTextContents()).map((text) => text.trim());
      for (const text of germanLabels) {
        assert.ok(labels.includes(text), `German label "${text}" in the dialog; labels: ${labels.join(' | ')}`);
      }
      assert.deepEqual(await untranslated(form), [], 'untranslated texts in the German dialog');
      await cancelDialog(germanPage);
      assert.deepEqual(germanProblems.since(0), [], 'console errors in the German editor');
    } finally {
      await german.close();
    }
  });

  describe('edit dialogs', () => {
    afterEach(async function () {
      await keepFailureScreenshot(this.currentTest);
      // A failed check can leave a dialog open; close it so the next type starts from the flow.
      await page.evaluate(() => (globalThis as EditorGlobal).RED!.actions.invoke('core:cancel-edit-tray'));
      await page.waitForSelector('.red-ui-tray', { state: 'detached' });
    });

    for (const type of OUR_TYPES) {
      it(`${type}: opens, shows translated labels and cancels without console errors`, async () => {
        const mark = problems.mark();
        const form = await openDialog(page, type);
        assert.deepEqual(await untranslated(form), [], `${type}: untranslated texts in the edit dialog`);
        await cancelDialog(page);
        assert.deepEqual(problems.since(mark), [], `${type}: console errors in the edit dialog`);
      });
    }
  });
});

/**
 * A browser context in `locale` (navigator.language and Accept-Language, which the editor follows).
 * The palette manager's catalogue on the internet is answered with an empty one: the test runs offline.
 */
async function editorContext(browser: Browser, locale: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale });
  context.setDefaultTimeout(10_000);
  await context.route('https://catalogue.nodered.org/**', (route) =>
    route.fulfill({ json: { name: 'offline', updated_at: new Date().toISOString(), modules: [] } }),
  );
  return context;
}

async function openEditor(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
  const ids = flows.filter((node) => OUR_TYPES.includes(node.type)).map((node) => node.id);
  await page.waitForFunction(
    (expected) => {
      const nodes = (globalThis as EditorGlobal).RED?.nodes;
      return !!nodes && expected.every((id) => nodes.node(id) !== null);
    },
    ids,
    { timeout: 60_000 },
  );
  await page.locator(`#red-ui-palette-container-${CATEGORY}`).waitFor({ state: 'visible', timeout: 30_000 });
}

/** Palette labels wrap at spaces the editor inserts; compare them with single spaces. */
function normalized(text: string | null): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

function nodeSelector(id: string): string {
  return `g.red-ui-flow-node-group[id="${id}"]`;
}

async function showTab(page: Page, tabId: string): Promise<void> {
  await page.locator(`#red-ui-tab-${tabId.replace('.', '-')} .red-ui-tab-label`).click();
  await page.waitForFunction((id) => (globalThis as EditorGlobal).RED!.workspaces.active() === id, tabId);
}

/**
 * Opens the edit dialog of a node of `type` the way a user does: a double-click on the node in its
 * flow, or on its entry in the config sidebar. A type that flows/ lacks is imported first.
 * Resolves with the dialog's form.
 */
async function openDialog(page: Page, type: string): Promise<Locator> {
  const isConfig = await page.evaluate(
    (t) => (globalThis as EditorGlobal).RED!.nodes!.getType(t)?.category === 'config',
    type,
  );
  const node: Pick<FlowNode, 'id'> & { z?: unknown } =
    flows.find((n) => n.type === type) ?? (await importNode(page, type, isConfig));
  if (isConfig) {
    await page.evaluate(() => (globalThis as EditorGlobal).RED!.sidebar.show('config'));
    const label = await page.evaluate((id) => {
      const RED = (globalThis as EditorGlobal).RED!;
      return RED.utils.getNodeLabel(RED.nodes!.node(id)!, id);
    }, node.id);
    const entry = page
      .locator('#red-ui-sidebar-node-config .red-ui-palette-node-config')
      .filter({ has: page.getByText(label, { exact: true }) })
      .first();
    await entry.dblclick();
    await page.locator('#node-config-dialog-cancel').waitFor({ state: 'visible' });
    return page.locator('#node-config-dialog-edit-form');
  }
  if (typeof node.z === 'string') await showTab(page, node.z);
  const target = page.locator(nodeSelector(node.id));
  const cancel = page.locator('#node-dialog-cancel');
  // The editor tells a double-click from two clicks by the time between them; on a busy machine a
  // double-click can arrive as two clicks, so try again while no dialog opened.
  for (let attempt = 1; !(await cancel.isVisible()); attempt++) {
    await target.dblclick({ delay: 30 });
    const opened = await cancel.waitFor({ state: 'visible', timeout: 10_000 }).then(
      () => true,
      () => false,
    );
    if (!opened && attempt === 3)
      throw new Error(`${type}: no edit dialog after three double-clicks on node ${node.id}`);
  }
  return page.locator('#dialog-form');
}

/** Adds a node of `type` with its defaults to the open flow (or as a global config node). */
async function importNode(page: Page, type: string, isConfig: boolean): Promise<{ id: string; z?: string }> {
  return page.evaluate(
    ({ nodeType, config }) => {
      const RED = (globalThis as EditorGlobal).RED!;
      const id = `browser-test-${nodeType}`;
      const z = RED.workspaces.active();
      RED.nodes!.import([config ? { id, type: nodeType } : { id, type: nodeType, z, x: 400, y: 500, wires: [] }], {
        applyNodeDefaults: true,
      });
      RED.view.redraw(true);
      return config ? { id } : { id, z };
    },
    { nodeType: type, config: isConfig },
  );
}

async function cancelDialog(page: Page): Promise<void> {
  const config = page.locator('#node-config-dialog-cancel');
  await ((await config.isVisible()) ? config : page.locator('#node-dialog-cancel')).click();
  await page.waitForSelector('.red-ui-tray', { state: 'detached' });
}

/** Elements of the form whose `data-i18n` text stayed empty or shows its key: a message missing in the locale. */
function untranslated(form: Locator): Promise<string[]> {
  return form.locator('[data-i18n]').evaluateAll((elements: TranslatedElement[]) =>
    elements.flatMap((element) =>
      (element.getAttribute('data-i18n') ?? '').split(';').flatMap((spec) => {
        const match = /^\[([a-z]+)\](.*)$/.exec(spec);
        const attribute = match?.[1];
        const key = (match ? match[2]! : spec).replace(/^[^:]*:/, '');
        const shown =
          attribute && !['html', 'prepend', 'append'].includes(attribute)
            ? element.getAttribute(attribute)
            : element.textContent;
        const empty = !attribute || attribute === 'html' ? !shown?.trim() : false;
        return key && (empty || shown?.includes(key)) ? [`${spec} shows "${shown ?? ''}"`] : [];
      }),
    ),
  );
}
