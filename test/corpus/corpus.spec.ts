/**
 * The bad-input corpus (generate.ts) through every node, in real flows against the sandbox emulators:
 * each malformed input is either rejected with a clear error or accepted and stored exactly as given;
 * every message completes once, nothing crashes, and injection strings change no other record.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import connectionNode from '../../nodes/crmerp-connection';
import createOrderNode from '../../nodes/crmerp-create-order';
import deadLettersNode from '../../nodes/crmerp-dead-letters';
import invoiceStatusNode from '../../nodes/crmerp-invoice-status';
import linkIdsNode from '../../nodes/crmerp-link-ids';
import readChangesNode from '../../nodes/crmerp-read-changes';
import storeNode from '../../nodes/crmerp-store';
import upsertCustomerNode from '../../nodes/crmerp-upsert-customer';
import validateNode from '../../nodes/crmerp-validate';
import type { SyncStore } from '../../nodes/lib/store';
import type { StoreNode } from '../../nodes/runtime/store-config';
import { startBcEmulator, startDataverseEmulator, type BcEmulator, type DataverseEmulator } from '../../sandbox';
import { collect, helper, observers, type FlowNode, type ReceivedMsg } from '../support/node-red';
import { tempDir } from '../support/tmp';
import {
  CATEGORIES,
  CORPUS_SEED,
  corpusSize,
  generateCorpus,
  SUBJECTS,
  type CorpusCase,
  type Subject,
} from './generate';
import {
  checkError,
  checkOneOutcome,
  checkStatuses,
  clip,
  errorOf,
  Findings,
  runCases,
  snapshot,
  type Outcome,
} from './harness';

const TAB = 'tab';
const NODE = 'under-test';
const nodes = [
  connectionNode,
  storeNode,
  validateNode,
  linkIdsNode,
  upsertCustomerNode,
  createOrderNode,
  invoiceStatusNode,
  readChangesNode,
  deadLettersNode,
];

type Row = Record<string, unknown>;

interface BcState {
  companies: Array<{ entities: { customers: Row[]; salesOrders: Row[]; salesOrderLines: Row[] } }>;
}

interface DataverseState {
  entities: { accounts: Row[] };
}

const RECORD_WORDS = [/customer|order|record|Kunde|Auftrag/];

function cases(...subjects: Subject[]): CorpusCase[] {
  return generateCorpus(CORPUS_SEED, subjects);
}

/** Canonical customer fields → the BC customer field and the Dataverse account column that keep them. */
const CUSTOMER_COLUMNS: ReadonlyArray<[string, string, string | undefined]> = [
  ['name', 'displayName', 'name'],
  ['email', 'email', 'emailaddress1'],
  ['phone', 'phoneNumber', 'telephone1'],
  ['website', 'website', 'websiteurl'],
  ['taxId', 'taxRegistrationNumber', undefined],
  ['address.line1', 'addressLine1', 'address1_line1'],
  ['address.line2', 'addressLine2', 'address1_line2'],
  ['address.city', 'city', 'address1_city'],
  ['address.county', 'state', 'address1_stateorprovince'],
  ['address.postCode', 'postalCode', 'address1_postalcode'],
];

/** A cheap summary of a value, to tell two generated corpora apart. */
function fingerprint(value: unknown): string {
  if (typeof value === 'string') return `text ${value.length}`;
  if (value === null || typeof value !== 'object') return typeof value;
  return `${Object.prototype.toString.call(value)} ${Object.keys(value).join(',').length}`;
}

function valueAt(record: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Row | undefined)?.[key], record);
}

/** The record with its `crm` id moved to `erp`, for writes whose source is the ERP. */
function fromErp(payload: unknown): unknown {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return payload;
  const ids = (payload as Row).ids;
  if (ids === null || typeof ids !== 'object' || Array.isArray(ids) || !Object.hasOwn(ids, 'crm')) return payload;
  const moved = Object.fromEntries(Object.entries(ids).map(([key, value]) => [key === 'crm' ? 'erp' : key, value]));
  return Object.assign(payload as Row, { ids: moved });
}

