/** The Dataverse emulator's order products (salesorderdetails) and products, over loopback. */
import assert from 'node:assert/strict';
import { DATAVERSE_SEED, startDataverseEmulator, type DataverseEmulator } from '../../sandbox/dataverse';
import { authorization, http, type Collection, type Entity, type ODataErrorBody } from './helpers';

describe('Dataverse emulator: order products', () => {
  let dataverse: DataverseEmulator;
  let headers: Record<string, string>;

  const api = (path: string): string => `${dataverse.apiUrl}/${path}`;
  const get = <T = Entity>(path: string) => http<T>(api(path), { headers });
  const post = (path: string, body: unknown) =>
    http(api(path), { method: 'POST', headers: { ...headers, Prefer: 'return=representation' }, body });

  before(async () => {
    dataverse = await startDataverseEmulator();
    headers = { ...(await authorization(dataverse)), Accept: 'application/json', 'OData-Version': '4.0' };
  });
  beforeEach(() => dataverse.reset());
  after(() => dataverse.close());

  it('seeds every order with product lines whose product numbers are Business Central items', async () => {
    const lines = await get<Collection>(
      'salesorderdetails?$select=quantity,priceperunit,manualdiscountamount,extendedamount,_salesorderid_value' +
        '&$expand=productid($select=productnumber)&$orderby=lineitemnumber,salesorderdetailid',
    );
    assert.equal(lines.status, 200, lines.text);
    const byOrder = new Map<unknown, Array<[unknown, unknown]>>();
    for (const line of lines.body.value) {
      const product = (line.productid as Entity).productnumber;
      byOrder.set(line._salesorderid_value, [
        ...(byOrder.get(line._salesorderid_value) ?? []),
        [product, line.quantity],
      ]);
    }
    assert.deepEqual(
      [1, 2, 3].map((order) => byOrder.get(DATAVERSE_SEED.salesOrderId(order))),
      [
        [['1908-S', 12]],
        [
          ['1896-S', 4],
          ['1900-S', 6],
        ],
        [['1920-S', 2]],
      ],
    );
    // The line amounts add up to each order's total.
    const orders = await get<Collection>(
      'salesorders?$select=totalamount&$expand=order_details($select=extendedamount)',
    );
    for (const order of orders.body.value) {
      const sum = (order.order_details as Entity[]).reduce((total, line) => total + Number(line.extendedamount), 0);
      assert.equal(Math.round(sum * 100) / 100, order.totalamount, `order ${String(order.salesorderid)}`);
    }
  });

  it('adds a line to an order through the lookups, filters by the order and ignores the calculated amounts', async () => {
    const order = DATAVERSE_SEED.salesOrderId(1);
    const created = await post('salesorderdetails', {
      'salesorderid@odata.bind': `/salesorders(${order})`,
      'productid@odata.bind': `/products(${DATAVERSE_SEED.productId(3)})`,
      lineitemnumber: 2,
      quantity: 3,
      priceperunit: 281.4,
      extendedamount: 1,
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body._salesorderid_value, order);
    assert.equal(created.body._productid_value, DATAVERSE_SEED.productId(3));
    assert.equal(created.body.extendedamount, null, 'calculated by Dataverse, not written by clients');
    assert.equal('statecode' in created.body, false, 'order products have no state of their own');

    const lines = await get<Collection>(
      `salesorderdetails?$filter=_salesorderid_value eq ${order}&$select=quantity&$orderby=lineitemnumber`,
    );
    assert.deepEqual(
      lines.body.value.map((line) => line.quantity),
      [12, 3],
    );
  });

  it('refuses a line bound to an order that does not exist, and a column the table lacks', async () => {
    const missing = await post('salesorderdetails', {
      'salesorderid@odata.bind': '/salesorders(00000000-0000-4000-8000-0000000000ff)',
      quantity: 1,
    });
    assert.equal(missing.status, 404);
    const unknown = await post('salesorderdetails', { productnumber: '1896-S', quantity: 1 });
    assert.equal(unknown.status, 400);
    assert.match((unknown.body as unknown as ODataErrorBody).error.message, /productnumber/);
  });

  it('serves the product catalogue with its states', async () => {
    const products = await get<Collection>("products?$filter=productnumber eq '1920-S'&$select=name,statecode");
    assert.deepEqual(
      products.body.value.map((product) => [product.name, product.statecode]),
      [['ANTWERP Conference Table', 0]],
    );
  });
});
