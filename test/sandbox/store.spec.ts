import assert from 'node:assert/strict';
import { BC_SEED, startBcEmulator, type BcEmulator } from '../../sandbox/bc';
import { startDataverseEmulator, type DataverseEmulator } from '../../sandbox/dataverse';
import { DataStore, emptyState } from '../../sandbox/kit/store';
import { adminUrl, authorization, http, type Collection, type Entity } from './helpers';

describe('sandbox store', () => {
  const filled = (): DataStore => {
    const store = new DataStore(emptyState());
    store.put('customers', 'a', { number: 'C1', email: 'Ann@Example.com' });
    store.put('customers', 'b', { number: 'C2', email: 'bob@example.com' });
    return store;
  };

  it('undoes every put, remove and counter of a transaction that throws, and keeps those of one that returns', () => {
    const store = filled();
    const before = store.snapshot();
    assert.throws(
      () =>
        store.transaction(() => {
          store.put('customers', 'c', { number: 'C3' });
          store.put('customers', 'a', { number: 'C1', email: 'changed@example.com' });
          store.remove('customers', 'b');
          store.nextCounter('series', 10);
          throw new Error('refused');
        }),
      /refused/,
    );
    assert.deepEqual(store.snapshot(), before);

    store.transaction(() => store.put('customers', 'c', { number: 'C3' }));
    assert.equal(store.get('customers', 'c')?.row.number, 'C3');
    assert.equal(store.nextCounter('series', 10), 11);
  });

  it('rolls a savepoint back to where it was taken, inside an outer one, and not past a restore', () => {
    const store = filled();
    const outer = store.savepoint();
    store.put('customers', 'c', { number: 'C3' });
    const inner = store.savepoint();
    store.put('customers', 'd', { number: 'C4' });
    inner.rollback();
    assert.equal(store.get('customers', 'd'), undefined);
    assert.equal(store.get('customers', 'c')?.row.number, 'C3', 'the outer change stays');
    outer.release();
    assert.equal(store.get('customers', 'c')?.row.number, 'C3');

    const stale = store.savepoint();
    store.put('customers', 'e', { number: 'C5' });
    store.restore(emptyState());
    store.put('customers', 'f', { number: 'C6' });
    stale.rollback();
    assert.deepEqual(
      store.list('customers').map((record) => record.row.number),
      ['C6'],
      'a restore replaced everything the savepoint knew',
    );
  });

  it('finds ids by a field value case-insensitively and keeps the index current through writes and rollbacks', () => {
    const store = filled();
    assert.deepEqual(store.idsWhere('customers', 'email', 'ann@example.COM'), ['a']);
    store.put('customers', 'a', { number: 'C1', email: 'ann.new@example.com' });
    assert.deepEqual(store.idsWhere('customers', 'email', 'ann@example.com'), []);
    assert.deepEqual(store.idsWhere('customers', 'email', 'ANN.NEW@example.com'), ['a']);
    assert.throws(() =>
      store.transaction(() => {
        store.remove('customers', 'a');
        store.put('customers', 'x', { number: 'C9', email: 'ann.new@example.com' });
        throw new Error('refused');
      }),
    );
    assert.deepEqual(store.idsWhere('customers', 'email', 'ann.new@example.com'), ['a']);
    assert.deepEqual(store.idsWhere('customers', 'number', null), [], 'null is not looked up');
  });

  it('answers list from a copy that follows every change of its table', () => {
    const store = filled();
    const first = store.list('customers');
    assert.equal(store.list('customers'), first, 'unchanged table, same list');
    assert.throws(() => (first as unknown[]).push({}), TypeError);
    store.put('customers', 'c', { number: 'C3' });
    assert.equal(store.list('customers').length, 3);
    store.remove('customers', 'a');
    assert.deepEqual(
      store.list('customers').map((record) => record.row.number),
      ['C2', 'C3'],
    );
    assert.equal(store.count('customers'), 2);
  });
});

