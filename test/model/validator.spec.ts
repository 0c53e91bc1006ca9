import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validationError } from '../../nodes/lib/model/describe';
import { validateBatch } from '../../nodes/lib/model/validate-records';
import { ModelValidator, type FieldProblem } from '../../nodes/lib/model/validator';
import { importModule } from '../support/esm';
import { sampleCustomer, sampleInvoice, sampleOrder } from '../support/samples';

const root = join(__dirname, '..', '..', '..');
const validator = ModelValidator.instance();
const en = { lang: 'en' as const };

function problemAt(problems: FieldProblem[], pointer: string): FieldProblem {
  const found = problems.find((p) => p.pointer === pointer);
  assert.ok(found, `expected a problem at ${pointer}, got ${JSON.stringify(problems.map((p) => p.pointer))}`);
  return found;
}

describe('canonical model', () => {
  it('accepts a complete customer, order, invoice status and link', () => {
    assert.deepEqual(validator.validate('customer', sampleCustomer(), en), { valid: true, problems: [] });
    assert.deepEqual(validator.validate('order', sampleOrder(), en), { valid: true, problems: [] });
    assert.deepEqual(validator.validate('invoiceStatus', sampleInvoice(), en), { valid: true, problems: [] });
    const link = { entity: 'customer', linkId: 'L-1', ids: { crm: 'A-1', erp: '10000' } };
    assert.deepEqual(validator.validate('link', link, en), { valid: true, problems: [] });
  });

  it('reports every failing field with its JSON pointer and a plain message', () => {
    const record = sampleCustomer({
      name: '',
      email: 'not-an-address',
      address: { city: 'Wien', country: 'AUT' },
      currency: 'EURO',
      creditLimit: -5,
      lifecycle: 'lead',
      adress: 'typo',
    });
    delete record.ids;
    const { valid, problems } = validator.validate('customer', record, en);
    assert.equal(valid, false);
    assert.equal(problemAt(problems, '/ids').message, 'ids is missing');
    assert.equal(problemAt(problems, '/name').message, 'name must not be empty');
    assert.equal(problemAt(problems, '/email').message, 'email is not a valid e-mail address');
    assert.equal(
      problemAt(problems, '/address/country').message,
      'address.country is not a valid code (ISO 3166-1 alpha-2 country code such as DE)',
    );
    assert.equal(
      problemAt(problems, '/currency').message,
      'currency is not a valid code (ISO 4217 currency code such as EUR)',
    );
    assert.equal(problemAt(problems, '/creditLimit').message, 'creditLimit must be at least 0');
    assert.equal(problemAt(problems, '/lifecycle').message, 'lifecycle must be one of: prospect, customer, inactive');
    assert.equal(problemAt(problems, '/adress').message, 'adress is not a known field');
    assert.equal(problems.length, 8);
  });

  it('names list entries by index and checks line quantities', () => {
    const order = sampleOrder({ lines: [{ itemNumber: '1000', quantity: 0 }, { quantity: 1 }] });
    const { problems } = validator.validate('order', order, en);
    assert.equal(problemAt(problems, '/lines/0/quantity').message, 'lines[0].quantity must be greater than 0');
    assert.equal(problemAt(problems, '/lines/1/itemNumber').message, 'lines[1].itemNumber is missing');
  });

  it('rejects invalid system names in ids', () => {
    const { problems } = validator.validate('customer', sampleCustomer({ ids: { '1crm': 'A' } }), en);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.pointer, '/ids');
    assert.match(problems[0]?.message ?? '', /ids has an invalid key "1crm"/);
  });

  it('speaks German when asked', () => {
    const { problems } = validator.validate('customer', sampleCustomer({ email: 'x', phone: 5 }), { lang: 'de' });
    assert.equal(problemAt(problems, '/email').message, 'email ist kein gültiges Format (E-Mail-Adresse)');
    assert.equal(problemAt(problems, '/phone').message, 'phone muss vom Typ Text sein');
  });
});

