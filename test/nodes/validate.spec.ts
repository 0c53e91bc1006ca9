import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import validateNode from '../../nodes/crmerp-validate';
import { collect, helper, nextMessage, observers, until, type FlowNode } from '../support/node-red';
import { sampleCustomer } from '../support/samples';
import { tempDir } from '../support/tmp';

const TAB = 'tab';
const NODE = 'validate';

function flow(settings: Record<string, unknown> = {}): FlowNode[] {
  return [
    ...observers(TAB, NODE),
    {
      id: NODE,
      type: 'crmerp-validate',
      z: TAB,
      name: 'check customers',
      property: 'payload',
      propertyType: 'msg',
      schemaSource: 'builtin',
      entity: 'customer',
      profile: 'nav',
      arrayMode: 'partition',
      lang: 'en',
      ...settings,
      wires: [['valid'], ['invalid']],
    },
    { id: 'valid', type: 'helper', z: TAB },
    { id: 'invalid', type: 'helper', z: TAB },
  ];
}

describe('validate node', () => {
  const dir = tempDir('validate');
  afterEach(async () => {
    await helper.unload();
  });
  after(() => dir.remove());

  it('sends a valid record on output 1, then completes with a green status', async () => {
    await helper.load(validateNode, flow());
    const valid = nextMessage('valid');
    const completed = nextMessage('completed');
    const status = nextMessage('statuses');
    helper.getNode(NODE).receive({ payload: sampleCustomer(), topic: 'kept' });
    const msg = await valid;
    assert.deepEqual(msg.payload, sampleCustomer());
    assert.equal(msg.topic, 'kept');
    assert.equal(msg.error, undefined);
    await completed;
    const statusMsg = (await status).status as { fill: string; text: string };
    assert.equal(statusMsg.fill, 'green');
    assert.equal(statusMsg.text, 'crmerp-validate.status.counts');
  });

  it('sends an invalid record on output 2 with msg.error listing every field (NAV limits)', async () => {
    await helper.load(validateNode, flow());
    const invalid = nextMessage('invalid');
    const completed = nextMessage('completed');
    const record = sampleCustomer({ address: { city: 'Sankt Johann im Pongau Nord-West', country: 'AUT' } });
    helper.getNode(NODE).receive({ payload: record });
    const msg = await invalid;
    const error = msg.error as {
      code: string;
      message: string;
      system: string;
      retryable: boolean;
      details: { problems: Array<{ pointer: string; message: string }> };
    };
    assert.equal(error.code, 'VALIDATION');
    assert.equal(error.retryable, false);
    assert.deepEqual(
      error.details.problems.map((p) => p.pointer),
      ['/address/country', '/address/city'],
    );
    assert.match(error.message, /^customer crm=A-1001, erp=10000 has 2 invalid fields: /);
    assert.match(
      error.message,
      /address\.city is 32 characters long; the limit is 30 \(Dynamics NAV \/ Business Central\)/,
    );
    assert.deepEqual(msg.payload, record, 'the record is passed on unchanged');
    await completed;
  });

  it('writes its messages in German when set to', async () => {
    await helper.load(validateNode, flow({ lang: 'de' }));
    const invalid = nextMessage('invalid');
    helper.getNode(NODE).receive({ payload: sampleCustomer({ email: 'nein' }) });
    const error = (await invalid).error as { message: string };
    assert.equal(
      error.message,
      'Kunde crm=A-1001, erp=10000 hat 1 ungültiges Feld: email ist kein gültiges Format (E-Mail-Adresse)',
    );
  });

  it('partitions a list: valid records on output 1, invalid on output 2, none dropped', async () => {
    await helper.load(validateNode, flow());
    const valid = nextMessage('valid');
    const invalid = nextMessage('invalid');
    const records = [
      sampleCustomer(),
      sampleCustomer({ ids: { crm: 'A-2' }, phone: '1'.repeat(31) }),
      sampleCustomer({ ids: { crm: 'A-3' } }),
      42,
    ];
    helper.getNode(NODE).receive({ payload: records });
    const ok = await valid;
    const bad = await invalid;
    assert.deepEqual(
      (ok.payload as Array<{ ids: { crm: string } }>).map((r) => r.ids.crm),
      ['A-1001', 'A-3'],
    );
    assert.deepEqual(bad.payload, [records[1], 42]);
    const error = bad.error as { message: string; details: { items: Array<{ index: number }> } };
    assert.deepEqual(
      error.details.items.map((i) => i.index),
      [1, 3],
    );
    assert.match(error.message, /^2 of 4 records are invalid: record 1 \(customer crm=A-2\)/);
    assert.deepEqual((ok.validation as { valid: number; invalid: number }).invalid, 2);
  });

  it('passes an empty list on as valid', async () => {
    await helper.load(validateNode, flow());
    const valid = nextMessage('valid');
    helper.getNode(NODE).receive({ payload: [] });
    const msg = await valid;
    assert.deepEqual(msg.payload, []);
    assert.deepEqual((msg.validation as { total: number }).total, 0);
  });

  it('splits a list into one message per record when set to', async () => {
    await helper.load(validateNode, flow({ arrayMode: 'split' }));
    const valid = collect('valid');
    const invalid = collect('invalid');
    helper.getNode(NODE).receive({ payload: [sampleCustomer(), { name: 'no ids' }, sampleCustomer()] });
    await until(() => valid.length + invalid.length === 3, 'three messages');
    assert.equal(valid.length, 2);
    assert.equal(invalid.length, 1);
    assert.deepEqual((invalid[0]?.parts as { index: number }).index, 1);
    assert.match(
      (invalid[0]?.error as { message: string }).message,
      /^record 1 \(customer name=no ids\) has 1 invalid field: ids is missing/,
    );
  });

  it('validates against a schema written in the node', async () => {
    const schema = JSON.stringify({
      type: 'object',
      required: ['orderNo'],
      properties: { orderNo: { type: 'string', pattern: '^SO-' } },
    });
    await helper.load(validateNode, flow({ schemaSource: 'json', schemaJson: schema, profile: '' }));
    const invalid = nextMessage('invalid');
    helper.getNode(NODE).receive({ payload: { orderNo: 'X-1' } });
    assert.match(((await invalid).error as { message: string }).message, /orderNo has an invalid format/);
  });

  it('validates against a schema file relative to the user directory', async () => {
    writeFileSync(join(dir.path, 'contact.schema.json'), JSON.stringify({ type: 'object', required: ['email'] }));
    await helper.load(
      validateNode,
      flow({ schemaSource: 'file', schemaFile: join(dir.path, 'contact.schema.json'), profile: '' }),
    );
    const valid = nextMessage('valid');
    helper.getNode(NODE).receive({ payload: { email: 'a@b.example' } });
    assert.deepEqual((await valid).payload, { email: 'a@b.example' });
  });

  it('reports a broken schema as CONFIG to a Catch node on every message', async () => {
    await helper.load(validateNode, flow({ schemaSource: 'json', schemaJson: '{ not json', profile: '' }));
    const caught = nextMessage('caught');
    helper.getNode(NODE).receive({ payload: sampleCustomer() });
    const msg = await caught;
    const error = msg.error as { message: string; code: string; source: { id: string } };
    assert.equal(error.code, 'CONFIG');
    assert.equal(error.source.id, NODE);
    assert.match(error.message, /the schema in the node is not valid JSON/);
    assert.equal(
      (msg._error as { code: string; system: string }).system,
      'input',
      'the full contract is kept in msg._error',
    );
  });

  it('treats a missing input property as an invalid record on output 2', async () => {
    await helper.load(validateNode, flow({ property: 'record', propertyType: 'msg' }));
    const invalid = nextMessage('invalid');
    helper.getNode(NODE).receive({ payload: sampleCustomer() });
    const msg = await invalid;
    assert.equal(
      (msg.error as { message: string }).message,
      'customer has 1 invalid field: record must be of type object',
    );
  });
});
