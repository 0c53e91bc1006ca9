import assert from 'node:assert/strict';
import { SyncError } from '../../nodes/lib/errors';
import type { Customer } from '../../nodes/lib/model/types.generated';
import { DEFAULT_OWNERSHIP } from '../../nodes/lib/sync/ownership';
import { CustomerUpsert, type UpsertOptions, type UpsertResult } from '../../nodes/lib/sync/upsert-customer';
import { startSystems, type Systems } from '../support/systems';

const CRM_ID = '0a0a0a0a-0000-4000-8000-000000000101';

function crmCustomer(overrides: Partial<Customer> = {}): Customer {
  return {
    ids: { crm: CRM_ID },
    name: 'Wingtip Toys GmbH',
    email: 'einkauf@wingtip.example',
    phone: '+49 30 5550100',
    address: { line1: 'Friedrichstraße 1', city: 'Berlin', postCode: '10117', country: 'DE' },
    lifecycle: 'customer',
    ...overrides,
  };
}

function options(overrides: Partial<UpsertOptions> = {}): UpsertOptions {
  return {
    source: 'crm',
    ownership: { ...DEFAULT_OWNERSHIP },
    createWritesAll: true,
    naturalKey: 'email',
    dryRun: false,
    skipProspects: false,
    lang: 'en',
    ...overrides,
  };
}

async function bcCustomerCount(systems: Systems): Promise<number> {
  const state = (await (await fetch(`${systems.bc.url}/_admin/state`)).json()) as {
    companies: Array<{ entities: { customers: unknown[] } }>;
  };
  return state.companies[0]?.entities.customers.length ?? 0;
}