describe('field length profiles', () => {
  const longCity = 'Sankt Johann im Pongau Nord-West'; // 32 characters

  it('fails a value over the NAV limit with field, length and limit, never truncating', () => {
    const record = sampleCustomer({ address: { city: longCity, country: 'AT' } });
    assert.equal(validator.validate('customer', record, en).valid, true, 'the canonical model itself allows 80');
    const { valid, problems } = validator.validate('customer', record, { lang: 'en', profile: 'nav' });
    assert.equal(valid, false);
    const problem = problemAt(problems, '/address/city');
    assert.equal(problem.limit, 30);
    assert.equal(
      problem.message,
      'address.city is 32 characters long; the limit is 30 (Dynamics NAV / Business Central)',
    );
    assert.equal((record.address as { city: string }).city, longCity);
  });

  it('enforces each documented NAV customer limit', () => {
    const limits: Array<[string, number, Record<string, unknown>]> = [
      ['/name', 100, { name: 'x'.repeat(101) }],
      ['/phone', 30, { phone: '1'.repeat(31) }],
      ['/email', 80, { email: `${'a'.repeat(70)}@example.com` }],
      ['/taxId', 20, { taxId: 'DE'.padEnd(21, '9') }],
      ['/address/postCode', 20, { address: { postCode: '9'.repeat(21) } }],
    ];
    for (const [pointer, limit, overrides] of limits) {
      const { problems } = validator.validate('customer', sampleCustomer(overrides), { lang: 'en', profile: 'nav' });
      assert.equal(problemAt(problems, pointer).limit, limit, pointer);
      // one character less passes
    }
    const atLimit = sampleCustomer({ name: 'x'.repeat(100), phone: '1'.repeat(30) });
    assert.equal(validator.validate('customer', atLimit, { lang: 'en', profile: 'nav' }).valid, true);
  });

  it('reports the profile limit when a value breaks both it and the canonical limit', () => {
    const { problems } = validator.validate('customer', sampleCustomer({ name: 'n'.repeat(300) }), {
      lang: 'en',
      profile: 'nav',
    });
    assert.deepEqual(
      problems.map((p) => p.message),
      ['name is 300 characters long; the limit is 100 (Dynamics NAV / Business Central)'],
    );
  });

  it('says "Datensatz" for the record itself in German', () => {
    const { problems } = validator.validate('customer', 'kein Objekt', { lang: 'de' });
    assert.deepEqual(
      problems.map((p) => p.message),
      ['Datensatz muss vom Typ Objekt sein'],
    );
  });

  it('applies limits inside order lines and the Dataverse profile', () => {
    const order = sampleOrder({ lines: [{ itemNumber: 'X'.repeat(21), quantity: 1 }] });
    const { problems } = validator.validate('order', order, { lang: 'en', profile: 'nav' });
    assert.equal(problemAt(problems, '/lines/0/itemNumber').limit, 20);
    const dv = validator.validate('customer', sampleCustomer({ name: 'y'.repeat(161) }), {
      lang: 'de',
      profile: 'dataverse',
    });
    assert.equal(
      problemAt(dv.problems, '/name').message,
      'name ist 161 Zeichen lang; erlaubt sind 160 (Dataverse / Dynamics 365)',
    );
  });
});

describe('validation errors and batches', () => {
  it('builds one VALIDATION error naming the record and its fields', () => {
    const record = sampleCustomer({ email: 'x' });
    const { problems } = validator.validate('customer', record, en);
    const error = validationError('customer', record, problems, 'en').toInfo();
    assert.equal(error.code, 'VALIDATION');
    assert.equal(error.retryable, false);
    assert.equal(
      error.message,
      'customer crm=A-1001, erp=10000 has 1 invalid field: email is not a valid e-mail address',
    );
  });

  it('keeps every record of a batch: valid ones and invalid ones with their index', () => {
    const records = [
      sampleCustomer(),
      sampleCustomer({ ids: { crm: 'A-2' }, email: 'bad' }),
      'not a record',
      sampleCustomer(),
    ];
    const batch = validateBatch(validator, 'customer', records, en);
    assert.equal(batch.valid.length, 2);
    assert.equal(batch.invalid.length, 2);
    assert.deepEqual(
      batch.results.map((r) => r.valid),
      [true, false, false, true],
    );
    assert.ok(batch.error);
    assert.match(batch.error.message, /^2 of 4 records are invalid: record 1 \(customer crm=A-2\) has 1 invalid field/);
    const items = (batch.error.details as { items: Array<{ index: number }> }).items;
    assert.deepEqual(
      items.map((i) => i.index),
      [1, 2],
    );
  });
});

describe('custom schemas', () => {
  it('compiles a user schema that extends the built-in customer', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      allOf: [{ $ref: 'customer.schema.json' }, { required: ['taxId'] }],
    };
    const target = validator.compileCustom(schema, 'customer');
    assert.equal(validator.compileCustom(schema, 'customer'), target, 'compiled once per content');
    const record = sampleCustomer();
    delete record.taxId;
    const { problems } = validator.validate(target, record, { lang: 'en', profile: 'nav' });
    assert.deepEqual(
      problems.map((p) => p.message),
      ['taxId is missing'],
    );
  });

  it('refuses a custom schema that takes the id of a built-in one', () => {
    assert.throws(
      () => validator.compileCustom({ $id: 'customer.schema.json', type: 'object' }),
      /\$id "customer.schema.json" is the id of a built-in schema/,
    );
    const extending = validator.compileCustom({ allOf: [{ $ref: 'customer.schema.json' }] });
    assert.equal(validator.validate(extending, { name: 'no ids' }, en).valid, false);
  });

  it('explains an invalid schema', () => {
    assert.throws(() => validator.compileCustom({ type: 'nonsense' }), /schema is invalid|must be equal to one of/);
  });

  it('compiles a corrected schema under the $id of one that failed before', () => {
    const $id = 'https://example.com/schemas/fixed-later.json';
    assert.throws(() => validator.compileCustom({ $id, type: 'object', properties: { name: { type: 'text' } } }));
    const fixed = validator.compileCustom({ $id, type: 'object', properties: { name: { type: 'string' } } });
    assert.equal(validator.validate(fixed, { name: 'Fabrikam' }, en).valid, true);
    assert.equal(validator.validate(fixed, { name: 42 }, en).valid, false);
  });
});

describe('generated TypeScript types', () => {
  it('match the schemas (run `npm run generate-types` after changing a schema)', async () => {
    const generator = await importModule<{ renderTypes(): Promise<string> }>(
      join(root, 'scripts', 'generate-types.mjs'),
    );
    const committed = readFileSync(join(root, 'nodes', 'lib', 'model', 'types.generated.ts'), 'utf8');
    assert.equal(committed, await generator.renderTypes());
  });
});