describe('bad-input corpus', function () {
  this.timeout(60_000);
  const dir = tempDir('corpus');
  let bc: BcEmulator;
  let dataverse: DataverseEmulator;
  let files = 0;
  const unhandled: string[] = [];
  const onRejection = (reason: unknown) =>
    unhandled.push(`unhandled rejection: ${clip((reason as Error)?.stack ?? reason, 600)}`);
  const onException = (error: Error) => unhandled.push(`uncaught exception: ${clip(error.stack ?? error, 600)}`);

  before(async () => {
    [bc, dataverse] = await Promise.all([startBcEmulator(), startDataverseEmulator()]);
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
  });
  after(async () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    await Promise.all([bc.close(), dataverse.close()]);
    dir.remove();
  });
  beforeEach(() => {
    bc.reset();
    dataverse.reset();
  });
  afterEach(async () => {
    await helper.unload();
    // Give a stray rejection of the test's last message the chance to surface before judging.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled.splice(0), [], 'no unhandled rejection or uncaught exception');
    assert.equal(({} as Row).polluted, undefined, 'Object.prototype is untouched');
  });

  function connections(): FlowNode[] {
    return [
      {
        id: 'erp-conn',
        type: 'crmerp-connection',
        system: 'erp',
        driver: 'bc-api',
        baseUrl: bc.url,
        tenant: bc.tenant,
        environment: 'production',
        company: 'CRONUS International Ltd.',
        authType: 'oauth2',
        tokenUrl: bc.tokenUrl,
        scope: '',
        tlsVerify: true,
        timeout: '10',
        // A mapped custom field, so that custom fields reach the driver.
        customFields: JSON.stringify({ salesperson: 'salespersonCode' }),
      },
      {
        id: 'crm-conn',
        type: 'crmerp-connection',
        system: 'crm',
        driver: 'dataverse',
        baseUrl: dataverse.url,
        tenant: dataverse.tenant,
        authType: 'oauth2',
        tokenUrl: dataverse.tokenUrl,
        scope: '',
        tlsVerify: true,
        timeout: '10',
        erpSystem: 'erp',
        erpNumberColumn: 'new_erpcustomerno',
      },
      {
        id: 'store',
        type: 'crmerp-store',
        backend: 'sqlite',
        file: join(dir.path, `corpus-${files++}.db`),
        synchronous: 'normal',
      },
    ];
  }

  /** Loads the node under test with its config nodes, two outputs and the observers; returns its statuses. */
  async function load(settings: Row & { type: string }): Promise<ReceivedMsg[]> {
    const flow: FlowNode[] = [
      ...observers(TAB, NODE),
      ...connections(),
      { id: NODE, z: TAB, ...settings, wires: [['out1'], ['out2']] },
      { id: 'out1', type: 'helper', z: TAB },
      { id: 'out2', type: 'helper', z: TAB },
    ];
    await helper.load(nodes, flow, {
      'erp-conn': { clientId: bc.clientId, clientSecret: bc.clientSecret },
      'crm-conn': { clientId: dataverse.clientId, clientSecret: dataverse.clientSecret },
    });
    return collect('statuses');
  }

  function store(): Promise<SyncStore> {
    return (helper.getNode('store') as unknown as StoreNode).getStore();
  }

  function bcEntities() {
    return (bc.state() as BcState).companies[0]!.entities;
  }

  function accounts(): Row[] {
    return (dataverse.state() as DataverseState).entities.accounts;
  }

  async function allLinks(entity: string): Promise<Array<{ linkId: string; ids: Record<string, string> }>> {
    const links: Array<{ linkId: string; ids: Record<string, string> }> = [];
    let after: string | undefined;
    do {
      const page = await (await store()).list(entity, { limit: 1000, ...(after ? { after } : {}) });
      links.push(...page.links);
      after = page.next;
    } while (after);
    return links;
  }

  /** The single outcome of a one-record message: accepted (output 1), missed (output 2, no error) or rejected. */
  function verdict(outcome: Outcome): 'accepted' | 'missed' | 'rejected' | 'none' {
    if (outcome.caught.length > 0 || outcome.out2.some((m) => m.error !== undefined)) return 'rejected';
    if (outcome.out1.length > 0) return 'accepted';
    if (outcome.out2.length > 0) return 'missed';
    return 'none';
  }

  function rejection(outcome: Outcome) {
    return errorOf(outcome.caught[0] ?? outcome.out2.find((m) => m.error !== undefined) ?? {});
  }

  /** Whether a record case must be refused by a node that applies `profile`, must be taken, or may go either way. */
  function expected(c: CorpusCase, profile: 'nav' | 'dataverse', writer = true): 'rejected' | 'accepted' | 'either' {
    // Message properties other than the record concern writers; validate looks at the record alone.
    if (c.category === 'message-property' && !writer) return 'accepted';
    if (c.beyondNodeRed || (writer && c.reference)) return 'either';
    if (c.expect === 'accepted' && c.tooLongFor.includes(profile)) return 'rejected';
    return c.expect;
  }

  /**
   * A list: every entry comes out once, on output 1 (done) or on the error path (failed), with its index;
   * a failure of the list names its records. Returns the entries that went through.
   */
  function checkList(outcome: Outcome, findings: Findings): Row[] {
    const total = (outcome.case.payload as unknown[]).length;
    const failed = [...outcome.out2, ...outcome.caught].filter((m) => m.error !== undefined);
    const entries = (msgs: ReceivedMsg[]) =>
      msgs.flatMap((m) => (Array.isArray(m.payload) ? (m.payload as Row[]) : []));
    const done = entries(outcome.out1);
    const indexes = [...done, ...entries(failed)].map((entry) => entry.index).sort((a, b) => Number(a) - Number(b));
    if (indexes.length !== total || indexes.some((index, position) => index !== position)) {
      findings.add(outcome, `list of ${total}: ${indexes.length} entries came out, indexes ${clip(indexes.join(','))}`);
    }
    for (const msg of failed) checkError(outcome, errorOf(msg), findings, { names: RECORD_WORDS });
    return done;
  }

  function judge(outcome: Outcome, want: 'rejected' | 'accepted' | 'either', findings: Findings, got: string): void {
    if (want !== 'either' && got !== want) {
      const error = got === 'rejected' ? `: ${clip(rejection(outcome)?.message)}` : '';
      findings.add(outcome, `expected ${want}, got ${got}${error}`);
    }
  }

  it('holds at least 500 malformed inputs, in every category', () => {
    const corpus = generateCorpus();
    const sizes = corpusSize(corpus);
    assert.ok(corpus.length >= 500, `only ${corpus.length} cases`);
    for (const category of CATEGORIES) assert.ok(sizes[category] > 0, `no ${category} case`);
    // The same seed gives the same cases, and a selection by subject the same as the whole corpus holds.
    const bySubject = SUBJECTS.flatMap((subject) => generateCorpus(CORPUS_SEED, [subject]));
    const key = (c: CorpusCase) => `${c.id} ${c.expect} ${c.field} ${fingerprint(c.payload)}`;
    assert.deepEqual(bySubject.map(key).sort(), corpus.map(key).sort());
  });

  for (const entity of ['customer', 'order'] as const) {
    it(`validate (${entity}, NAV limits): invalid records leave on output 2 naming record and field, valid ones pass unchanged`, async () => {
      const statuses = await load({
        type: 'crmerp-validate',
        schemaSource: 'builtin',
        entity,
        profile: 'nav',
        property: 'payload',
        propertyType: 'msg',
        arrayMode: 'partition',
        lang: 'en',
      });
      const corpus = cases(entity);
      const copies = corpus.map((c) => (c.expect === 'rejected' ? undefined : snapshot(c.payload)));
      const outcomes = await runCases(NODE, corpus, `validate-${entity}`);
      const findings = new Findings();
      for (const [index, outcome] of outcomes.entries()) {
        checkOneOutcome(outcome, findings);
        if (outcome.case.beyondNodeRed) continue;
        if (Array.isArray(outcome.case.payload)) {
          // Two messages at most: the valid records on output 1, the invalid ones on output 2.
          const results = ((outcome.out1[0] ?? outcome.out2[0])?.validation as { results?: Row[] } | undefined)
            ?.results;
          const valid = (outcome.out1[0]?.payload as unknown[] | undefined)?.length ?? 0;
          const invalid = (outcome.out2[0]?.payload as unknown[] | undefined)?.length ?? 0;
          const total = outcome.case.payload.length;
          const counted = results?.every((r, position) => r.index === position) && results.length === total;
          if (!counted || valid + invalid !== total || outcome.out1.length > 1 || outcome.out2.length > 1) {
            findings.add(outcome, `list of ${total}: ${valid} valid and ${invalid} invalid came out`);
          }
          if (outcome.out2[0]) checkError(outcome, errorOf(outcome.out2[0]), findings, { names: RECORD_WORDS });
          continue;
        }
        const got = verdict(outcome);
        judge(outcome, expected(outcome.case, 'nav', false), findings, got);
        if (got === 'rejected') {
          checkError(outcome, rejection(outcome), findings, { field: outcome.case.field, names: RECORD_WORDS });
        } else if (got === 'accepted') {
          const passed = outcome.out1[0]!.payload;
          const unchanged = copies[index] === undefined || isDeepStrictEqual(snapshot(passed), copies[index]);
          if (passed !== outcome.sent.payload || !unchanged)
            findings.add(outcome, 'valid record not passed on as it came');
        } else findings.add(outcome, `outcome ${got}`);
        if (outcome.out1.length + outcome.out2.length !== 1) {
          findings.add(outcome, `${outcome.out1.length + outcome.out2.length} output messages for one record`);
        }
      }
      checkStatuses(statuses, findings, `validate-${entity}`);
      findings.assertNone(`validate ${entity}`);
    });
  }

  /** Upsert customer into `target`; accepted records are read back from the emulator field by field. */
  for (const target of ['erp', 'crm'] as const) {
    it(`upsert customer to ${target}: rejects with a clear error or stores the record literally`, async () => {
      const source = target === 'erp' ? 'crm' : 'erp';
      const profile = target === 'erp' ? 'nav' : 'dataverse';
      const statuses = await load({
        type: 'crmerp-upsert-customer',
        connection: `${target}-conn`,
        store: 'store',
        source,
        sourceType: 'str',
        property: 'payload',
        propertyType: 'msg',
        ownership: '',
        createWritesAll: true,
        // The tax id goes into Business Central's $filter, the e-mail address into Dataverse's.
        naturalKey: target === 'erp' ? 'taxId' : 'email',
        skipProspects: true,
        dryRun: false,
        errorHandling: 'outputs',
        lang: 'en',
      });
      const corpus = cases('customer').map((c) =>
        target === 'crm' ? { ...c, payload: fromErp(c.payload), field: c.field.replace(/^ids\.crm$/, 'ids.erp') } : c,
      );
      const copies = corpus.map((c) => (c.expect === 'rejected' ? undefined : snapshot(c.payload)));
      const seeded = target === 'erp' ? snapshot(bcEntities().customers) : snapshot(accounts());
      const outcomes = await runCases(NODE, corpus, `upsert-${target}`);
      const findings = new Findings();
      let created = 0;
      let linked = 0;
      for (const [index, outcome] of outcomes.entries()) {
        checkOneOutcome(outcome, findings);
        if (outcome.case.beyondNodeRed) continue;
        if (Array.isArray(outcome.case.payload)) {
          const written = checkList(outcome, findings);
          created += written.filter((entry) => entry.result === 'created').length;
          linked += written.length;
          continue;
        }
        const got = verdict(outcome);
        judge(outcome, expected(outcome.case, profile), findings, got);
        if (got === 'rejected') {
          checkError(outcome, rejection(outcome), findings, { field: outcome.case.field, names: RECORD_WORDS });
          continue;
        }
        if (got !== 'accepted') {
          findings.add(outcome, `outcome ${got}`);
          continue;
        }
        const result = outcome.out1[0]!.payload as { result: string; ids: Record<string, string> };
        if (result.result === 'created') created++;
        linked++;
        const input = copies[index] as Row | undefined;
        if (!input) continue; // accepted against expectation: already a finding
        const key = result.ids[target]!;
        const row =
          target === 'erp'
            ? bcEntities().customers.find((r) => r.number === key)
            : accounts().find((r) => r.accountid === key);
        if (!row) {
          findings.add(outcome, `${result.result}, but ${target} has no record ${key}`);
          continue;
        }
        for (const [field, bcField, column] of CUSTOMER_COLUMNS) {
          const stored = target === 'erp' ? bcField : column;
          let given = valueAt(input, field);
          if (stored === undefined || given === undefined) continue;
          // Business Central keeps Code fields (the post code) in capitals.
          if (target === 'erp' && stored === 'postalCode') given = String(given).toUpperCase();
          if (row[stored] !== given) {
            findings.add(
              outcome,
              `${field} stored as ${clip(JSON.stringify(row[stored]))}, sent ${clip(JSON.stringify(given))}`,
            );
          }
        }
        const link = await (await store()).lookup('customer', source, (input.ids as Record<string, string>)[source]!);
        if (link?.ids[target] !== key)
          findings.add(outcome, `link holds ${JSON.stringify(link?.ids)}, not ${target}=${key}`);
      }
      // Nothing else changed: the seeded records are as they were, and only the created ones were added.
      const now = target === 'erp' ? bcEntities().customers : accounts();
      const idField = target === 'erp' ? 'id' : 'accountid';
      const before = seeded as Row[];
      const label = `upsert-${target}`;
      if (now.length !== before.length + created)
        findings.add(label, `${now.length - before.length} records added, ${created} created`);
      for (const row of before) {
        if (!isDeepStrictEqual(snapshot(now.find((r) => r[idField] === row[idField])), row)) {
          findings.add(label, `seeded record ${String(row[idField])} changed`);
        }
      }
      const links = (await allLinks('customer')).length;
      if (links !== linked) findings.add(label, `${links} links for ${linked} customers written`);
      checkStatuses(statuses, findings, `upsert-${target}`);
      findings.assertNone(`upsert customer to ${target}`);
    });
  }

  it('create order: rejects with a clear error or creates the order once, its lines and link as sent', async () => {
    const statuses = await load({
      type: 'crmerp-create-order',
      connection: 'erp-conn',
      store: 'store',
      source: 'crm',
      sourceType: 'str',
      statuses: ['signed', 'won'],
      itemLinks: false,
      itemTable: '{}',
      unknownItem: 'keep',
      useCrmPrices: false,
      writeBack: false,
      crmConnection: '',
      writeBackField: '',
      property: 'payload',
      propertyType: 'msg',
      errorHandling: 'outputs',
      lang: 'en',
    });
    const corpus = cases('order');
    const copies = corpus.map((c) => (c.expect === 'rejected' ? undefined : snapshot(c.payload)));
    const ordersBefore = snapshot(bcEntities().salesOrders) as Row[];
    const outcomes = await runCases(NODE, corpus, 'create-order');
    const findings = new Findings();
    let created = 0;
    for (const [index, outcome] of outcomes.entries()) {
      checkOneOutcome(outcome, findings);
      if (outcome.case.beyondNodeRed) continue;
      if (Array.isArray(outcome.case.payload)) {
        created += checkList(outcome, findings).filter((entry) => entry.result === 'created').length;
        continue;
      }
      const got = verdict(outcome);
      judge(outcome, expected(outcome.case, 'nav'), findings, got);
      if (got === 'rejected') {
        checkError(outcome, rejection(outcome), findings, { field: outcome.case.field, names: RECORD_WORDS });
        continue;
      }
      if (got !== 'accepted') {
        findings.add(outcome, `outcome ${got}`);
        continue;
      }
      const result = outcome.out1[0]!.payload as { result: string; number: string; externalDocumentNumber: string };
      if (result.result === 'created') created++;
      const input = copies[index] as { sourceId: string; lines: Array<{ description?: string; quantity: number }> };
      if (!input) continue; // accepted against expectation: already a finding
      const order = bcEntities().salesOrders.find((o) => o.number === result.number);
      if (!order || order.externalDocumentNumber !== result.externalDocumentNumber) {
        findings.add(outcome, `${result.result}, but BC has no order ${result.number} with that key`);
        continue;
      }
      const lines = bcEntities().salesOrderLines.filter((line) => line.documentId === order.id);
      const sent = input.lines.map((line) => [line.description ?? '', line.quantity]);
      const stored = lines.map((line) => [line.description === undefined ? '' : line.description, line.quantity]);
      for (const [i, [description, quantity]] of sent.entries()) {
        if (description !== '' && stored[i]?.[0] !== description) {
          findings.add(outcome, `line ${i} description stored as ${clip(JSON.stringify(stored[i]?.[0]))}`);
        }
        if (stored[i]?.[1] !== quantity)
          findings.add(outcome, `line ${i} quantity stored as ${String(stored[i]?.[1])}`);
      }
      const link = await (await store()).lookup('order', 'crm', input.sourceId);
      if (link?.ids.erp !== result.number) findings.add(outcome, `order link holds ${JSON.stringify(link?.ids)}`);
    }
    const ordersNow = bcEntities().salesOrders;
    if (ordersNow.length !== ordersBefore.length + created) {
      findings.add('create-order', `${ordersNow.length - ordersBefore.length} orders added, ${created} created`);
    }
    for (const order of ordersBefore) {
      if (!isDeepStrictEqual(snapshot(ordersNow.find((o) => o.id === order.id)), order)) {
        findings.add('create-order', `seeded order ${String(order.number)} changed`);
      }
    }
    const links = (await allLinks('order')).length;
    if (links !== created) findings.add('create-order', `${links} order links for ${created} orders created`);
    checkStatuses(statuses, findings, 'create-order');
    findings.assertNone('create order');
  });

  it('link ids: links, looks up and unlinks malformed ids literally or refuses them clearly', async () => {
    const statuses = await load({
      type: 'crmerp-link-ids',
      store: 'store',
      operation: 'msg',
      entity: 'customer',
      entityType: 'entity',
      system: 'crm',
      systemType: 'str',
      recordId: 'payload',
      recordIdType: 'msg',
      targetSystem: '',
      onConflict: 'error',
      onMiss: 'output2',
      pageSize: '100',
    });
    const findings = new Findings();
    const sentinel = await (
      await store()
    ).link({ entity: 'customer', ids: { crm: 'SENTINEL-1', erp: '10000' } }, { replace: false });

    // Link: whole customer records (their ids), and each record id paired with an ERP id.
    const ids = cases('recordId');
    const linkCases: CorpusCase[] = [
      ...cases('customer'),
      ...ids.map((c, i) => ({ ...c, id: `${c.id}@link`, payload: { ids: { crm: c.payload, erp: `L-${i}` } } })),
    ];
    const linkCopies = linkCases.map((c) => snapshot({ ids: (c.payload as { ids?: unknown } | null)?.ids }));
    const linked = await runCases(NODE, linkCases, 'link', (c) => ({ payload: c.payload, operation: 'link' }));
    const linkedIds = new Map<string, Record<string, string>>();
    for (const [index, outcome] of linked.entries()) {
      checkOneOutcome(outcome, findings);
      if (outcome.case.beyondNodeRed) continue;
      if (Array.isArray(outcome.case.payload)) {
        checkList(outcome, findings);
        continue;
      }
      const got = verdict(outcome);
      // Link takes numbers as ids (kept as text), and nothing of the record but its ids.
      if (/^customer\/missing-id\/ids-(empty|null|nested|list|string|system|value-(201|1MB))/.test(outcome.case.id)) {
        judge(outcome, 'rejected', findings, got);
      }
      if (got === 'rejected') {
        checkError(outcome, rejection(outcome), findings, { names: [/customer|ids|record|link/] });
        continue;
      }
      if (got !== 'accepted') {
        findings.add(outcome, `outcome ${got}`);
        continue;
      }
      const link = outcome.out1[0]!.payload as { ids: Record<string, string> };
      const asked = Object.fromEntries(
        Object.entries(((linkCopies[index] ?? {}) as { ids?: Row }).ids ?? {}).map(([k, v]) => [k, String(v)]),
      );
      if (Object.keys(asked).some((system) => link.ids[system] !== asked[system])) {
        findings.add(outcome, `linked ${clip(JSON.stringify(link.ids))}, asked ${clip(JSON.stringify(asked))}`);
      }
      for (const [system, id] of Object.entries(asked).slice(0, 5)) {
        const found = await (
          await store()
        )
          .lookup('customer', system, id)
          .catch((error: Error) => ({ ids: { error: error.message } as Record<string, string> }));
        if (found?.ids[system] !== id) {
          findings.add(
            outcome,
            `lookup of ${system} ${clip(JSON.stringify(id))} finds ${clip(JSON.stringify(found?.ids))}`,
          );
        }
      }
      if (outcome.case.subject === 'recordId') linkedIds.set(outcome.case.id.replace(/@link$/, ''), link.ids);
    }

    // Lookup and unlink of the bare ids: a linked one finds exactly its link, others miss or are refused.
    for (const operation of ['lookup', 'unlink'] as const) {
      const outcomes = await runCases(NODE, cases('recordId'), operation, (c) => ({ payload: c.payload, operation }));
      for (const outcome of outcomes) {
        checkOneOutcome(outcome, findings);
        if (outcome.case.beyondNodeRed) continue;
        const got = verdict(outcome);
        const link = linkedIds.get(outcome.case.id);
        if (got === 'rejected') {
          if (link && typeof outcome.case.payload === 'string')
            findings.add(outcome, `${operation} refused a linked id`);
          checkError(outcome, rejection(outcome), findings, { names: [/record id|system|customer|msg\./] });
        } else if (got === 'accepted' || got === 'missed') {
          const found = (outcome.out1[0] ?? outcome.out2[0])!.payload as { ids: Record<string, string> } | null;
          const expectedIds = link && typeof outcome.case.payload === 'string' ? link : undefined;
          if (expectedIds && JSON.stringify(found?.ids) !== JSON.stringify(expectedIds)) {
            findings.add(
              outcome,
              `${operation} found ${clip(JSON.stringify(found?.ids))}, linked ${clip(JSON.stringify(expectedIds))}`,
            );
          }
          if (!expectedIds && found !== null && operation === 'lookup' && typeof outcome.case.payload === 'string') {
            findings.add(outcome, `lookup of an unlinked id found ${clip(JSON.stringify(found.ids))}`);
          }
        } else findings.add(outcome, `outcome ${got}`);
      }
    }

    // msg.operation and friends that make no sense.
    const requests = cases('deadLetters').filter((c) => 'operation' in c.message);
    const answered = await runCases(NODE, requests, 'link-requests');
    for (const outcome of answered) {
      checkOneOutcome(outcome, findings);
      if (outcome.case.beyondNodeRed) continue;
      if (verdict(outcome) === 'rejected')
        checkError(outcome, rejection(outcome), findings, { names: [/operation|filter|cursor|msg\./] });
    }

    const kept = await (await store()).lookup('customer', 'crm', 'SENTINEL-1');
    if (!isDeepStrictEqual(kept, sentinel.link)) findings.add('link-ids', 'the sentinel link changed');
    checkStatuses(statuses, findings, 'link-ids');
    findings.assertNone('link ids');
  });

  // By the ERP's own customer numbers (into Business Central's $filter), and by CRM ids through the store.
  for (const [lookupBy, system] of [
    ['customer', ''],
    ['invoice', 'crm'],
  ] as const) {
    it(`invoice status by ${lookupBy}${system ? ` from ${system} ids` : ''}: bad ids are refused or not found, clearly`, async () => {
      const statuses = await load({
        type: 'crmerp-invoice-status',
        erp: 'erp-conn',
        store: 'store',
        lookupBy,
        system,
        systemType: 'str',
        recordId: 'payload',
        recordIdType: 'msg',
        errorHandling: 'outputs',
        writeSummary: false,
        crm: 'crm-conn',
        crmFields: [],
      });
      const before = snapshot(bc.state());
      const outcomes = await runCases(NODE, cases('recordId'), `invoices-${lookupBy}-${system}`);
      const findings = new Findings();
      for (const outcome of outcomes) {
        checkOneOutcome(outcome, findings);
        if (outcome.case.beyondNodeRed) continue;
        if (Array.isArray(outcome.case.payload)) {
          checkList(outcome, findings);
          continue;
        }
        const got = verdict(outcome);
        if (got === 'rejected') {
          checkError(outcome, rejection(outcome), findings, { names: [/invoice|customer|id/] });
        } else if (got === 'accepted') {
          const msg = outcome.out1[0]!;
          const customer = (msg.erp as { customer?: string } | undefined)?.customer;
          const invoices = (msg.payload as { invoices?: Array<{ customer: { number?: string } }> }).invoices ?? [];
          const asked = String(outcome.case.payload).trim();
          if (lookupBy === 'customer' && customer !== asked)
            findings.add(outcome, `answered for customer ${String(customer)}`);
          if (invoices.some((invoice) => lookupBy === 'customer' && invoice.customer.number !== asked)) {
            findings.add(outcome, 'answered with invoices of another customer');
          }
        } else findings.add(outcome, `outcome ${got}`);
      }
      if (!isDeepStrictEqual(snapshot(bc.state()), before)) findings.add('invoice-status', 'a look-up changed the ERP');
      checkStatuses(statuses, findings, `invoice-status-${lookupBy}`);
      findings.assertNone(`invoice status by ${lookupBy}`);
    });
  }

  for (const advanceOn of ['ack', 'sent'] as const) {
    it(`read changes (advance when ${advanceOn}): odd triggers and forged acknowledgements move no watermark`, async () => {
      const statuses = await load({
        type: 'crmerp-read-changes',
        connection: 'erp-conn',
        store: 'store',
        entity: 'customer',
        batchSize: 3,
        watermark: '',
        advanceOn,
        errorHandling: 'outputs',
      });
      const outcomes = await runCases(NODE, cases('trigger'), `changes-${advanceOn}`);
      const findings = new Findings();
      for (const outcome of outcomes) {
        checkOneOutcome(outcome, findings);
        if (outcome.case.beyondNodeRed) continue;
        if (verdict(outcome) === 'rejected') checkError(outcome, rejection(outcome), findings);
      }
      // With acknowledgements, none of ours came back; without, the watermark is a change BC made, not a forged one.
      const watermark = await (await store()).getWatermark('erp.customer');
      const at = Date.parse(String(watermark).split('#')[0]!);
      const moved = advanceOn === 'ack' ? watermark !== undefined : !(Number.isFinite(at) && at <= Date.now());
      if (moved) findings.add(`read-changes-${advanceOn}`, `watermark at ${clip(watermark)}`);
      checkStatuses(statuses, findings, `read-changes-${advanceOn}`);
      findings.assertNone(`read changes (${advanceOn})`);
    });
  }

  it('dead letters: malformed requests are refused clearly and discard nothing they do not name', async () => {
    const statuses = await load({
      type: 'crmerp-dead-letters',
      store: 'store',
      operation: 'msg',
      entity: '',
      writer: '',
      code: '',
      pageSize: '100',
    });
    const kept = await store();
    const letters = await Promise.all(
      ['A-1', 'A-2', 'A-3'].map((id) =>
        kept.putDeadLetter({
          entity: 'customer',
          operation: 'upsert-customer',
          source: 'crm',
          key: `crm:${id}`,
          payload: { ids: { crm: id }, name: `Kunde ${id}` },
          code: 'REJECTED',
          reason: 'kept for the corpus',
        }),
      ),
    );
    const outcomes = await runCases(NODE, cases('deadLetters'), 'dead-letters');
    const findings = new Findings();
    for (const outcome of outcomes) {
      checkOneOutcome(outcome, findings);
      if (outcome.case.beyondNodeRed) continue;
      if (verdict(outcome) === 'rejected') {
        checkError(outcome, rejection(outcome), findings, {
          names: [/operation|filter|cursor|dead letter|payload|entity|source|code|msg\./],
        });
      }
      if (outcome.out1.length > 0)
        findings.add(outcome, `replayed ${outcome.out1.length} dead letter(s) it did not name`);
    }
    const left = (await kept.listDeadLetters({ limit: 10 })).deadLetters.map((l) => l.id);
    const gone = letters.filter((l) => !left.includes(l.id));
    if (gone.length > 0)
      findings.add('dead-letters', `${gone.length} kept dead letter(s) discarded by requests that named none`);
    checkStatuses(statuses, findings, 'dead-letters');
    findings.assertNone('dead letters');
  });
});
