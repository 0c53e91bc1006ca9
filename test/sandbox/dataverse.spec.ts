import assert from 'node:assert/strict';
import { DATAVERSE_SEED, startDataverseEmulator, type DataverseEmulator } from '../../sandbox/dataverse';
import {
  adminUrl,
  authorization,
  http,
  type Collection,
  type Entity,
  type HttpResult,
  type ODataErrorBody,
} from './helpers';

describe('Dataverse Web API v9.2 emulator', () => {
  let dataverse: DataverseEmulator;
  let headers: Record<string, string>;

  const fabrikam = DATAVERSE_SEED.accountId(1);
  const api = (path: string): string => `${dataverse.apiUrl}/${path}`;
  const get = <T = Entity>(path: string, extra: Record<string, string> = {}) =>
    http<T>(api(path), { headers: { ...headers, ...extra } });
  const send = <T = Entity>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}) =>
    http<T>(api(path), { method, headers: { ...headers, ...extra }, body });
  const errorOf = (response: HttpResult<unknown>): { code: string; message: string } =>
    (response.body as ODataErrorBody).error;
  const etagOf = async (path: string): Promise<string> => String((await get(path)).body['@odata.etag']);

  before(async () => {
    dataverse = await startDataverseEmulator();
    headers = {
      ...(await authorization(dataverse)),
      Accept: 'application/json',
      'OData-MaxVersion': '4.0',
      'OData-Version': '4.0',
      'If-None-Match': 'null',
    };
  });
  beforeEach(() => dataverse.reset());
  after(() => dataverse.close());

  it('reproduces the documented upsert by alternate key: 201 Created, then 200 OK with the same shape', async () => {
    const body = {
      name: 'Adatum Corporation',
      emailaddress1: 'ar@adatum.com',
      telephone1: '+1 555 0100',
      address1_city: 'Atlanta',
      address1_postalcode: '31772',
      new_erpcustomerno: '10000',
    };
    const path = "accounts(accountnumber='C10000')?$select=accountid";
    const created = await send('PATCH', path, body, { Prefer: 'return=representation' });
    assert.equal(created.status, 201);
    assert.match(created.headers.get('etag') ?? '', /^W\/"\d+"$/);
    assert.deepEqual(Object.keys(created.body), ['@odata.context', '@odata.etag', 'accountid']);
    assert.equal(created.body['@odata.context'], `${dataverse.apiUrl}/$metadata#accounts(accountid)/$entity`);
    assert.equal(created.body['@odata.etag'], created.headers.get('etag'));
    assert.equal(created.headers.get('preference-applied'), 'return=representation');

    const updated = await send('PATCH', path, body, { Prefer: 'return=representation' });
    assert.equal(updated.status, 200);
    assert.deepEqual(Object.keys(updated.body), ['@odata.context', '@odata.etag', 'accountid']);
    assert.equal(updated.body.accountid, created.body.accountid);
    assert.notEqual(updated.body['@odata.etag'], created.body['@odata.etag']);

    const account = await get(`accounts(${String(created.body.accountid)})`);
    assert.equal(account.body.accountnumber, 'C10000', 'key values from the URL are stored on create');
    assert.equal(account.body.new_erpcustomerno, '10000');
  });

  describe('upsert (PATCH to a key URL): every row of the documented table', () => {
    const existingKey = "accounts(accountnumber='C20000')";
    const absentKey = "accounts(accountnumber='C99999')";
    const absentId = 'acc00000-0000-4000-8000-000000000999';

    it('no conditional headers: update → 204, create → 204 with OData-EntityId', async () => {
      const update = await send('PATCH', existingKey, { telephone1: '+49 89 1' });
      assert.equal(update.status, 204);
      assert.equal(update.text, '');
      assert.equal(update.headers.get('odata-entityid'), api(`accounts(${fabrikam})`));
      const create = await send('PATCH', absentKey, { name: 'New' });
      assert.equal(create.status, 204);
      assert.match(create.headers.get('odata-entityid') ?? '', /\/accounts\([0-9a-f-]{36}\)$/);
      assert.equal((await get(`${absentKey}?$select=name`)).body.name, 'New');
    });

    it('If-Match: * updates an existing row and answers 404 instead of creating', async () => {
      assert.equal((await send('PATCH', existingKey, { telephone1: '1' }, { 'If-Match': '*' })).status, 204);
      const byId = await send('PATCH', `accounts(${absentId})`, { name: 'x' }, { 'If-Match': '*' });
      assert.equal(byId.status, 404);
      assert.equal(errorOf(byId).message, `account With Id = ${absentId} Does Not Exist`);
      const byKey = await send('PATCH', absentKey, { name: 'x' }, { 'If-Match': '*' });
      assert.equal(byKey.status, 404);
      assert.equal((await get(absentKey)).status, 404, 'nothing was created');
    });

    it('If-None-Match: * answers 412 for an existing row and creates otherwise', async () => {
      const existing = await send('PATCH', existingKey, { name: 'x' }, { 'If-None-Match': '*' });
      assert.equal(existing.status, 412);
      assert.equal(errorOf(existing).message, 'A record with matching key values already exists.');
      const created = await send('PATCH', `accounts(${absentId})`, { name: 'Created by id' }, { 'If-None-Match': '*' });
      assert.equal(created.status, 204);
      assert.equal((await get(`accounts(${absentId})`)).body.name, 'Created by id');
    });

    it('Prefer: return=representation answers 200 for an update and 201 for a create, honouring $select', async () => {
      const updated = await send(
        'PATCH',
        `${existingKey}?$select=name,telephone1`,
        { telephone1: '2' },
        { Prefer: 'return=representation' },
      );
      assert.equal(updated.status, 200);
      assert.deepEqual(updated.body, {
        '@odata.context': `${dataverse.apiUrl}/$metadata#accounts(name,telephone1)/$entity`,
        '@odata.etag': updated.headers.get('etag'),
        accountid: fabrikam,
        name: 'Fabrikam GmbH',
        telephone1: '2',
      });
      const created = await send('PATCH', absentKey, { name: 'New' }, { Prefer: 'return=representation' });
      assert.equal(created.status, 201);
      assert.equal(created.body.accountnumber, 'C99999');
    });

    it('a stale If-Match ETag answers 412 ConcurrencyVersionMismatch', async () => {
      const etag = await etagOf(existingKey);
      assert.equal((await send('PATCH', existingKey, { telephone1: '3' }, { 'If-Match': etag })).status, 204);
      const stale = await send('PATCH', existingKey, { telephone1: '4' }, { 'If-Match': etag });
      assert.equal(stale.status, 412);
      assert.equal(errorOf(stale).code, '0x80060882');
      assert.equal(
        errorOf(stale).message,
        "The version of the existing record doesn't match the RowVersion property provided.",
      );
    });

    it('treats If-None-Match: null as no header and ignores key columns in the body of an update', async () => {
      const response = await send(
        'PATCH',
        existingKey,
        { accountnumber: 'CHANGED', name: 'Fabrikam AG' },
        { 'If-None-Match': 'null' },
      );
      assert.equal(response.status, 204);
      const account = await get(`accounts(${fabrikam})`);
      assert.deepEqual([account.body.accountnumber, account.body.name], ['C20000', 'Fabrikam AG']);
    });

    it('addresses rows by any configured key, including multi-part keys', async () => {
      const byErpNumber = await get("accounts(new_erpcustomerno='30000')?$select=name");
      assert.equal(byErpNumber.body.name, 'Contoso Handels GmbH');
      const custom = await startDataverseEmulator({
        alternateKeys: { accounts: [['accountnumber', 'address1_postalcode']] },
      });
      try {
        const customHeaders = await authorization(custom);
        const url = `${custom.apiUrl}/accounts(address1_postalcode='80331',accountnumber='C20000')?$select=name`;
        const found = await http(url, { headers: customHeaders });
        assert.equal(found.body.name, 'Fabrikam GmbH');
        const single = await http(`${custom.apiUrl}/accounts(accountnumber='C20000')`, { headers: customHeaders });
        assert.equal(single.status, 400, 'accountnumber alone is not a key there');
      } finally {
        await custom.close();
      }
    });

    it('rejects undefined keys and key values with characters that break key URLs', async () => {
      const notAKey = await get("accounts(name='Fabrikam GmbH')");
      assert.equal(notAKey.status, 400);
      assert.equal(errorOf(notAKey).message, 'Bad Request - Error in query syntax.');
      const unsafe = await send('PATCH', `accounts(accountnumber='${encodeURIComponent('A/B')}')`, { name: 'x' });
      assert.equal(unsafe.status, 400);
    });
  });

  describe('create, read, update, delete', () => {
    it('POST answers 204 with OData-EntityId, or 201 with the record when asked', async () => {
      const plain = await send('POST', 'accounts', { name: 'Plain' });
      assert.equal(plain.status, 204);
      const entityId = plain.headers.get('odata-entityid') ?? '';
      assert.match(entityId, /^http:\/\/127\.0\.0\.1:\d+\/api\/data\/v9\.2\/accounts\([0-9a-f-]{36}\)$/);
      const read = await http(entityId, { headers });
      assert.deepEqual([read.body.name, read.body.statecode, read.body.statuscode], ['Plain', 0, 1]);

      const represented = await send(
        'POST',
        'accounts?$select=name',
        { name: 'Represented' },
        { Prefer: 'return=representation' },
      );
      assert.equal(represented.status, 201);
      assert.deepEqual(Object.keys(represented.body), ['@odata.context', '@odata.etag', 'accountid', 'name']);
    });

    it('GET by id returns every column with lookups as _x_value, 404 when missing, 304 when unchanged', async () => {
      const account = await get(`accounts(${fabrikam})`);
      assert.equal(account.status, 200);
      assert.equal(account.body['@odata.context'], `${dataverse.apiUrl}/$metadata#accounts/$entity`);
      assert.equal(account.body.new_erpcustomerno, '20000');
      assert.equal(account.body._parentaccountid_value, null);
      assert.equal(account.body.versionnumber, Number(/\d+/.exec(String(account.body['@odata.etag']))?.[0]));
      const missing = await get('accounts(acc00000-0000-4000-8000-000000000999)');
      assert.equal(missing.status, 404);
      assert.equal(errorOf(missing).code, '0x80040217');
      const notModified = await get(`accounts(${fabrikam})`, { 'If-None-Match': String(account.body['@odata.etag']) });
      assert.equal(notModified.status, 304);
    });

    it('PATCH by id with the current ETag updates; a stale one answers 412', async () => {
      const etag = await etagOf(`accounts(${fabrikam})`);
      assert.equal(
        (await send('PATCH', `accounts(${fabrikam})`, { creditlimit: 60000 }, { 'If-Match': etag })).status,
        204,
      );
      const stale = await send('PATCH', `accounts(${fabrikam})`, { creditlimit: 70000 }, { 'If-Match': etag });
      assert.equal(stale.status, 412);
      assert.equal((await get(`accounts(${fabrikam})`)).body.creditlimit, 60000);
    });

    it('DELETE answers 204, then 404; a stale If-Match answers 412', async () => {
      const prospect = `accounts(${DATAVERSE_SEED.accountId(6)})`;
      const stale = await send('DELETE', prospect, undefined, { 'If-Match': 'W/"1"' });
      assert.equal(stale.status, 412);
      assert.equal((await send('DELETE', prospect)).status, 204);
      assert.equal((await send('DELETE', prospect)).status, 404);
    });

    it('validates lengths, choices, unknown properties and duplicate alternate keys', async () => {
      const tooLong = await send('POST', 'accounts', { name: 'x'.repeat(161) });
      assert.equal(tooLong.status, 400);
      assert.equal(errorOf(tooLong).code, '0x80044331');
      assert.equal(
        errorOf(tooLong).message,
        "A validation error occurred.  The length of the 'name' attribute of the 'account' entity exceeded the maximum allowed length of '160'.",
      );
      const choice = await send('POST', 'accounts', { customertypecode: 99 });
      assert.equal(errorOf(choice).code, '0x80044331');
      const unknown = await send('POST', 'accounts', { nickname: 'x' });
      assert.equal(unknown.status, 400);
      assert.equal(errorOf(unknown).code, '0x80048d19');
      const duplicate = await send('POST', 'accounts', { name: 'Copy', new_erpcustomerno: '20000' });
      assert.equal(duplicate.status, 412);
      assert.match(errorOf(duplicate).message, /^A record that has the attribute values 20000 already exists\./);
    });
  });

  describe('lookups and state', () => {
    it('binds customerid_account by id or alternate key and returns _customerid_value', async () => {
      const byId = await send(
        'POST',
        'salesorders?$select=_customerid_value,ordernumber',
        { name: 'A', 'customerid_account@odata.bind': `/accounts(${fabrikam})` },
        { Prefer: 'return=representation' },
      );
      assert.equal(byId.status, 201);
      assert.equal(byId.body._customerid_value, fabrikam);
      assert.match(String(byId.body.ordernumber), /^ORD-01004-[A-Z0-9]{6}$/);
      const byKey = await send(
        'POST',
        'salesorders',
        { name: 'B', 'customerid_account@odata.bind': "accounts(accountnumber='C30000')" },
        { Prefer: 'return=representation' },
      );
      assert.equal(byKey.body._customerid_value, DATAVERSE_SEED.accountId(2));
      const annotated = await get(`salesorders(${String(byKey.body.salesorderid)})`, {
        Prefer: 'odata.include-annotations="*"',
      });
      assert.equal(
        annotated.body['_customerid_value@OData.Community.Display.V1.FormattedValue'],
        'Contoso Handels GmbH',
      );
      assert.equal(annotated.body['_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname'], 'account');
      assert.equal(annotated.body['statuscode@OData.Community.Display.V1.FormattedValue'], 'New');
    });

    it('rejects binds to missing records and writes to _x_value', async () => {
      const missing = await send('POST', 'salesorders', {
        'customerid_account@odata.bind': "accounts(accountnumber='NOPE')",
      });
      assert.equal(missing.status, 404);
      assert.equal(errorOf(missing).message, 'A record with the specified key values does not exist in account entity');
      const direct = await send('POST', 'salesorders', { _customerid_value: fabrikam });
      assert.equal(direct.status, 400);
      assert.match(errorOf(direct).message, /Use Navigation properties instead/);
    });

    it('filters on lookup values and expands both directions', async () => {
      const orders = await get<Collection>(`salesorders?$filter=_customerid_value eq ${fabrikam}&$select=name`);
      assert.deepEqual(
        orders.body.value.map((order) => order.name),
        ['Fabrikam office chairs'],
      );
      const expanded = await get<Collection>(
        'salesorders?$select=name&$expand=customerid_account($select=name)&$filter=statecode eq 1',
      );
      assert.deepEqual(
        expanded.body.value.map((order) => (order.customerid_account as Entity).name),
        ['Contoso Handels GmbH'],
      );
      const account = await get(
        `accounts(${fabrikam})?$select=name&$expand=order_customer_accounts($select=ordernumber)`,
      );
      assert.deepEqual(
        (account.body.order_customer_accounts as Entity[]).map((order) => order.ordernumber),
        ['ORD-01001-F4K2P8'],
      );
      const navigation = await get<Collection>(`accounts(${fabrikam})/invoice_customer_accounts?$select=invoicenumber`);
      assert.deepEqual(
        navigation.body.value.map((invoice) => invoice.invoicenumber),
        ['INV-01001-W8N4T6'],
      );
    });

    it('starts records Active and checks statecode/statuscode pairs', async () => {
      const wrongStatus = await send('POST', 'salesorders', { name: 'x', statecode: 1, statuscode: 3 });
      assert.equal(wrongStatus.status, 400);
      assert.equal(errorOf(wrongStatus).code, '0x80048408');
      assert.match(
        errorOf(wrongStatus).message,
        /^3 is not a valid status code for state code SalesOrderState\.Active on salesorder with Id [0-9a-f-]{36}\.$/,
      );

      const order = `salesorders(${DATAVERSE_SEED.salesOrderId(1)})`;
      assert.equal((await send('PATCH', order, { statecode: 1 })).status, 204);
      assert.deepEqual(await stateOf(order), [1, 3], 'default status of Submitted');
      assert.equal((await send('PATCH', order, { statecode: 4, statuscode: 1 })).status, 400);
      assert.equal((await send('PATCH', order, { statecode: 4, statuscode: 100003 })).status, 204);

      const invoice = `invoices(${DATAVERSE_SEED.invoiceId(1)})`;
      assert.equal(
        (await send('PATCH', invoice, { statecode: 2, statuscode: 100001, msdyn_amountdue: 0 })).status,
        204,
      );
      assert.deepEqual(await stateOf(invoice), [2, 100001]);
    });

    async function stateOf(path: string): Promise<[unknown, unknown]> {
      const record = await get(`${path}?$select=statecode,statuscode`);
      return [record.body.statecode, record.body.statuscode];
    }
  });

  describe('queries and paging', () => {
    it('pages with odata.maxpagesize, a $skiptoken paging cookie in @odata.nextLink and Preference-Applied', async () => {
      const names: unknown[] = [];
      let url: string | undefined = api('accounts?$select=name');
      while (url !== undefined) {
        const page: HttpResult<Collection> = await http<Collection>(url, {
          headers: { ...headers, Prefer: 'odata.maxpagesize=4' },
        });
        assert.equal(page.headers.get('preference-applied'), 'odata.maxpagesize=4');
        names.push(...page.body.value.map((account) => account.name));
        url = page.body['@odata.nextLink'];
        if (url !== undefined)
          assert.match(
            decodeURIComponent(url),
            /\$skiptoken=<cookie pagenumber="2" pagingcookie="[^"]+" istracking="False" \/>/,
          );
      }
      assert.equal(names.length, 6);
      assert.equal(new Set(names).size, 6);
    });

    it('ignores $top with maxpagesize, rejects $skip and counts with $count', async () => {
      const paged = await get<Collection>('accounts?$top=1', { Prefer: 'odata.maxpagesize=2' });
      assert.equal(paged.body.value.length, 2);
      const top = await get<Collection>('accounts?$top=1&$count=true');
      assert.equal(top.body.value.length, 1);
      assert.equal(top.body['@odata.count'], 6);
      const skip = await get('accounts?$skip=1');
      assert.equal(skip.status, 400);
      assert.equal(errorOf(skip).message, 'The query parameter $skip is not supported');
    });

    it('filters with contains, and/or/not, dates and null; orders; rejects unknown columns', async () => {
      const names = async (query: string): Promise<unknown[]> => {
        const response = await get<Collection>(`accounts?$select=name&${query}`);
        assert.equal(response.status, 200, response.text);
        return response.body.value.map((account) => account.name);
      };
      assert.deepEqual(
        await names(`$filter=${encodeURIComponent("contains(name,'gmbh') and statecode eq 0")}&$orderby=name`),
        ['Contoso Handels GmbH', 'Fabrikam GmbH', 'Relecloud GmbH'],
      );
      assert.deepEqual(
        await names(
          `$filter=${encodeURIComponent('new_erpcustomerno eq null or customertypecode eq 8')}&$orderby=name desc`,
        ),
        ['Relecloud GmbH', 'Northwind Traders Ltd.', 'Alpine Ski House AG'],
      );
      assert.equal((await names(`$filter=${encodeURIComponent('modifiedon gt 2020-01-01T00:00:00Z')}`)).length, 6);
      const unknown = await get(`accounts?$filter=${encodeURIComponent("nickname eq 'x'")}`);
      assert.equal(unknown.status, 400);
      assert.equal(
        errorOf(unknown).message,
        "Could not find a property named 'nickname' on type 'Microsoft.Dynamics.CRM.account'.",
      );
    });
  });

  describe('$batch (multipart/mixed)', () => {
    const boundary = 'batch_80dd1615-2a10-428a-bb6f-0e559792721f';
    const requestPart = (method: string, target: string, body?: unknown, extraHeaders: string[] = []): string[] => [
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      ...extraHeaders,
      '',
      `${method} ${target} HTTP/1.1`,
      ...(body === undefined ? [''] : ['Content-Type: application/json; type=entry', '', JSON.stringify(body)]),
    ];
    const changeSet = (name: string, parts: string[][]): string[] => [
      `Content-Type: multipart/mixed; boundary="${name}"`,
      '',
      ...parts.flatMap((part) => [`--${name}`, ...part]),
      `--${name}--`,
      '',
    ];
    const batch = (items: string[][], extra: Record<string, string> = {}) =>
      http(api('$batch'), {
        method: 'POST',
        headers: { ...headers, 'Content-Type': `multipart/mixed; boundary="${boundary}"`, ...extra },
        body: [...items.flatMap((item) => [`--${boundary}`, ...item]), `--${boundary}--`, ''].join('\r\n'),
      });
    const statusLines = (text: string): string[] =>
      [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((match) => match[1] ?? '');

    it('runs a change set with Content-ID references and a GET, answering a multipart body', async () => {
      const response = await batch([
        changeSet('changeset_1', [
          requestPart('POST', '/api/data/v9.2/accounts', { name: 'Batch GmbH' }, ['Content-ID: 1']),
          requestPart('POST', 'salesorders', { name: 'Batch order', 'customerid_account@odata.bind': '$1' }, [
            'Content-ID: 2',
          ]),
          requestPart('PATCH', '$1', { telephone1: '+49 1' }, ['Content-ID: 3']),
        ]),
        requestPart('GET', "/api/data/v9.2/accounts?$filter=name%20eq%20'Batch%20GmbH'&$select=name,telephone1"),
      ]);
      assert.equal(response.status, 200);
      const contentType = response.headers.get('content-type') ?? '';
      assert.match(contentType, /^multipart\/mixed; boundary=batchresponse_[0-9a-f-]{36}$/);
      assert.match(response.text, /Content-Type: multipart\/mixed; boundary=changesetresponse_/);
      assert.deepEqual(statusLines(response.text), ['204', '204', '204', '200']);
      assert.match(
        response.text,
        /Content-ID: 2\r\n\r\nHTTP\/1\.1 204 No Content\r\nOData-Version: 4\.0\r\nOData-EntityId: .*salesorders\(/,
      );
      assert.match(response.text, /"telephone1":"\+49 1"/);
      const orders = await get<Collection>(`salesorders?$filter=name eq 'Batch order'&$select=_customerid_value`);
      assert.equal(orders.body.value.length, 1);
    });

    it('rolls back a failing change set and stops at the first failure with 400', async () => {
      const response = await batch([
        changeSet('changeset_2', [
          requestPart('POST', 'accounts', { name: 'Rolled back' }, ['Content-ID: 1']),
          requestPart('POST', 'accounts', { name: 'x'.repeat(161) }, ['Content-ID: 2']),
        ]),
        requestPart('POST', 'accounts', { name: 'Never attempted' }),
      ]);
      assert.equal(response.status, 400);
      assert.deepEqual(statusLines(response.text), ['400']);
      assert.match(response.text, /"code":"0x80044331"/);
      const accounts = await get<Collection>(
        `accounts?$filter=${encodeURIComponent("name eq 'Rolled back' or name eq 'Never attempted'")}`,
      );
      assert.equal(accounts.body.value.length, 0);
    });

    it('goes on after failures with Prefer: odata.continue-on-error and answers 200', async () => {
      const response = await batch(
        [
          requestPart('POST', 'accounts', { name: 'x'.repeat(161) }),
          requestPart('POST', 'accounts', { name: 'Task 2 in batch' }),
          requestPart('POST', 'accounts', { name: 'Task 3 in batch' }),
        ],
        { Prefer: 'odata.continue-on-error' },
      );
      assert.equal(response.status, 200);
      assert.deepEqual(statusLines(response.text), ['400', '204', '204']);
    });

    it('refuses GET in a change set, unknown Content-ID references and more than 1,000 requests', async () => {
      const withGet = await batch([changeSet('changeset_3', [requestPart('GET', 'accounts')])]);
      assert.equal(withGet.status, 400);
      const badReference = await batch([
        changeSet('changeset_4', [
          requestPart('POST', 'salesorders', { 'customerid_account@odata.bind': '$1' }, ['Content-ID: 2']),
        ]),
      ]);
      assert.match(badReference.text, /Content-ID Reference: '\$1' does not exist in the batch context\./);
      const tooMany = await batch(Array.from({ length: 1001 }, () => requestPart('GET', 'accounts?$top=1')));
      assert.equal(tooMany.status, 400);
      assert.match(errorOf(tooMany).message, /exceeds the maximum of 1000/);
    });
  });

  it('exposes all records at GET /_admin/state', async () => {
    const state = await http<{ system: string; entities: Record<string, Entity[]> }>(adminUrl(dataverse, 'state'));
    assert.equal(state.body.system, 'dataverse');
    assert.deepEqual(
      Object.fromEntries(Object.entries(state.body.entities).map(([name, rows]) => [name, rows.length])),
      { accounts: 6, products: 5, salesorders: 3, salesorderdetails: 4, invoices: 2 },
    );
  });
});