describe('sandbox bulk records and indexed look-ups', () => {
  let dataverse: DataverseEmulator;
  let bc: BcEmulator;

  before(async () => {
    [dataverse, bc] = await Promise.all([startDataverseEmulator({ seed: false }), startBcEmulator()]);
  });
  beforeEach(() => {
    dataverse.reset();
    bc.reset();
  });
  after(() => Promise.all([dataverse.close(), bc.close()]));

  const insert = (records: unknown[], entitySet = 'accounts') =>
    http<{ inserted?: number; error?: string }>(adminUrl(dataverse, 'records'), {
      method: 'POST',
      body: { entitySet, records },
    });

  it('stores accounts with the modification times given, which the change feed then follows', async () => {
    const response = await insert([
      { name: 'Second', accountnumber: 'A2', modifiedon: '2024-01-01T10:00:02Z' },
      { accountid: 'B10C0000-0000-4000-8000-000000000001', name: 'First', modifiedon: '2024-01-01T10:00:01Z' },
      { name: 'Third', modifiedon: '2024-01-01T10:00:03Z', statecode: 1, statuscode: 2 },
    ]);
    assert.equal(response.status, 200);
    assert.equal(response.body.inserted, 3);
    const headers = await authorization(dataverse);
    const feed = await http<Collection>(
      `${dataverse.apiUrl}/accounts?$filter=modifiedon gt 2024-01-01T10:00:01Z&$orderby=modifiedon asc`,
      { headers },
    );
    assert.deepEqual(
      feed.body.value.map((account) => [account.name, account.modifiedon, account.statecode]),
      [
        ['Second', '2024-01-01T10:00:02Z', 0],
        ['Third', '2024-01-01T10:00:03Z', 1],
      ],
    );
    const byId = await http(`${dataverse.apiUrl}/accounts(b10c0000-0000-4000-8000-000000000001)`, { headers });
    assert.equal(byId.body.name, 'First');
    assert.equal(byId.body.modifiedon, '2024-01-01T10:00:01Z');
    const byKey = await http(`${dataverse.apiUrl}/accounts(accountnumber='a2')`, { headers });
    assert.equal(byKey.body.name, 'Second', 'alternate keys find bulk records, case-insensitively');
  });

  it('answers queries in order from the sorted rows it keeps, and sorts again once a record changes', async () => {
    await insert(
      ['Delta', 'alpha', 'Charlie', 'bravo'].map((name, index) => ({
        accountid: `b10c0000-0000-4000-8000-00000000000${index}`,
        name,
        modifiedon: `2024-01-01T10:00:0${index}Z`,
      })),
    );
    const headers = await authorization(dataverse);
    const names = async (query: string): Promise<unknown[]> =>
      (await http<Collection>(`${dataverse.apiUrl}/accounts?${query}`, { headers })).body.value.map((a) => a.name);
    assert.deepEqual(await names('$orderby=name asc'), ['alpha', 'bravo', 'Charlie', 'Delta']);
    assert.deepEqual(await names('$orderby=name desc&$filter=modifiedon ge 2024-01-01T10:00:01Z'), [
      'Charlie',
      'bravo',
      'alpha',
    ]);
    const renamed = await http(`${dataverse.apiUrl}/accounts(b10c0000-0000-4000-8000-000000000000)`, {
      method: 'PATCH',
      headers: { ...headers, 'If-Match': '*' },
      body: { name: 'aardvark' },
    });
    assert.equal(renamed.status, 204);
    assert.deepEqual(await names('$orderby=name asc'), ['aardvark', 'alpha', 'bravo', 'Charlie']);
    assert.deepEqual(await names('$orderby=modifiedon desc&$top=1'), ['aardvark'], 'the change moved its modifiedon');
  });

  it('stores none of the records when one is refused, and names it', async () => {
    await insert([{ name: 'Kept out', accountnumber: 'A1' }]);
    for (const [records, problem] of [
      [[{ name: 'Fine' }, { name: 'Wrong', nosuchcolumn: 1 }], /Record 1: accounts cannot hold 1 in 'nosuchcolumn'/],
      [[{ name: 'Fine' }, { name: 42 }], /Record 1: accounts cannot hold 42 in 'name'/],
      [[{ name: 'Fine' }, { name: 'Clash', accountnumber: 'a1' }], /Record 1: .*accountnumber/],
    ] as const) {
      const response = await insert([...records]);
      assert.equal(response.status, 400);
      assert.match(String(response.body.error), problem);
    }
    const state = (await http<{ entities: { accounts: Entity[] } }>(adminUrl(dataverse, 'state'))).body;
    assert.deepEqual(
      state.entities.accounts.map((account) => account.name),
      ['Kept out'],
    );
    assert.equal((await insert([], 'nosuchset')).status, 400);
    const fromBc = await http<{ error?: string }>(adminUrl(bc, 'records'), {
      method: 'POST',
      body: { entitySet: 'customers', records: [] },
    });
    assert.equal(fromBc.status, 404);
  });

  it('finds Business Central customers by an equality filter as they are created, changed and rolled back', async () => {
    const headers = await authorization(bc);
    const customers = `${bc.apiUrl}/companies(${bc.companyId})/customers`;
    const find = async (filter: string): Promise<unknown[]> =>
      (await http<Collection>(`${customers}?$filter=${encodeURIComponent(filter)}`, { headers })).body.value.map(
        (customer) => customer.number,
      );
    assert.deepEqual(await find("email eq 'AR@adatum.com' or email eq 'x'"), ['10000'], 'an or is not narrowed');
    const created = await http(customers, {
      method: 'POST',
      headers,
      body: { displayName: 'Indexed', email: 'Indexed@Example.com' },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(await find("email eq 'indexed@example.com'"), [created.body.number]);
    assert.deepEqual(await find("email eq 'indexed@example.com' and displayName eq 'Other'"), []);

    const changed = await http(`${customers}(${String(created.body.id)})`, {
      method: 'PATCH',
      headers: { ...headers, 'If-Match': '*' },
      body: { email: 'moved@example.com' },
    });
    assert.equal(changed.status, 200);
    assert.deepEqual(await find("email eq 'indexed@example.com'"), []);
    assert.deepEqual(await find("'MOVED@example.com' eq email"), [created.body.number]);

    const duplicate = await http(customers, {
      method: 'POST',
      headers,
      body: { number: '10000', displayName: 'Twin' },
    });
    assert.equal(duplicate.status, 400, 'the unique number check uses the index too');
    const batch = await http<{ responses: Array<{ status: number }> }>(`${bc.apiUrl}/$batch`, {
      method: 'POST',
      headers: { ...headers, Isolation: 'snapshot' },
      body: {
        requests: [
          {
            id: '1',
            method: 'POST',
            url: `companies(${bc.companyId})/customers`,
            body: { number: 'ROLLED', displayName: 'Rolled back' },
          },
          {
            id: '2',
            method: 'POST',
            url: `companies(${bc.companyId})/customers`,
            body: { number: '10000', displayName: 'Twin' },
          },
        ],
      },
    });
    assert.deepEqual(
      batch.body.responses.map((response) => response.status),
      [201, 400],
    );
    assert.deepEqual(await find("number eq 'ROLLED'"), [], 'the rolled-back customer is gone from the index');
    assert.deepEqual(await find("number eq '10000'"), ['10000']);
    assert.equal(
      (await http(`${customers}(${BC_SEED.customerId('10000')})`, { headers })).body.displayName,
      'Adatum Corporation',
    );
  });
});
