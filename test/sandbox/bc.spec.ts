import assert from 'node:assert/strict';
import { BC_SEED, startBcEmulator, type BcEmulator } from '../../sandbox/bc';
import { adminUrl, authorization, http, isoDate, type Collection, type Entity, type ODataErrorBody } from './helpers';

describe('Business Central API v2.0 emulator', () => {
  let bc: BcEmulator;
  let headers: Record<string, string>;
  let company: string;

  const customerUrl = (number: string): string => `${company}/customers(${BC_SEED.customerId(number)})`;
  const get = <T = Entity>(url: string, extra: Record<string, string> = {}) =>
    http<T>(url, { headers: { ...headers, ...extra } });
  const send = <T = Entity>(method: string, url: string, body?: unknown, extra: Record<string, string> = {}) =>
    http<T>(url, { method, headers: { ...headers, ...extra }, body });
  const errorOf = (body: unknown): { code: string; message: string } => (body as ODataErrorBody).error;

  before(async () => {
    bc = await startBcEmulator();
    headers = await authorization(bc);
    company = `${bc.apiUrl}/companies(${bc.companyId})`;
  });
  beforeEach(() => bc.reset());
  after(() => bc.close());

  describe('documented examples', () => {
    it('GET salesInvoices filtered by status and customer with Prefer: odata.maxpagesize (tenant-less URL)', async () => {
      const url = `${bc.url}/v2.0/prod/api/v2.0/companies(${bc.companyId})/salesInvoices?$filter=status eq 'Open' and customerNumber eq '10000'`;
      const response = await get<Collection>(url, { Prefer: 'odata.maxpagesize=100' });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('preference-applied'), 'odata.maxpagesize=100');
      assert.match(
        response.body['@odata.context'],
        /\/\$metadata#companies\(bc000000-0000-4000-8000-000000000001\)\/salesInvoices$/,
      );
      const [invoice] = response.body.value;
      assert.match(String(invoice?.['@odata.etag']), /^W\/"JzQ0O[A-Za-z0-9+/=]+"$/);
      assert.equal(invoice?.number, 'PS-INV103001');
      assert.equal(invoice?.customerNumber, '10000');
      assert.equal(invoice?.remainingAmount, 1250);
      assert.equal(invoice?.status, 'Open');
      assert.match(String(invoice?.dueDate), /^\d{4}-\d{2}-\d{2}$/);
      assert.equal(response.body.value.length, 1);
    });

    it('PATCH customers(id) with If-Match returns 200 with the full entity and a new ETag', async () => {
      const before = await get(customerUrl('10000'));
      const etag = String(before.body['@odata.etag']);
      const response = await send(
        'PATCH',
        customerUrl('10000'),
        { phoneNumber: '(555) 555-1234' },
        { 'If-Match': etag },
      );
      assert.equal(response.status, 200);
      assert.notEqual(response.body['@odata.etag'], etag);
      assert.equal(response.headers.get('etag'), response.body['@odata.etag']);
      assert.equal(response.body.id, BC_SEED.customerId('10000'));
      assert.equal(response.body.number, '10000');
      assert.equal(response.body.phoneNumber, '(555) 555-1234');
      assert.equal(response.body.displayName, 'Adatum Corporation');
    });
  });

  describe('companies', () => {
    it('lists companies and reads one', async () => {
      const list = await get<Collection>(`${bc.apiUrl}/companies`);
      assert.deepEqual(
        list.body.value.map((row) => [row.id, row.name]),
        [[BC_SEED.companyId, 'CRONUS International Ltd.']],
      );
      const one = await get(`${bc.apiUrl}/companies(${bc.companyId})`);
      assert.equal(one.body.displayName, 'CRONUS International Ltd.');
    });

    it('accepts ?company= instead of companies(id) and rejects unknown companies', async () => {
      const viaQuery = await get<Collection>(`${bc.apiUrl}/items?company=${bc.companyId}`);
      assert.equal(viaQuery.body.value.length, 6);
      const unknown = await get(`${bc.apiUrl}/companies(00000000-0000-0000-0000-000000000099)/items`);
      assert.equal(unknown.status, 404);
      assert.equal(errorOf(unknown.body).code, 'Internal_RecordNotFound');
      const none = await get(`${bc.apiUrl}/items`);
      assert.equal(errorOf(none.body).code, 'Internal_CompanyNotFound');
    });
  });

  describe('customers CRUD', () => {
    it('creates with a number from the series, reads, updates and deletes', async () => {
      const created = await send('POST', `${company}/customers`, {
        displayName: 'Woodgrove Bank',
        country: 'de',
        city: 'Köln',
      });
      assert.equal(created.status, 201);
      assert.equal(created.body.number, 'C00010');
      assert.equal(created.body.country, 'DE', 'Code fields are stored in upper case');
      assert.equal(created.body.type, 'Company');
      assert.equal(created.body.blocked, ' ');
      assert.equal(created.body.balanceDue, 0);
      const id = String(created.body.id);
      assert.equal(created.headers.get('location'), `${bc.apiUrl}/companies(${bc.companyId})/customers(${id})`);
      assert.match(String(created.body['@odata.context']), /#companies\(.*\)\/customers\/\$entity$/);

      const second = await send('POST', `${company}/customers`, { displayName: 'Second' });
      assert.equal(second.body.number, 'C00020');

      const read = await get(`${company}/customers(${id})`);
      assert.deepEqual(read.body, { ...created.body });

      const updated = await send(
        'PATCH',
        `${company}/customers(${id})`,
        { creditLimit: 1000 },
        { 'If-Match': String(read.body['@odata.etag']) },
      );
      assert.equal(updated.status, 200);
      assert.equal(updated.body.creditLimit, 1000);

      const deleted = await send('DELETE', `${company}/customers(${id})`, undefined, {
        'If-Match': String(updated.body['@odata.etag']),
      });
      assert.equal(deleted.status, 204);
      assert.equal(deleted.text, '');
      const gone = await get(`${company}/customers(${id})`);
      assert.equal(gone.status, 404);
      assert.equal(errorOf(gone.body).code, 'Internal_RecordNotFound');
      assert.match(
        errorOf(gone.body).message,
        /^The Customer does not exist\. Identification fields and values: Id='\{[0-9A-F-]{36}\}' {2}CorrelationId: {2}[0-9a-f-]{36}\.$/,
      );
    });

    it('keeps a client-chosen number unique', async () => {
      const duplicate = await send('POST', `${company}/customers`, { number: '20000', displayName: 'Copy' });
      assert.equal(duplicate.status, 400);
      assert.equal(errorOf(duplicate.body).code, 'Internal_EntityWithSameKeyExists');
      assert.match(
        errorOf(duplicate.body).message,
        /^The Customer already exists\. Identification fields and values: No\.='20000'/,
      );
    });

    it('enforces NAV field lengths with Application_StringExceededLength', async () => {
      const limits: Record<string, number> = {
        displayName: 100,
        city: 30,
        postalCode: 20,
        phoneNumber: 30,
        email: 80,
        taxRegistrationNumber: 20,
        addressLine1: 100,
        addressLine2: 50,
      };
      for (const [field, maxLength] of Object.entries(limits)) {
        const ok = await send('POST', `${company}/customers`, { [field]: 'x'.repeat(maxLength) });
        assert.equal(ok.status, 201, field);
        const tooLong = await send('POST', `${company}/customers`, { [field]: 'x'.repeat(maxLength + 1) });
        assert.equal(tooLong.status, 400, field);
        assert.equal(errorOf(tooLong.body).code, 'Application_StringExceededLength');
        assert.match(
          errorOf(tooLong.body).message,
          new RegExp(
            `^The length of the string is ${maxLength + 1}, but it must be less than or equal to ${maxLength} characters\\. Value: x+`,
          ),
        );
      }
      const order = await send('POST', `${company}/salesOrders`, {
        customerNumber: '20000',
        externalDocumentNumber: 'x'.repeat(36),
      });
      assert.equal(errorOf(order.body).code, 'Application_StringExceededLength');
    });

    it('rejects unknown and read-only properties, wrong types and values that are not options', async () => {
      const unknown = await send('POST', `${company}/customers`, { nickname: 'x' });
      assert.equal(unknown.status, 400);
      assert.match(
        errorOf(unknown.body).message,
        /^The property 'nickname' does not exist on type 'Microsoft\.NAV\.customer'/,
      );
      const readOnly = await send('POST', `${company}/customers`, { balanceDue: 5 });
      assert.equal(errorOf(readOnly.body).code, 'BadRequest_InvalidOperation');
      const wrongType = await send('POST', `${company}/customers`, { creditLimit: 'lots' });
      assert.match(
        errorOf(wrongType.body).message,
        /^Cannot convert a primitive value to the expected type 'Edm\.Decimal'/,
      );
      const option = await send('POST', `${company}/customers`, { blocked: 'Sometimes' });
      assert.equal(errorOf(option.body).code, 'Unknown');
      assert.match(
        errorOf(option.body).message,
        /^'Sometimes' is not an option\. The existing options are: {2},Ship,Invoice,All/,
      );
    });

    it('refuses to delete customers with open orders', async () => {
      const customer = await get(customerUrl('20000'));
      const response = await send('DELETE', customerUrl('20000'), undefined, {
        'If-Match': String(customer.body['@odata.etag']),
      });
      assert.equal(response.status, 400);
      assert.equal(errorOf(response.body).code, 'Application_DialogException');
    });
  });

  describe('ETags and If-Match', () => {
    it('requires If-Match on PATCH and DELETE (400 BadRequest_InvalidToken)', async () => {
      for (const method of ['PATCH', 'DELETE']) {
        const response = await send(method, customerUrl('80000'), method === 'PATCH' ? { city: 'Potsdam' } : undefined);
        assert.equal(response.status, 400, method);
        assert.equal(errorOf(response.body).code, 'BadRequest_InvalidToken');
        assert.match(
          errorOf(response.body).message,
          /^Could not validate the client concurrency token required by the service\. Please provide a valid token in the client request\./,
        );
      }
    });

    it('answers 409 Request_EntityChanged to a stale ETag on PATCH and DELETE', async () => {
      const original = await get(customerUrl('80000'));
      const staleETag = String(original.body['@odata.etag']);
      const first = await send('PATCH', customerUrl('80000'), { city: 'Potsdam' }, { 'If-Match': staleETag });
      assert.equal(first.status, 200);
      for (const method of ['PATCH', 'DELETE']) {
        const response = await send(method, customerUrl('80000'), method === 'PATCH' ? { city: 'Bonn' } : undefined, {
          'If-Match': staleETag,
        });
        assert.equal(response.status, 409, method);
        assert.equal(errorOf(response.body).code, 'Request_EntityChanged');
        assert.match(errorOf(response.body).message, /^Another user has already changed the record\./);
      }
    });

    it('accepts If-Match: * and changes the ETag on every write', async () => {
      const etags = new Set<string>();
      for (const city of ['A', 'B', 'C']) {
        const response = await send('PATCH', customerUrl('80000'), { city }, { 'If-Match': '*' });
        assert.equal(response.status, 200);
        etags.add(String(response.body['@odata.etag']));
      }
      assert.equal(etags.size, 3);
      const deleted = await send('DELETE', `${company}/items(bc001000-0000-4000-8000-000000000006)`, undefined, {
        'If-Match': '*',
      });
      assert.equal(deleted.status, 204);
    });
  });

  describe('queries', () => {
    it('pages with Prefer: odata.maxpagesize and an opaque @odata.nextLink followed verbatim', async () => {
      const numbers: unknown[] = [];
      let url: string | undefined = `${company}/customers?$select=number`;
      let pages = 0;
      while (url !== undefined) {
        const page: Awaited<ReturnType<typeof get<Collection>>> = await get<Collection>(url, {
          Prefer: 'odata.maxpagesize=3',
        });
        assert.equal(page.status, 200);
        assert.equal(page.headers.get('preference-applied'), 'odata.maxpagesize=3');
        assert.ok(page.body.value.length <= 3);
        numbers.push(...page.body.value.map((row) => row.number));
        url = page.body['@odata.nextLink'];
        if (url !== undefined) assert.match(url, /\$skiptoken=/);
        pages += 1;
      }
      assert.equal(pages, 3);
      assert.deepEqual(numbers, ['10000', '20000', '30000', '40000', '50000', '60000', '70000', '80000']);
    });

    it('filters with and, comparisons, functions, dates and date-times', async () => {
      const count = async (filter: string, entitySet = 'customers'): Promise<number> => {
        const response = await get<Collection>(`${company}/${entitySet}?$filter=${encodeURIComponent(filter)}`);
        assert.equal(response.status, 200, `${filter}: ${response.text}`);
        return response.body.value.length;
      };
      assert.equal(await count("country eq 'DE'"), 3);
      assert.equal(await count("country eq 'DE' and creditLimit ge 5000"), 2);
      assert.equal(await count("blocked ne ' '"), 2);
      assert.equal(await count("contains(displayName,'gmbh')"), 3);
      assert.equal(await count("startswith(number,'1') or startswith(number,'2')"), 2);
      assert.equal(await count("country eq 'CH' or country eq 'GB'"), 2);
      assert.equal(await count('lastModifiedDateTime gt 2019-08-18T20:05:51.603Z'), 8);
      assert.equal(await count("status eq 'Open' and totalAmountExcludingTax gt 1000.00", 'salesInvoices'), 3);
      assert.equal(await count(`status eq 'Open' and dueDate lt ${isoDate()}`, 'salesInvoices'), 2);
      assert.equal(await count(`customerId eq ${BC_SEED.customerId('40000')}`, 'salesInvoices'), 1);
    });

    it('rejects `or` across distinct fields, unknown properties and syntax errors', async () => {
      const distinctOr = await get(
        `${company}/customers?$filter=${encodeURIComponent("number eq '10000' or displayName eq 'x'")}`,
      );
      assert.equal(distinctOr.status, 400);
      assert.match(
        errorOf(distinctOr.body).message,
        /The 'OR' operator is not supported on distinct fields on an OData filter\./,
      );
      const unknown = await get(`${company}/customers?$filter=${encodeURIComponent("nickname eq 'x'")}`);
      assert.equal(unknown.status, 400);
      assert.match(
        errorOf(unknown.body).message,
        /^Could not find a property named 'nickname' on type 'Microsoft\.NAV\.customer'\./,
      );
      const syntax = await get(`${company}/customers?$filter=${encodeURIComponent('number eq')}`);
      assert.equal(syntax.status, 400);
      assert.equal(errorOf(syntax.body).code, 'BadRequest_NotFound');
    });

    it('supports $select, $orderby, $top, $skip and $count', async () => {
      const response = await get<Collection>(
        `${company}/items?$select=number,unitPrice&$orderby=unitPrice desc&$top=2&$skip=1&$count=true`,
      );
      assert.equal(response.body['@odata.count'], 6);
      assert.deepEqual(
        response.body.value.map((row) => Object.keys(row)),
        [
          ['@odata.etag', 'number', 'unitPrice'],
          ['@odata.etag', 'number', 'unitPrice'],
        ],
      );
      assert.deepEqual(
        response.body.value.map((row) => row.number),
        ['1920-S', '1906-S'],
      );
    });

    it('expands customerFinancialDetail and two levels of order lines and items', async () => {
      const customers = await get<Collection>(
        `${company}/customers?$filter=number eq '40000'&$expand=customerFinancialDetail`,
      );
      const details = customers.body.value[0]?.customerFinancialDetail as Entity;
      assert.deepEqual([details.number, details.balance, details.overdueAmount], ['40000', 4200, 4200]);

      const orders = await get<Collection>(
        `${company}/salesOrders?$filter=number eq 'S-ORD101001'&$expand=salesOrderLines($expand=item($select=number,unitPrice))`,
      );
      const lines = orders.body.value[0]?.salesOrderLines as Entity[];
      assert.equal(lines.length, 2);
      assert.deepEqual(
        lines.map((line) => (line.item as Entity).number),
        ['1896-S', '1900-S'],
      );
      assert.deepEqual(Object.keys(lines[0]?.item as Entity), ['@odata.etag', 'number', 'unitPrice']);
    });
  });

  describe('sales orders', () => {
    it('deep-inserts lines, prices them from the item and totals the order', async () => {
      const created = await send('POST', `${company}/salesOrders?$expand=salesOrderLines`, {
        customerNumber: '20000',
        externalDocumentNumber: 'PO-123',
        salesOrderLines: [
          { lineObjectNumber: '1900-S', quantity: 3 },
          {
            lineType: 'Item',
            itemId: 'bc001000-0000-4000-8000-000000000003',
            quantity: 1,
            unitPrice: 250,
            discountPercent: 10,
          },
        ],
      });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.number, 'S-ORD101004');
      assert.equal(created.body.customerName, 'Fabrikam GmbH');
      assert.equal(created.body.status, 'Draft');
      assert.equal(created.body.sellToCity, 'München');
      const lines = created.body.salesOrderLines as Entity[];
      assert.deepEqual(
        lines.map((line) => [line.sequence, line.unitPrice, line.amountExcludingTax]),
        [
          [10000, 192.8, 578.4],
          [20000, 250, 225],
        ],
      );
      assert.equal(created.body.totalAmountExcludingTax, 803.4);
      assert.equal(created.body.totalTaxAmount, 152.65);
      assert.equal(created.body.totalAmountIncludingTax, 956.05);

      const viaNavigation = await get<Collection>(`${company}/salesOrders(${String(created.body.id)})/salesOrderLines`);
      assert.equal(viaNavigation.body.value.length, 2);
      assert.equal(viaNavigation.body.value[0]?.description, 'PARIS Guest Chair, black');
    });

    it('rolls a deep insert back completely when a line fails', async () => {
      const before = await get<Collection>(`${company}/salesOrders`);
      const failed = await send('POST', `${company}/salesOrders`, {
        customerNumber: '20000',
        salesOrderLines: [
          { lineObjectNumber: '1900-S', quantity: 1 },
          { lineObjectNumber: 'NO-SUCH-ITEM', quantity: 1 },
        ],
      });
      assert.equal(failed.status, 400);
      assert.equal(errorOf(failed.body).code, 'Internal_RecordNotFound');
      const after = await get<Collection>(`${company}/salesOrders`);
      assert.equal(after.body.value.length, before.body.value.length);
      const lines = await get<Collection>(`${company}/salesOrderLines`);
      assert.equal(lines.body.value.length, 4);
    });

    it('does not allow deep PATCH', async () => {
      const order = `${company}/salesOrders(bc00a000-0000-4000-8000-000000101001)`;
      const response = await send('PATCH', order, { salesOrderLines: [{ quantity: 1 }] }, { 'If-Match': '*' });
      assert.equal(response.status, 400);
    });

    it('adds, changes and deletes lines through salesOrders(id)/salesOrderLines', async () => {
      const lines = `${company}/salesOrders(bc00a000-0000-4000-8000-000000101003)/salesOrderLines`;
      const added = await send('POST', lines, { lineObjectNumber: '1906-S', quantity: 2 });
      assert.equal(added.status, 201);
      assert.equal(added.body.sequence, 20000);
      assert.equal(added.body.unitPrice, 281.4);
      assert.equal(added.body.taxPercent, 0, 'GB customer: no domestic VAT');
      const lineUrl = `${lines}(${String(added.body.id)})`;
      const changed = await send('PATCH', lineUrl, { quantity: 5 }, { 'If-Match': String(added.body['@odata.etag']) });
      assert.equal(changed.body.amountExcludingTax, 1407);
      const stale = await send('PATCH', lineUrl, { quantity: 6 }, { 'If-Match': String(added.body['@odata.etag']) });
      assert.equal(stale.status, 409);
      const removed = await send('DELETE', lineUrl, undefined, { 'If-Match': String(changed.body['@odata.etag']) });
      assert.equal(removed.status, 204);
      assert.equal((await get(lineUrl)).status, 404);
    });

    it('refuses orders for customers blocked for shipping and orders without a customer', async () => {
      const blocked = await send('POST', `${company}/salesOrders`, { customerNumber: '70000' });
      assert.equal(blocked.status, 400);
      assert.equal(errorOf(blocked.body).code, 'Application_DialogException');
      assert.match(errorOf(blocked.body).message, /Customer 70000 is blocked with type Ship/);
      const noCustomer = await send('POST', `${company}/salesOrders`, { externalDocumentNumber: 'X' });
      assert.match(errorOf(noCustomer.body).message, /^A customerNumber or a customerID must be provided\./);
    });

    it('posts an order with Microsoft.NAV.shipAndInvoice into an open invoice', async () => {
      const orderUrl = `${company}/salesOrders(bc00a000-0000-4000-8000-000000101001)`;
      const order = await get(orderUrl);
      const posted = await send('POST', `${orderUrl}/Microsoft.NAV.shipAndInvoice`);
      assert.equal(posted.status, 204);
      assert.equal((await get(orderUrl)).status, 404);
      const invoices = await get<Collection>(`${company}/salesInvoices?$filter=orderNumber eq 'S-ORD101001'`);
      const [invoice] = invoices.body.value;
      assert.equal(invoice?.number, 'PS-INV103007');
      assert.equal(invoice?.status, 'Open');
      assert.equal(invoice?.totalAmountIncludingTax, order.body.totalAmountIncludingTax);
      assert.equal(invoice?.remainingAmount, order.body.totalAmountIncludingTax);
      assert.equal(invoice?.dueDate, isoDate(14), 'payment terms 14 DAYS');
    });
  });

  describe('invoices and customer financial details', () => {
    it('serves invoices in every documented state', async () => {
      const response = await get<Collection>(`${company}/salesInvoices?$select=number,status,remainingAmount,dueDate`);
      const byNumber = new Map(response.body.value.map((row) => [row.number, row]));
      assert.deepEqual(
        [...byNumber.keys()],
        ['PS-INV103001', 'PS-INV103002', 'PS-INV103003', 'PS-INV103004', 'PS-INV103005', 'PS-INV103006', 'S-INV102001'],
      );
      assert.equal(byNumber.get('PS-INV103002')?.remainingAmount, 1000, 'partially paid');
      assert.equal(byNumber.get('PS-INV103003')?.status, 'Paid');
      assert.ok(String(byNumber.get('PS-INV103004')?.dueDate) < isoDate(), 'overdue');
      assert.equal(byNumber.get('PS-INV103005')?.status, 'Canceled');
      assert.equal(byNumber.get('S-INV102001')?.status, 'Draft');
      const readOnly = await send(
        'PATCH',
        `${company}/salesInvoices(bc00e000-0000-4000-8000-000000103001)`,
        { status: 'Paid' },
        { 'If-Match': '*' },
      );
      assert.equal(readOnly.status, 405);
    });

    it('computes customerFinancialDetails (GET only) from posted invoices', async () => {
      const list = await get<Collection>(`${company}/customerFinancialDetails`);
      assert.equal(list.body.value.length, 8);
      const fabrikam = await get(`${company}/customerFinancialDetails(${BC_SEED.customerId('20000')})`);
      assert.deepEqual(
        [fabrikam.body.balance, fabrikam.body.overdueAmount, fabrikam.body.totalSalesExcludingTax],
        [1000, 0, 2521.01],
      );
      const tailspin = await get(`${customerUrl('70000')}/customerFinancialDetail`);
      assert.deepEqual([tailspin.body.balance, tailspin.body.overdueAmount], [295, 295]);
      const post = await send('POST', `${company}/customerFinancialDetails`, {});
      assert.equal(post.status, 405);
      assert.equal(errorOf(post.body).code, 'BadRequest_MethodNotAllowed');
    });
  });

  describe('$batch (JSON)', () => {
    const batchUrl = (): string => `${bc.apiUrl}/$batch`;
    const itemUrl = `companies(${BC_SEED.companyId})/items(bc001000-0000-4000-8000-000000000001)`;
    // As in the documentation: URLs relative to the API root, the company named in a Company header.
    const documentedOperation = (id: string, body: Entity) => ({
      method: 'PATCH',
      id,
      url: 'items(bc001000-0000-4000-8000-000000000001)',
      headers: { Company: 'CRONUS International Ltd.', 'Content-Type': 'application/json', 'If-Match': '*' },
      body,
    });
    const documentedBatch = {
      requests: [
        documentedOperation('1', { displayName: 'Touring Bicycle v2' }),
        documentedOperation('2', { type: 'Invalid Type' }),
      ],
    };
    interface BatchResponse {
      responses: Array<{ id: unknown; status: number; headers: Record<string, string>; body?: Entity }>;
    }

    it('answers each operation with id, status, headers and body', async () => {
      const response = await send<BatchResponse>('POST', batchUrl(), documentedBatch);
      assert.equal(response.status, 200);
      const [first, second] = response.body.responses;
      assert.deepEqual([first?.id, first?.status, first?.body?.displayName], ['1', 200, 'Touring Bicycle v2']);
      assert.equal(first?.headers['odata-version'], '4.0');
      assert.deepEqual([second?.id, second?.status], ['2', 400]);
      const error = (second?.body as unknown as ODataErrorBody).error;
      assert.equal(error.code, 'Unknown');
      assert.match(
        error.message,
        /^'Invalid Type' is not an option\. The existing options are: Inventory,Service,Non-Inventory {2}CorrelationId:/,
      );
      const item = await get(`${bc.apiUrl}/${itemUrl}`);
      assert.equal(item.body.displayName, 'Touring Bicycle v2', 'without Isolation each operation stands alone');
    });

    it('rolls everything back when Isolation: snapshot is set and an operation fails', async () => {
      const response = await send<BatchResponse>('POST', batchUrl(), documentedBatch, { Isolation: 'snapshot' });
      assert.deepEqual(
        response.body.responses.map((operation) => operation.status),
        [200, 400],
      );
      const item = await get(`${bc.apiUrl}/${itemUrl}`);
      assert.equal(item.body.displayName, 'ATHENS Desk');
    });

    it('resolves operation URLs and allows up to 100 operations', async () => {
      const reads = Array.from({ length: 100 }, (_, index) => ({
        method: 'GET',
        id: String(index),
        url:
          index % 2 === 0
            ? `companies(${BC_SEED.companyId})/items?$top=1`
            : `${bc.apiUrl}/companies(${BC_SEED.companyId})/items?$top=1`,
      }));
      const ok = await send<BatchResponse>('POST', batchUrl(), { requests: reads });
      assert.equal(ok.status, 200);
      assert.ok(ok.body.responses.every((operation) => operation.status === 200));
      const tooMany = await send('POST', batchUrl(), {
        requests: [...reads, { method: 'GET', id: 'x', url: 'companies' }],
      });
      assert.equal(tooMany.status, 400);
      assert.match(errorOf(tooMany.body).message, /maximum of 100/);
    });
  });

  it('exposes all records at GET /_admin/state and reseeds at POST /_admin/reset', async () => {
    await send('POST', `${company}/customers`, { displayName: 'Temporary' });
    const state = await http<{ system: string; companies: Array<{ id: string; entities: Record<string, Entity[]> }> }>(
      adminUrl(bc, 'state'),
    );
    assert.equal(state.body.system, 'business-central');
    assert.equal(state.body.companies[0]?.entities.customers?.length, 9);
    assert.equal((await http(adminUrl(bc, 'reset'), { method: 'POST' })).status, 204);
    const after = await get<Collection>(`${company}/customers`);
    assert.equal(after.body.value.length, 8);
  });
});