describe('upsert customer (core)', function () {
  this.timeout(30_000);
  let systems: Systems;

  beforeEach(async () => {
    systems = await startSystems();
  });
  afterEach(() => systems.close());

  describe('CRM → ERP (Business Central)', () => {
    const toErp = (extra: Partial<UpsertOptions> = {}) =>
      new CustomerUpsert(systems.erp, systems.store, options(extra));

    it('creates, then finds the record through its link: unchanged, updated, never duplicated', async () => {
      const before = await bcCustomerCount(systems);
      const created = await toErp().one(crmCustomer());
      assert.equal(created.result, 'created');
      assert.equal(created.matchedBy, 'none');
      const number = created.ids.erp!;
      assert.match(number, /^C\d+/);
      assert.equal(await bcCustomerCount(systems), before + 1);
      const link = await systems.store.lookup('customer', 'crm', CRM_ID);
      assert.deepEqual(link?.ids, { crm: CRM_ID, erp: number });

      const again = await toErp().one(crmCustomer());
      assert.deepEqual(
        [again.result, again.matchedBy, again.reason],
        ['unchanged', 'link', 'no owned field changed since the last write'],
      );

      const changed = await toErp().one(crmCustomer({ phone: '+49 30 5550199' }));
      assert.equal(changed.result, 'updated');
      assert.deepEqual(changed.write, { phone: '+49 30 5550199' });
      const inBc = await systems.erp.customers!.getByNumber(number);
      assert.equal(inBc?.data.phone, '+49 30 5550199');
      assert.equal(await bcCustomerCount(systems), before + 1);
    });

    it('never overwrites an ERP-led field from the CRM side', async () => {
      const created = await toErp().one(crmCustomer());
      const moved = await toErp().one(
        crmCustomer({ address: { line1: 'Elsewhere 9', city: 'Hamburg', postCode: '20095', country: 'DE' } }),
      );
      assert.equal(moved.result, 'unchanged');
      const inBc = await systems.erp.customers!.getByNumber(created.ids.erp!);
      assert.equal(inBc?.data.address?.city, 'Berlin', 'the address was written on create only');
    });

    it('writes only the fields the source leads when create is limited to them', async () => {
      const created = await toErp({ createWritesAll: false }).one(crmCustomer());
      assert.equal(created.write?.address, undefined);
      const inBc = await systems.erp.customers!.getByNumber(created.ids.erp!);
      assert.equal(inBc?.data.address?.city, undefined);
      assert.equal(inBc?.data.email, 'einkauf@wingtip.example');
    });

    it('plans in a dry run and touches nothing', async () => {
      const before = await bcCustomerCount(systems);
      const plan = await toErp({ dryRun: true }).one(crmCustomer());
      assert.equal(plan.result, 'planned');
      assert.equal(plan.action, 'create');
      assert.equal(plan.write?.name, 'Wingtip Toys GmbH');
      assert.equal(await bcCustomerCount(systems), before);
      assert.equal(await systems.store.lookup('customer', 'crm', CRM_ID), undefined);
    });

    it('matches an existing ERP customer by e-mail and links it instead of creating a second', async () => {
      const before = await bcCustomerCount(systems);
      const adatum = crmCustomer({ name: 'Adatum Corporation', email: 'ar@adatum.com', phone: '+1 425 555 0100' });
      const result = await toErp().one(adatum);
      assert.deepEqual([result.result, result.matchedBy, result.ids.erp], ['updated', 'naturalKey', '10000']);
      assert.equal(await bcCustomerCount(systems), before);
    });

    it('rejects an ambiguous natural key, a prospect, and an ERP customer linked to someone else', async () => {
      const first = await toErp().one(crmCustomer({ name: 'Adatum Corporation', email: 'ar@adatum.com' }));
      assert.equal(first.ids.erp, '10000');
      const other = await toErp().one(crmCustomer({ ids: { crm: 'other-crm-id' }, email: 'ar@adatum.com' }));
      assert.equal(other.result, 'rejected');
      assert.match(other.reason ?? '', /erp 10000 is already linked to crm 0a0a0a0a-/);
      assert.equal(other.error?.code, 'REJECTED');

      await systems.erp.customers!.create({ ids: {}, name: 'Adatum Subsidiary', email: 'twin@adatum.com' });
      await systems.erp.customers!.create({ ids: {}, name: 'Adatum Twin', email: 'twin@adatum.com' });
      const ambiguous = await toErp().one(crmCustomer({ ids: { crm: 'twin' }, email: 'twin@adatum.com' }));
      assert.equal(ambiguous.result, 'rejected');
      assert.match(ambiguous.reason ?? '', /^2 customers in erp share its email \(C\d+, C\d+\); link it by hand$/);

      const prospect = await toErp({ skipProspects: true }).one(
        crmCustomer({ ids: { crm: 'p-1' }, lifecycle: 'prospect' }),
      );
      assert.match(prospect.reason ?? '', /it is a prospect; only customers go to erp/);
    });

    it('fails a record over the NAV limits with VALIDATION before anything is written', async () => {
      const before = await bcCustomerCount(systems);
      await assert.rejects(
        toErp().one(crmCustomer({ address: { city: 'Sankt Johann im Pongau Nord-West', country: 'AT' } })),
        (error: unknown) =>
          error instanceof SyncError &&
          error.code === 'VALIDATION' &&
          /address\.city is 32 characters long; the limit is 30/.test(error.message),
      );
      assert.equal(await bcCustomerCount(systems), before);
    });

    it('writes a mixed batch through $batch: valid ones written, invalid ones reported, none lost', async () => {
      const records = [
        crmCustomer({ ids: { crm: 'b-1' }, email: 'one@b.example' }),
        crmCustomer({ ids: { crm: 'b-2' }, email: 'two@b.example', phone: '1'.repeat(31) }),
        crmCustomer({ ids: { crm: 'b-3' }, email: 'three@b.example', paymentTerms: 'NOPE' }),
        { name: 'no ids at all' },
        crmCustomer({ ids: { crm: 'b-5' }, email: 'five@b.example' }),
      ];
      const before = await bcCustomerCount(systems);
      const results = await toErp().many(records);
      const kinds = results.map((r) => (r instanceof SyncError ? r.code : (r as UpsertResult).result));
      assert.deepEqual(kinds, ['created', 'VALIDATION', 'VALIDATION', 'VALIDATION', 'created']);
      assert.equal(await bcCustomerCount(systems), before + 2);
      assert.match(
        (results[1] as SyncError).message,
        /record 1 \(customer crm=b-2\) has 1 invalid field: phone is 31 characters long/,
      );
      assert.ok(await systems.store.lookup('customer', 'crm', 'b-5'));
      assert.equal(await systems.store.lookup('customer', 'crm', 'b-3'), undefined);
    });
    it('looks the e-mails of a batch up in one request, and matches each record as it would alone', async () => {
      await systems.erp.customers!.create({ ids: {}, name: 'Adatum Subsidiary', email: 'twin@adatum.com' });
      await systems.erp.customers!.create({ ids: {}, name: 'Adatum Twin', email: 'twin@adatum.com' });
      const budget = 1000;
      systems.bc.faults.add({ kind: 'latency', latencyMs: 0, path: '*/customers', method: 'GET', count: budget });
      const lookups = () => budget - (systems.bc.faults.list()[0]?.count ?? 0);
      const before = await bcCustomerCount(systems);
      const results = await toErp().many([
        crmCustomer({ ids: { crm: 'n-1' }, name: 'Adatum Corporation', email: 'ar@adatum.com' }),
        crmCustomer({ ids: { crm: 'n-2' }, email: 'twin@adatum.com' }),
        crmCustomer({ ids: { crm: 'n-3' }, email: 'new-one@n.example' }),
        crmCustomer({ ids: { crm: 'n-4' }, email: 'new-two@n.example' }),
      ]);
      assert.equal(lookups(), 1, 'one GET for four e-mails');
      const summary = results.map((r) => (r instanceof SyncError ? r.code : [r.result, r.matchedBy, r.reason ?? '']));
      assert.deepEqual(summary.slice(0, 1), [['updated', 'naturalKey', '']]);
      assert.deepEqual(summary[1]?.slice(0, 1), ['rejected']);
      assert.match(String((summary[1] as string[])[2]), /^2 customers in erp share its email \(C\d+, C\d+\)/);
      assert.deepEqual(summary.slice(2), [
        ['created', 'none', ''],
        ['created', 'none', ''],
      ]);
      assert.equal((results[0] as UpsertResult).ids.erp, '10000');
      assert.equal(await bcCustomerCount(systems), before + 2);
    });
    it('creates a record that comes twice in one list once, and never two customers for one e-mail', async () => {
      const before = await bcCustomerCount(systems);
      const results = await toErp().many([
        crmCustomer({ ids: { crm: 'd-1' }, email: 'same@d.example' }),
        crmCustomer({ ids: { crm: 'd-2' }, email: 'other@d.example' }),
        crmCustomer({ ids: { crm: 'd-1' }, email: 'same@d.example', phone: '+49 30 5550111' }),
        crmCustomer({ ids: { crm: 'd-3' }, email: 'Same@D.example' }),
      ]);
      const summary = results.map((r) => (r instanceof SyncError ? r.code : [r.result, r.matchedBy]));
      assert.deepEqual(summary, [
        ['created', 'none'],
        ['created', 'none'],
        ['updated', 'link'],
        ['rejected', 'naturalKey'],
      ]);
      const first = results[0] as UpsertResult;
      assert.equal((results[2] as UpsertResult).ids.erp, first.ids.erp);
      assert.equal(
        (results[3] as UpsertResult).reason,
        `erp ${first.ids.erp} is already linked to crm d-1`,
        'the second account with that e-mail meets the customer the first one created',
      );
      assert.match(
        (results[3] as UpsertResult).error?.message ?? '',
        /^record 3 \(customer crm=d-3\): erp C\d+ is already linked to crm d-1$/,
      );
      assert.equal(await bcCustomerCount(systems), before + 2);
      assert.equal((await systems.erp.customers!.getByNumber(first.ids.erp!))?.data.phone, '+49 30 5550111');
    });
    it('counts the creates of a batch whose answer was lost as created when one query finds them by e-mail', async () => {
      const before = await bcCustomerCount(systems);
      const list = ['l-1', 'l-2', 'l-3'].map((id) => crmCustomer({ ids: { crm: id }, email: `${id}@lost.example` }));
      systems.bc.faults.add({ kind: 'reset', phase: 'after', path: '*/$batch', method: 'POST', count: 1 });
      const budget = 1000;
      systems.bc.faults.add({ kind: 'latency', latencyMs: 0, path: '*/customers', method: 'GET', count: budget });
      const lookups = () =>
        budget - (systems.bc.faults.list().find((rule) => rule.kind === 'latency')?.count ?? budget);
      const results = await toErp().many(list);
      assert.deepEqual(
        results.map((r) => (r instanceof SyncError ? r.message : r.result)),
        ['created', 'created', 'created'],
      );
      assert.equal(lookups(), 2, 'one query before the batch, one after its answer was lost');
      assert.equal(await bcCustomerCount(systems), before + 3);
      for (const [index, id] of ['l-1', 'l-2', 'l-3'].entries()) {
        assert.equal(
          (await systems.store.lookup('customer', 'crm', id))?.ids.erp,
          (results[index] as UpsertResult).ids.erp,
        );
      }
    });

    it('fails the creates of a lost batch that BC did not carry out, retryable, and sends nothing twice', async () => {
      const before = await bcCustomerCount(systems);
      const list = ['r-1', 'r-2'].map((id) => crmCustomer({ ids: { crm: id }, email: `${id}@lost.example` }));
      systems.bc.faults.add({ kind: 'reset', path: '*/$batch', method: 'POST', count: 1 });
      const results = await toErp().many(list);
      for (const result of results) {
        assert.ok(result instanceof SyncError, JSON.stringify(result));
        assert.equal(result.details && (result.details as { outcomeUnknown?: boolean }).outcomeUnknown, true);
      }
      assert.equal(await bcCustomerCount(systems), before);
      const again = await toErp().many(list);
      assert.deepEqual(
        again.map((r) => (r instanceof SyncError ? r.message : r.result)),
        ['created', 'created'],
      );
      assert.equal(await bcCustomerCount(systems), before + 2);
    });
  });

  describe('ERP → CRM (Dataverse) and both ways', () => {
    it('updates the CRM account found by its ERP number, writing only ERP-led fields', async () => {
      const fabrikam = (await systems.erp.customers!.getByNumber('20000'))!.data;
      const toCrm = new CustomerUpsert(systems.crm, systems.store, options({ source: 'erp' }));
      const result = await toCrm.one({
        ...fabrikam,
        name: 'Renamed in the ERP',
        address: { ...fabrikam.address, line1: 'Neue Straße 5' },
      });
      assert.deepEqual([result.result, result.matchedBy], ['updated', 'externalKey']);
      assert.equal(result.write?.name, undefined, 'the CRM leads the name');
      const account = await systems.crm.customers!.getById(result.ids.crm!);
      assert.equal(account?.data.address?.line1, 'Neue Straße 5');
      assert.equal(account?.data.name, 'Fabrikam GmbH');
    });

    it('writes the ERP number onto a CRM account it matched by e-mail, so its key finds it next time', async () => {
      const northwind = (await systems.erp.customers!.getByNumber('50000'))!.data;
      const toCrm = new CustomerUpsert(systems.crm, systems.store, options({ source: 'erp' }));
      const result = await toCrm.one(northwind);
      assert.deepEqual([result.result, result.matchedBy], ['updated', 'naturalKey']);
      assert.deepEqual(result.write?.ids, { erp: '50000' });
      const byKey = await systems.crm.customers!.getByNumber('50000');
      assert.equal(byKey?.id, 'acc00000-0000-4000-8000-000000000004');
      const again = await toCrm.one(northwind);
      assert.equal(again.result, 'unchanged');
    });

    it('lets a change travel once and then stop (echo suppression in a two-way sync)', async () => {
      // e-mail may change on either side; the CRM leads the name, the ERP the address.
      const ownership = { ...DEFAULT_OWNERSHIP, email: '*' };
      const crmToErp = new CustomerUpsert(systems.erp, systems.store, options({ ownership }));
      const erpToCrm = new CustomerUpsert(systems.crm, systems.store, options({ source: 'erp', ownership }));
      const accountId = 'acc00000-0000-4000-8000-000000000001'; // Fabrikam, ERP number 20000

      // 0. The first ERP → CRM run brings the ERP-led fields over once.
      const initial = await erpToCrm.one((await systems.erp.customers!.getByNumber('20000'))!.data);
      assert.equal(initial.result, 'updated');

      // 1. A user changes the e-mail in the CRM; the CRM → ERP flow carries it over.
      await systems.crm.customers!.update(accountId, { email: 'new@fabrikam.example' });
      const fromCrm = (await systems.crm.customers!.getById(accountId))!.data;
      const first = await crmToErp.one(fromCrm);
      assert.deepEqual([first.result, first.ids.erp], ['updated', '20000']);

      // 2. The ERP's change feed hands the written record to the ERP → CRM flow: our own write coming back.
      const fromErp = (await systems.erp.customers!.getByNumber('20000'))!.data;
      assert.equal(fromErp.email, 'new@fabrikam.example');
      const echo = await erpToCrm.one(fromErp);
      assert.equal(echo.result, 'unchanged');

      // 3. And the CRM record once more: nothing new, so nothing travels.
      const settled = await crmToErp.one((await systems.crm.customers!.getById(accountId))!.data);
      assert.equal(settled.result, 'unchanged');

      // 4. A real change in the ERP still travels to the CRM.
      const inErp = (await systems.erp.customers!.getByNumber('20000'))!;
      await systems.erp.customers!.update(inErp.id, { email: 'erp-side@fabrikam.example' }, inErp.etag);
      const changedInErp = (await systems.erp.customers!.getByNumber('20000'))!.data;
      const travelled = await erpToCrm.one(changedInErp);
      assert.equal(travelled.result, 'updated');
      assert.deepEqual(travelled.write, { email: 'erp-side@fabrikam.example' });
    });

    it('creates a CRM account with the ERP number as its alternate key', async () => {
      const adatum = (await systems.erp.customers!.getByNumber('10000'))!.data;
      const noNaturalKey = options({ source: 'erp' });
      delete noNaturalKey.naturalKey;
      const toCrm = new CustomerUpsert(systems.crm, systems.store, noNaturalKey);
      const created = await toCrm.one(adatum);
      assert.equal(created.result, 'created');
      const byNumber = await systems.crm.customers!.getByNumber('10000');
      assert.equal(byNumber?.id, created.ids.crm);
      // Losing the link (a crash after the write) does not lead to a second account: the ERP number finds it.
      await systems.store.unlinkAll('customer', created.linkId!);
      const again = await toCrm.one(adatum);
      assert.deepEqual([again.result, again.matchedBy, again.ids.crm], ['unchanged', 'externalKey', created.ids.crm]);
      const relinked = await systems.store.lookup('customer', 'erp', '10000');
      assert.equal(
        relinked?.ids.crm,
        created.ids.crm,
        'the account already held every value: only the link is written',
      );
    });
  });
});
