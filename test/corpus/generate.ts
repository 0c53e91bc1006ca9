/**
 * A deterministic corpus of malformed inputs for every node: valid canonical customers and orders
 * (test/support/samples.ts) broken one way at a time — each field of the schemas given every wrong JSON
 * type, ids missing or mangled, strings just over each NAV / Business Central limit and far over it, SQL
 * and OData injection, control characters, mixed Unicode, huge arrays, deep nesting, prototype keys and
 * values that are no record at all — plus seeded random mixes of these, malformed record ids, trigger
 * messages and dead-letter requests. The same seed always yields the same corpus; nothing here calls
 * Math.random.
 */
import { PROFILES, type ProfileId } from '../../nodes/lib/model/profiles';
import { loadSchemaFile } from '../../nodes/lib/model/validator';
import { erpReadyOrder } from '../support/orders';
import { sampleCustomer } from '../support/samples';
import { seededRandom } from '../support/separate-processes';

export const CORPUS_SEED = 20_261_120;

/** What a case feeds: a customer or an order record, a record id, a trigger of read changes, a dead-letters request. */
export type Subject = 'customer' | 'order' | 'recordId' | 'trigger' | 'deadLetters';

export const CATEGORIES = [
  'wrong-type',
  'missing-id',
  'over-long',
  'sql-injection',
  'odata-injection',
  'control-characters',
  'mixed-unicode',
  'huge-array',
  'deep-nesting',
  'prototype-keys',
  'non-object',
  'message-property',
  'random-mix',
] as const;
export type Category = (typeof CATEGORIES)[number];

/**
 * What the canonical model says of the case, before any system's field limits: `rejected` (not a valid
 * record), `accepted` (a valid one, to be stored exactly as given unless a limit in `tooLongFor` applies),
 * or `either` (model-valid, but a node or system may refuse it for a reason of its own).
 */
export type Expectation = 'rejected' | 'accepted' | 'either';

export interface CorpusCase {
  /** Unique and stable, e.g. `customer/wrong-type/address.city=number`. */
  id: string;
  subject: Subject;
  category: Category;
  /** The field the case breaks, as messages name it (`lines[0].quantity`); '' for the input as a whole. */
  field: string;
  expect: Expectation;
  /** Profiles whose field limit the value exceeds although the model takes it. */
  tooLongFor: ProfileId[];
  /**
   * The field names something the target system must know (payment terms, an item, a unit of measure):
   * a model-valid value may still be refused there.
   */
  reference?: true;
  /** msg.payload. */
  payload: unknown;
  /** Further message properties (msg.operation, msg.changes, …). */
  message: Record<string, unknown>;
  /**
   * Nested deeper than Node-RED can copy a message (see NODE_RED_COPY_LIMIT): it cannot reach a Catch or
   * Complete node, so it is only to be refused without a crash and logged.
   */
  beyondNodeRed?: true;
}

export const ONE_MB = 1024 * 1024;

/** Order source ids the model refuses. */
const SOURCE_IDS: ReadonlyArray<readonly [string, unknown]> = [
  ['empty', ''],
  ['number', 42],
  ['101-chars', 'S'.repeat(101)],
  ['1MB', 'S'.repeat(ONE_MB)],
];

/** Fields whose value must exist in the target system. */
const REFERENCES = /^(paymentTerms|lines\[\d+\]\.(itemNumber|unitOfMeasure))$/;

/**
 * A nesting depth Node-RED's own message copy can never handle (it fails from a few thousand levels on,
 * depending on the stack in use at the time).
 */
export const NODE_RED_COPY_LIMIT = 100_000;

export const SQL_INJECTIONS = [
  "'; DROP TABLE links;--",
  "' OR 1=1 --",
  ']; EXEC xp_cmdshell',
  "Robert'); DELETE FROM links WHERE ('1'='1",
  "1; UPDATE links SET record_id = 'x' --",
] as const;

export const ODATA_INJECTIONS = [
  "' or 1 eq 1",
  "x' or startswith(name,'') or 'a' eq 'a",
  '$filter=number ne null',
  '%27 or 1 eq 1 %27',
  "x')&$expand=salesOrderLines",
  "10000')/salesInvoices?$top=1&x=('",
] as const;

export const CONTROL_STRINGS = [
  ['nul', 'A\u0000B'],
  ['backspace', 'Kunde\u0008\u0008\u0008Hacked'],
  ['escape', '\u001b[31mred\u001b[0m GmbH'],
  ['line-separator', 'Erste\u2028Zweite'],
  ['lone-high-surrogate', 'Half \ud800 pair'],
  ['lone-low-surrogate', '\udc00 at start'],
  ['newline-tab', 'Line 1\r\nLine 2\tTab'],
  ['del', 'Delete\u007f me'],
] as const;

const NFC_NAME = 'M\u00fcller Stra\u00dfenbau GmbH';
export const UNICODE_STRINGS = [
  ['rtl-override', 'Invoice \u202egnp.exe'],
  ['combining-marks', 'Z\u0351\u0307a\u0352\u0301l\u0318g\u0334o\u0360 GmbH'],
  ['emoji', 'Fahrrad 🚲 & Söhne 👩‍👩‍👧‍👦'],
  ['nfc', NFC_NAME],
  ['nfd', NFC_NAME.normalize('NFD')],
  ['full-width-digits', 'Werk \uff11\uff12\uff13'],
  ['zero-width', 'Ad\u200batum\u200d GmbH\ufeff'],
  ['bidi-mixed', 'שלום Adatum مرحبا'],
  ['cjk', '株式会社アダタム'],
  ['astral-only', '𝔄𝔡𝔞𝔱𝔲𝔪'],
] as const;

type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';

/** A field of a schema, found by reading the schema files (so a field added there is in the corpus too). */
interface SchemaField {
  /** Dot path; `lines.0.x` for the first order line. */
  path: string;
  type: JsonType;
  maxLength?: number;
  /** An enum, a format or a pattern: an arbitrary text is never valid there. */
  constrained: boolean;
}

type Schema = Record<string, unknown>;

function definitions(): Map<string, Schema> {
  const defs = new Map<string, Schema>();
  for (const file of ['common.schema.json', 'customer.schema.json', 'order.schema.json']) {
    const schema = loadSchemaFile(file) as Schema;
    for (const [name, def] of Object.entries((schema.$defs ?? {}) as Record<string, Schema>)) {
      defs.set(`${file}#/$defs/${name}`, def);
      defs.set(`#/$defs/${name}@${file}`, def);
    }
  }
  return defs;
}

function resolve(schema: Schema, file: string, defs: Map<string, Schema>): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const target = ref.startsWith('#') ? defs.get(`${ref}@${file}`) : defs.get(ref);
  if (!target) throw new Error(`corpus: cannot resolve ${ref} in ${file}`);
  return resolve(target, ref.startsWith('#') ? file : ref.split('#')[0]!, defs);
}

/** Every property of an entity schema, nested objects (address, line) expanded one level. */
function schemaFields(file: string): SchemaField[] {
  const defs = definitions();
  const fields: SchemaField[] = [];
  const walk = (schema: Schema, prefix: string, fileOf: string, depth: number) => {
    for (const [name, raw] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
      const property = resolve(raw, fileOf, defs);
      const path = prefix ? `${prefix}.${name}` : name;
      const type = (typeof property.type === 'string' ? property.type : 'string') as JsonType;
      const constrained = 'enum' in property || 'format' in property || 'pattern' in property;
      const field: SchemaField = { path, type, constrained };
      if (typeof property.maxLength === 'number') field.maxLength = property.maxLength;
      fields.push(field);
      if (depth === 0 && name === 'address') walk(property, path, 'common.schema.json', 1);
      if (depth === 0 && name === 'lines') {
        walk(resolve(property.items as Schema, fileOf, defs), `${path}.0`, fileOf, 1);
      }
    }
  };
  walk(loadSchemaFile(file) as Schema, '', file, 0);
  return fields;
}

/** `lines.0.quantity` → `lines[0].quantity`, as messages name fields. */
export function readableField(path: string): string {
  return path.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}

function setPath(record: Record<string, unknown>, path: string, value: unknown, remove = false): void {
  const segments = path.split('.');
  let target: Record<string, unknown> = record;
  for (const segment of segments.slice(0, -1)) {
    const next = target[segment];
    if (next === null || typeof next !== 'object') target[segment] = {};
    target = target[segment] as Record<string, unknown>;
  }
  const last = segments.at(-1)!;
  if (remove) delete target[last];
  else target[last] = value;
}

const WRONG_VALUES: Record<JsonType | 'null', () => unknown> = {
  string: () => 'not the right type',
  number: () => 42,
  integer: () => 7,
  boolean: () => true,
  object: () => ({ value: 'nested' }),
  array: () => ['a', 'list'],
  null: () => null,
};

/** The wrong types for a field: every JSON type but its own (a whole number is still a number). */
function wrongTypesFor(type: JsonType): Array<JsonType | 'null'> {
  const all: Array<JsonType | 'null'> = ['string', 'number', 'boolean', 'object', 'array', 'null'];
  return all.filter((t) => t !== type && !(type === 'integer' && t === 'number'));
}

/** How far a string of `length` code units gets: the schema's own limit, then each profile's. */
function lengthVerdict(
  entity: 'customer' | 'order',
  field: SchemaField | undefined,
  length: number,
): { expect: Expectation; tooLongFor: ProfileId[] } {
  if (field?.constrained || (field?.maxLength !== undefined && length > field.maxLength)) {
    return { expect: 'rejected', tooLongFor: [] };
  }
  const profilePath = field?.path.replace(/\.\d+\./, '.*.');
  const tooLongFor = (Object.keys(PROFILES) as ProfileId[]).filter((id) =>
    (PROFILES[id].limits[entity] ?? []).some((limit) => limit.path === profilePath && length > limit.maxLength),
  );
  return { expect: 'accepted', tooLongFor };
}

/** A string of exactly `length` UTF-16 code units built from `unit` (cut at a whole unit). */
function ofLength(unit: string, length: number): string {
  const text = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
  return text.length === length ? text : `${text}${'x'.repeat(length - text.length)}`;
}

export const SUBJECTS: readonly Subject[] = ['customer', 'order', 'recordId', 'trigger', 'deadLetters'];

/**
 * Builds the corpus, or the cases of some subjects (the same cases the whole corpus holds for them).
 * Every call returns fresh objects, so nodes may change them freely.
 */
export function generateCorpus(seed = CORPUS_SEED, subjects: readonly Subject[] = SUBJECTS): CorpusCase[] {
  const want = (subject: Subject) => subjects.includes(subject);
  // A generator and a serial number per entity, so that a selection does not change the cases.
  const randoms = { customer: seededRandom(seed), order: seededRandom(seed + 1) };
  const serials = { customer: 0, order: 0 };
  const cases: CorpusCase[] = [];
  const caseIds = new Set<string>();

  // Unique ids, e-mail addresses and tax ids: each accepted record is a customer of its own.
  const customerBase = (): Record<string, unknown> => {
    const n = String(++serials.customer).padStart(4, '0');
    return sampleCustomer({
      ids: { crm: `CORPUS-C${n}` },
      email: `corpus-c${n}@example.com`,
      taxId: `DE90000${n}`,
      paymentTerms: '30 DAYS',
    });
  };
  const orderBase = (): Record<string, unknown> => {
    const n = String(++serials.order).padStart(4, '0');
    return erpReadyOrder({ sourceId: `CORPUS-O${n}` });
  };
  const add = (
    subject: Subject,
    category: Category,
    name: string,
    payload: unknown,
    options: {
      field?: string;
      expect?: Expectation;
      tooLongFor?: ProfileId[];
      message?: Record<string, unknown>;
      beyondNodeRed?: true;
    } = {},
  ) => {
    if (!want(subject)) return;
    const id = `${subject}/${category}/${name}`;
    if (caseIds.has(id)) throw new Error(`corpus: duplicate case ${id}`);
    caseIds.add(id);
    cases.push({
      id,
      subject,
      category,
      field: options.field ?? '',
      expect: options.expect ?? 'rejected',
      tooLongFor: options.tooLongFor ?? [],
      payload,
      message: options.message ?? {},
      ...(options.beyondNodeRed && { beyondNodeRed: true as const }),
      ...(REFERENCES.test(options.field ?? '') && { reference: true as const }),
    });
  };

  const entities = [
    { subject: 'customer' as const, base: customerBase, fields: schemaFields('customer.schema.json') },
    { subject: 'order' as const, base: orderBase, fields: schemaFields('order.schema.json') },
  ].filter((entity) => want(entity.subject));
  const entitySubjects = (['customer', 'order'] as const).filter(want);
  const textFields = (fields: SchemaField[]) => fields.filter((f) => f.type === 'string' && !f.constrained);

  for (const { subject, base, fields } of entities) {
    // Every field, every wrong type.
    for (const field of fields) {
      for (const type of wrongTypesFor(field.type)) {
        const record = base();
        setPath(record, field.path, WRONG_VALUES[type]());
        add(subject, 'wrong-type', `${field.path}=${type}`, record, { field: readableField(field.path) });
      }
    }
    // Over-long: just over each profile limit, and 1 MB.
    const limited = new Map<string, number>();
    for (const profile of Object.values(PROFILES)) {
      for (const limit of profile.limits[subject] ?? []) {
        const path = limit.path.replace('*', '0');
        const key = `${path}@${limit.maxLength}`;
        if (!limited.has(key)) limited.set(key, limit.maxLength);
      }
    }
    for (const [key, maxLength] of limited) {
      const path = key.split('@')[0]!;
      const field = fields.find((f) => f.path === path);
      const justOver = ofLength(path.endsWith('postCode') ? '8' : 'Ab', maxLength + 1);
      const record = base();
      setPath(record, path, justOver);
      add(subject, 'over-long', `${path}=${maxLength}+1`, record, {
        field: readableField(path),
        ...lengthVerdict(subject, field, justOver.length),
      });
      // At the limit in astral characters: UTF-16 code units count, so this still fits.
      if (maxLength % 2 === 0) {
        const atLimit = ofLength('🚲', maxLength);
        const fitting = base();
        setPath(fitting, path, atLimit);
        add(subject, 'over-long', `${path}=${maxLength}-in-emoji`, fitting, {
          field: readableField(path),
          ...lengthVerdict(subject, field, atLimit.length),
        });
      }
    }
    for (const field of textFields(fields)) {
      const record = base();
      setPath(record, field.path, ofLength('Überlänge ', ONE_MB));
      add(subject, 'over-long', `${field.path}=1MB`, record, {
        field: readableField(field.path),
        ...lengthVerdict(subject, field, ONE_MB),
      });
    }
    // Injection strings in every text field: the model takes them, and they must be stored as text.
    const injectables = textFields(fields).filter((f) => !f.path.startsWith('ids') && !f.path.startsWith('customer'));
    for (const [category, strings] of [
      ['sql-injection', SQL_INJECTIONS],
      ['odata-injection', ODATA_INJECTIONS],
    ] as const) {
      strings.forEach((text, i) => {
        for (const field of injectables) {
          const record = base();
          setPath(record, field.path, text);
          add(subject, category, `${field.path}#${i}`, record, {
            field: readableField(field.path),
            ...lengthVerdict(subject, field, text.length),
          });
        }
      });
    }
    // Control characters and mixed Unicode where people type names and descriptions.
    // Where people type (names, descriptions), and a tax id, which goes into Business Central's $filter.
    const typed = subject === 'customer' ? ['name', 'taxId', 'address.city', 'address.line1'] : ['lines.0.description'];
    for (const path of typed) {
      const field = fields.find((f) => f.path === path);
      for (const [label, text] of CONTROL_STRINGS) {
        const record = base();
        setPath(record, path, text);
        add(subject, 'control-characters', `${path}=${label}`, record, {
          field: readableField(path),
          expect: 'either',
          tooLongFor: lengthVerdict(subject, field, text.length).tooLongFor,
        });
      }
      for (const [label, text] of UNICODE_STRINGS) {
        const record = base();
        setPath(record, path, text);
        add(subject, 'mixed-unicode', `${path}=${label}`, record, {
          field: readableField(path),
          ...lengthVerdict(subject, field, text.length),
        });
      }
    }
    // Full-width digits where digits are expected: text all the same, kept as it is.
    if (subject === 'customer') {
      for (const [path, text] of [
        ['address.postCode', '\uff18\uff10\uff18\uff10\uff12'],
        ['phone', '\uff0b\uff14\uff19 \uff18\uff19 \uff11\uff12\uff13'],
      ] as const) {
        const record = base();
        setPath(record, path, text);
        add(subject, 'mixed-unicode', `${path}=full-width-digits`, record, { field: path, expect: 'accepted' });
      }
    }
    // Prototype keys: on the record, in custom fields and in ids.
    for (const key of ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']) {
      const top = base();
      Object.defineProperty(top, key, {
        value: { polluted: true },
        enumerable: true,
        writable: true,
        configurable: true,
      });
      add(subject, 'prototype-keys', `record.${key}`, top, { field: key });
      const custom = base();
      custom.custom = JSON.parse(`{"${key}": "polluted"}`) as unknown;
      add(subject, 'prototype-keys', `custom.${key}`, custom, { field: `custom.${key}`, expect: 'either' });
      const withIds = base();
      const inner = JSON.stringify(withIds.ids ?? {}).slice(1, -1);
      withIds.ids = JSON.parse(`{${inner}${inner ? ',' : ''}"${key}":"polluted"}`) as unknown;
      add(subject, 'prototype-keys', `ids.${key}`, withIds, {
        field: `ids`,
        expect: /^[A-Za-z]/.test(key) ? 'either' : 'rejected',
      });
    }
    // Deep nesting where a scalar belongs, and in custom fields.
    for (const depth of [100, 1500, NODE_RED_COPY_LIMIT]) {
      const beyondNodeRed = depth >= NODE_RED_COPY_LIMIT ? { beyondNodeRed: true as const } : {};
      const record = base();
      let nested: Record<string, unknown> = { leaf: 'bottom' };
      for (let i = 0; i < depth; i++) nested = { level: nested };
      setPath(record, subject === 'customer' ? 'name' : 'sourceId', nested);
      add(subject, 'deep-nesting', `${subject === 'customer' ? 'name' : 'sourceId'}-depth-${depth}`, record, {
        field: subject === 'customer' ? 'name' : 'sourceId',
        ...beyondNodeRed,
      });
      const custom = base();
      custom.custom = { deep: nested };
      add(subject, 'deep-nesting', `custom-depth-${depth}`, custom, { field: 'custom.deep', ...beyondNodeRed });
    }
    // Unknown fields (a typo), and the required ones missing.
    const typo = base();
    typo.nmae = typo.name ?? 'x';
    add(subject, 'wrong-type', 'unknown-field-nmae', typo, { field: 'nmae' });
    const required = (loadSchemaFile(`${subject}.schema.json`) as Schema).required as string[];
    for (const name of required) {
      const record = base();
      delete record[name];
      add(subject, name === 'ids' || name === 'sourceId' ? 'missing-id' : 'wrong-type', `without-${name}`, record, {
        field: name,
      });
    }
  }

  // Ids: missing, empty, wrong system names, huge, many.
  const badIds: Array<[string, unknown, string, Expectation]> = [
    ['empty-object', {}, 'ids', 'rejected'],
    ['empty-value', { crm: '' }, 'ids.crm', 'rejected'],
    ['blank-value', { crm: '   ' }, '', 'either'],
    ['number-value', { crm: 1001 }, 'ids.crm', 'rejected'],
    ['null-value', { crm: null }, 'ids.crm', 'rejected'],
    ['nested-value', { crm: { id: 'A-1' } }, 'ids.crm', 'rejected'],
    ['list', ['A-1001'], 'ids', 'rejected'],
    ['string', 'A-1001', 'ids', 'rejected'],
    ['system-empty-name', { '': 'A-1' }, 'ids', 'rejected'],
    ['system-digit-first', { '1crm': 'A-1' }, 'ids', 'rejected'],
    ['system-with-space', { 'crm system': 'A-1' }, 'ids', 'rejected'],
    ['system-with-semicolon', { 'crm;DROP TABLE links': 'A-1' }, 'ids', 'rejected'],
    ['system-with-quote', { "crm'": 'A-1' }, 'ids', 'rejected'],
    ['system-umlaut', { système: 'A-1' }, 'ids', 'rejected'],
    ['system-41-chars', { [`s${'y'.repeat(40)}`]: 'A-1' }, 'ids', 'rejected'],
    ['system-1MB', { [`s${'y'.repeat(ONE_MB)}`]: 'A-1' }, 'ids', 'rejected'],
    ['value-201-chars', { crm: 'C'.repeat(201) }, 'ids.crm', 'rejected'],
    ['value-1MB', { crm: 'C'.repeat(ONE_MB) }, 'ids.crm', 'rejected'],
    ['value-200-chars', { crm: `C-${'9'.repeat(198)}` }, '', 'either'],
    ['value-lone-surrogate', { crm: 'A-\ud800' }, '', 'either'],
    ['value-control', { crm: 'A\u0000\u001bB' }, '', 'either'],
    ['value-rtl', { crm: '\u202eA-1' }, '', 'either'],
    ['only-other-system', { erp: 'X-1' }, '', 'either'],
    ['sql-value', { crm: SQL_INJECTIONS[0] }, '', 'either'],
    ['odata-value', { crm: ODATA_INJECTIONS[0] }, '', 'either'],
  ];
  for (const [name, ids, field, expect] of badIds) {
    if (want('customer')) {
      const record = customerBase();
      record.ids = ids;
      add('customer', 'missing-id', `ids-${name}`, record, { field, expect });
    }
    if (want('order')) {
      const order = orderBase();
      order.customer = { ids: structuredClone(ids) };
      add('order', 'missing-id', `customer-ids-${name}`, order, {
        field: field ? field.replace(/^ids/, 'customer.ids') : '',
        expect,
      });
    }
  }
  for (const [name, sourceId] of want('order') ? SOURCE_IDS : []) {
    const order = orderBase();
    order.sourceId = sourceId;
    add('order', 'missing-id', `sourceId-${name}`, order, { field: 'sourceId' });
  }
  // Huge arrays.
  if (want('customer')) {
    const manyIds = customerBase();
    manyIds.ids = manyKeys(100_000, (i) => `"ID-${i}"`);
    add('customer', 'huge-array', 'ids-100k-systems', manyIds, { expect: 'either', field: 'ids' });
    const manyBadIds = customerBase();
    manyBadIds.ids = manyKeys(10_000, (i) => String(i));
    add('customer', 'huge-array', 'ids-10k-numbers', manyBadIds, { field: 'ids.sys0' });
    const nameList = customerBase();
    nameList.name = Array.from({ length: 10_000 }, (_, i) => `name ${i}`);
    add('customer', 'huge-array', 'name-10k-list', nameList, { field: 'name' });
  }
  if (want('order')) {
    const noCustomer = orderBase();
    noCustomer.customer = {};
    add('order', 'missing-id', 'customer-empty', noCustomer, { field: 'customer' });
    const tooManyLines = orderBase();
    tooManyLines.lines = Array.from({ length: 10_001 }, (_, i) => ({ itemNumber: '1896-S', quantity: i + 1 }));
    add('order', 'huge-array', 'lines-10001', tooManyLines, { field: 'lines' });
    const badLines = orderBase();
    badLines.lines = Array.from({ length: 10_000 }, () => ({ itemNumber: '1896-S', quantity: 0 }));
    add('order', 'huge-array', 'lines-10k-zero-quantity', badLines, { field: 'lines[0].quantity' });
    const draftLines = orderBase();
    draftLines.status = 'draft';
    draftLines.lines = Array.from({ length: 10_000 }, (_, i) => ({ itemNumber: '1900-S', quantity: (i % 9) + 1 }));
    add('order', 'huge-array', 'lines-10k-draft', draftLines, { expect: 'either', field: 'status' });
    const emptyLines = orderBase();
    emptyLines.lines = [];
    add('order', 'huge-array', 'lines-empty', emptyLines, { field: 'lines' });
  }

  // Lists of records: every entry comes out, valid or not, none twice.
  for (const { subject, base, fields } of entities) {
    const random = randoms[subject];
    const list = Array.from({ length: 200 }, (_, i) => {
      const record = base();
      if (i % 10 !== 0) {
        const field = fields[Math.floor(random() * fields.length)]!;
        setPath(record, field.path, WRONG_VALUES[wrongTypesFor(field.type)[0]!]());
      }
      return record;
    });
    add(subject, 'huge-array', 'list-200-mixed', list, { expect: 'either' });
    add(subject, 'huge-array', 'list-empty', [], { expect: 'either' });
  }

  // Values that are no record at all, for customers and orders alike.
  const nonObjects: Array<[string, () => unknown]> = [
    ['undefined', () => undefined],
    ['null', () => null],
    ['empty-string', () => ''],
    ['string', () => 'Adatum GmbH'],
    ['sql-string', () => SQL_INJECTIONS[0]],
    ['json-text', () => JSON.stringify(sampleCustomer())],
    ['zero', () => 0],
    ['nan', () => Number.NaN],
    ['infinity', () => Number.POSITIVE_INFINITY],
    ['huge-number', () => 1e308],
    ['true', () => true],
    ['false', () => false],
    ['bigint', () => 12_345_678_901_234_567_890n],
    ['symbol', () => Symbol('customer')],
    ['function', () => () => 'customer'],
    ['date', () => new Date(Date.UTC(2026, 10, 20))],
    ['invalid-date', () => new Date(Number.NaN)],
    ['buffer', () => Buffer.from('{"ids":{"crm":"A-1"},"name":"Buffer GmbH"}')],
    ['buffer-1MB', () => Buffer.alloc(ONE_MB, 0x41)],
    ['map', () => new Map([['name', 'Map GmbH']])],
    ['set', () => new Set(['A-1'])],
    ['regexp', () => /customer/g],
    ['error', () => new Error('customer')],
    ['empty-object', () => ({})],
  ];
  // Objects of another kind that carry a record's fields: the model may take them as what they hold.
  const lookalikes: Array<[string, () => unknown]> = [
    [
      'class-instance',
      () =>
        new (class Customer {
          name = 'Instance GmbH';
          ids = { crm: 'A-1' };
        })(),
    ],
    ['null-prototype', () => Object.assign(Object.create(null) as object, { name: 'No proto', ids: { crm: 'A-1' } })],
  ];
  for (const subject of entitySubjects) {
    for (const [name, make] of nonObjects) add(subject, 'non-object', name, make(), { field: '' });
    for (const [name, make] of lookalikes) {
      // A valid record's fields on an object of another kind.
      const record = Object.assign(make() as object, subject === 'customer' ? customerBase() : orderBase());
      add(subject, 'non-object', name, record, { expect: 'either' });
    }
    const cyclic = subject === 'customer' ? customerBase() : orderBase();
    cyclic.custom = { note: 'cycle' };
    (cyclic as { self?: unknown }).self = cyclic;
    add(subject, 'non-object', 'cyclic', cyclic, { field: 'self' });
  }

  // Message properties besides the payload that writers read.
  for (const subject of entitySubjects) {
    const base = subject === 'customer' ? customerBase : orderBase;
    const writer = subject === 'customer' ? 'upsert-customer' : 'create-order';
    const other = subject === 'customer' ? 'create-order' : 'upsert-customer';
    const props: Array<[string, Record<string, unknown>, Expectation]> = [
      ['dryRun-text', { dryRun: 'true' }, 'either'],
      ['dryRun-function', { dryRun: () => true }, 'either'],
      ['topic-1MB', { topic: 'T'.repeat(ONE_MB) }, 'either'],
      ['topic-sql', { topic: SQL_INJECTIONS[0] }, 'either'],
      ['deadLetter-other-writer', { deadLetter: { id: 'x', operation: other } }, 'rejected'],
      ['deadLetter-1MB-writer', { deadLetter: { id: 'y'.repeat(ONE_MB), operation: 'w'.repeat(ONE_MB) } }, 'rejected'],
      ['deadLetter-own-writer', { deadLetter: { id: SQL_INJECTIONS[1], operation: writer } }, 'either'],
      ['deadLetter-text', { deadLetter: 'replayed' }, 'either'],
      ['customer-garbage', { customer: { ids: 42 } }, 'either'],
    ];
    for (const [name, message, expect] of props) {
      add(subject, 'message-property', name, base(), { message, expect });
    }
  }

  // Seeded random mixes: two to four fields broken at once, each in a way the model refuses.
  for (const { subject, base, fields } of entities) {
    const breakable = fields.filter((f) => f.path !== 'custom' && f.path !== 'ids' && f.path !== 'customer');
    const within = (field: SchemaField, parent: SchemaField) => field.path.startsWith(`${parent.path}.`);
    const random = randoms[subject];
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    for (let i = 0; i < 40; i++) {
      const record = base();
      const chosen = new Set<SchemaField>();
      const count = 2 + Math.floor(random() * 3);
      while (chosen.size < count) {
        const field = pick(breakable);
        // A field inside one that is broken as a whole (lines, address) cannot be broken as well.
        if ([...chosen].some((other) => within(field, other) || within(other, field))) continue;
        chosen.add(field);
      }
      const broken: string[] = [];
      for (const field of chosen) {
        const overLong = field.type === 'string' && field.maxLength !== undefined && random() < 0.3;
        const value = overLong
          ? ofLength(pick(['x', 'ü', '🚲', "'", '\u0000']), field.maxLength! + 1 + Math.floor(random() * 3000))
          : WRONG_VALUES[pick(wrongTypesFor(field.type))]();
        setPath(record, field.path, value);
        broken.push(readableField(field.path));
      }
      add(subject, 'random-mix', `${i}:${broken.join('+')}`, record, { field: broken.join(' ') });
    }
  }

  // Record ids as link ids, invoice-status and lookups take them.
  if (want('recordId')) addRecordIds(add);
  if (want('trigger')) addTriggers(add);
  if (want('deadLetters')) addDeadLetterRequests(add);
  return cases;
}

type Add = (
  subject: Subject,
  category: Category,
  name: string,
  payload: unknown,
  options?: { field?: string; expect?: Expectation; message?: Record<string, unknown>; beyondNodeRed?: true },
) => void;

function addRecordIds(add: Add): void {
  const recordIds: Array<[string, Category, unknown, Expectation]> = [
    ...SQL_INJECTIONS.map((s, i): [string, Category, unknown, Expectation] => [
      `sql-${i}`,
      'sql-injection',
      s,
      'accepted',
    ]),
    ...ODATA_INJECTIONS.map((s, i): [string, Category, unknown, Expectation] => [
      `odata-${i}`,
      'odata-injection',
      s,
      'accepted',
    ]),
    ...CONTROL_STRINGS.map(([label, s]): [string, Category, unknown, Expectation] => [
      label,
      'control-characters',
      s,
      'either',
    ]),
    ...UNICODE_STRINGS.map(([label, s]): [string, Category, unknown, Expectation] => [
      label,
      'mixed-unicode',
      s,
      'accepted',
    ]),
    ['upper-case', 'mixed-unicode', 'ADATUM-1', 'accepted'],
    ['lower-case', 'mixed-unicode', 'adatum-1', 'accepted'],
    ['padded', 'control-characters', '  10000  ', 'either'],
    ['empty', 'missing-id', '', 'rejected'],
    ['blank', 'missing-id', '   ', 'rejected'],
    ['over-long-1MB', 'over-long', 'I'.repeat(ONE_MB), 'rejected'],
    ['over-long-501', 'over-long', 'I'.repeat(501), 'rejected'],
    ['number', 'wrong-type', 10000, 'either'],
    ['negative-zero', 'wrong-type', -0, 'either'],
    ['nan', 'wrong-type', Number.NaN, 'rejected'],
    ['infinity', 'wrong-type', Number.NEGATIVE_INFINITY, 'rejected'],
    ['true', 'wrong-type', true, 'rejected'],
    ['null', 'wrong-type', null, 'rejected'],
    ['undefined', 'wrong-type', undefined, 'rejected'],
    ['object', 'wrong-type', { id: 'A-1' }, 'rejected'],
    ['ids-without-system', 'missing-id', { ids: { other: 'A-1' } }, 'rejected'],
    ['ids-null', 'missing-id', { ids: null }, 'rejected'],
    ['function', 'non-object', () => '10000', 'rejected'],
    ['symbol', 'non-object', Symbol('10000'), 'rejected'],
    ['bigint', 'non-object', 10_000n, 'rejected'],
    ['date', 'non-object', new Date(Date.UTC(2026, 0, 1)), 'rejected'],
    ['buffer', 'non-object', Buffer.from('10000'), 'rejected'],
    ['proto-object', 'prototype-keys', JSON.parse('{"__proto__": {"ids": {"crm": "A-1"}}}'), 'rejected'],
    ['100k-list', 'huge-array', Array.from({ length: 100_000 }, (_, i) => ({ note: `no id ${i}` })), 'rejected'],
    ['list-of-bad', 'huge-array', [null, 42, SQL_INJECTIONS[0], { ids: { crm: '' } }], 'either'],
  ];
  for (const [name, category, value, expect] of recordIds) {
    add('recordId', category, name, value, { expect, field: '' });
  }
}

/** Triggers of read changes: any message starts a run; acknowledgements it did not send change nothing. */
function addTriggers(add: Add): void {
  const triggers: Array<[string, Category, Record<string, unknown>]> = [
    ['reset-text', 'wrong-type', { reset: 'true' }],
    ['reset-number', 'wrong-type', { reset: 1 }],
    ['reset-function', 'message-property', { reset: () => true }],
    ['pause-text', 'wrong-type', { pause: 'yes' }],
    ['resume-object', 'wrong-type', { resume: { really: true } }],
    ['changes-null', 'wrong-type', { changes: null }],
    ['changes-text', 'wrong-type', { changes: 'token' }],
    ['changes-list', 'huge-array', { changes: Array.from({ length: 100_000 }, (_, i) => i) }],
    ['changes-function', 'message-property', { changes: () => ({ token: 'x' }) }],
    ['token-number', 'wrong-type', { changes: { token: 42 } }],
    ['token-unknown', 'missing-id', { changes: { token: 'not-a-token-we-sent' } }],
    ['token-empty', 'missing-id', { changes: { token: '' } }],
    ['token-sql', 'sql-injection', { changes: { token: SQL_INJECTIONS[0] } }],
    ['token-odata', 'odata-injection', { changes: { token: ODATA_INJECTIONS[0] } }],
    ['token-1MB', 'over-long', { changes: { token: 'T'.repeat(ONE_MB) } }],
    ['token-control', 'control-characters', { changes: { token: '\u0000\u001b\ud800' } }],
    [
      'watermark-forged',
      'sql-injection',
      { changes: { token: 'x', to: "2099-01-01T00:00:00Z'; DROP TABLE links;--" } },
    ],
    [
      'proto-changes',
      'prototype-keys',
      JSON.parse('{"changes": {"__proto__": {"token": "x"}}}') as Record<string, unknown>,
    ],
    ['topic-sql', 'sql-injection', { topic: SQL_INJECTIONS[0] }],
    ['topic-1MB', 'over-long', { topic: 'P'.repeat(ONE_MB) }],
    ['payload-1MB', 'over-long', { payload: 'P'.repeat(ONE_MB) }],
    ['payload-deep', 'deep-nesting', { payload: nest(1500) }],
    ['payload-too-deep', 'deep-nesting', { payload: nest(NODE_RED_COPY_LIMIT) }],
    ['payload-buffer', 'non-object', { payload: Buffer.alloc(1024) }],
    ['payload-function', 'non-object', { payload: () => 'go' }],
    ['payload-date', 'non-object', { payload: new Date(0) }],
    ['payload-symbol', 'non-object', { payload: Symbol('go') }],
    ['payload-bigint', 'non-object', { payload: 1n }],
    ['cursor-garbage', 'message-property', { cursor: { after: SQL_INJECTIONS[0] } }],
  ];
  for (const [name, category, message] of triggers) {
    const { payload, ...rest } = message;
    add('trigger', category, name, payload ?? 1_795_000_000_000, {
      expect: 'either',
      message: rest,
      field: Object.keys(message)[0]!,
      ...(name.endsWith('too-deep') && { beyondNodeRed: true as const }),
    });
  }
}

/** Requests to the dead letters node. */
function addDeadLetterRequests(add: Add): void {
  const requests: Array<[string, Category, unknown, Record<string, unknown>]> = [
    ['operation-unknown', 'wrong-type', undefined, { operation: 'delete' }],
    ['operation-number', 'wrong-type', undefined, { operation: 3 }],
    ['operation-sql', 'sql-injection', undefined, { operation: SQL_INJECTIONS[0] }],
    ['operation-1MB', 'over-long', undefined, { operation: 'o'.repeat(ONE_MB) }],
    ['operation-function', 'message-property', undefined, { operation: () => 'list' }],
    ['operation-bigint', 'non-object', undefined, { operation: 5n }],
    ['operation-cyclic', 'non-object', undefined, { operation: cycle() }],
    ['operation-symbol', 'non-object', undefined, { operation: Symbol('list') }],
    ['filter-text', 'wrong-type', undefined, { operation: 'list', filter: 'customer' }],
    ['filter-list', 'wrong-type', undefined, { operation: 'list', filter: ['customer'] }],
    ['filter-entity-sql', 'sql-injection', undefined, { operation: 'list', filter: { entity: SQL_INJECTIONS[0] } }],
    ['filter-entity-1MB', 'over-long', undefined, { operation: 'list', filter: { entity: 'e'.repeat(ONE_MB) } }],
    ['filter-code-odata', 'odata-injection', undefined, { operation: 'list', filter: { code: ODATA_INJECTIONS[0] } }],
    ['filter-source-control', 'control-characters', undefined, { operation: 'list', filter: { source: 'crm\u0000' } }],
    ['filter-number', 'wrong-type', undefined, { operation: 'list', filter: { operation: 7 } }],
    ['filter-typo-discard', 'wrong-type', undefined, { operation: 'discard', filter: { opration: 'create-order' } }],
    [
      'filter-proto-discard',
      'prototype-keys',
      undefined,
      { operation: 'discard', filter: JSON.parse('{"__proto__": {"entity": "customer"}}') },
    ],
    ['cursor-sql', 'sql-injection', undefined, { operation: 'list', cursor: SQL_INJECTIONS[0] }],
    ['cursor-1MB', 'over-long', undefined, { operation: 'list', cursor: 'c'.repeat(ONE_MB) }],
    ['cursor-object', 'wrong-type', undefined, { operation: 'list', cursor: { after: 'x' } }],
    ['replay-unknown-id', 'missing-id', 'no-such-dead-letter', { operation: 'replay' }],
    ['replay-sql-id', 'sql-injection', SQL_INJECTIONS[1], { operation: 'replay' }],
    ['replay-odata-id', 'odata-injection', ODATA_INJECTIONS[2], { operation: 'replay' }],
    ['replay-1MB-id', 'over-long', 'r'.repeat(ONE_MB), { operation: 'replay' }],
    ['replay-control-id', 'control-characters', '\u0000\u001b[2J', { operation: 'replay' }],
    ['replay-unicode-id', 'mixed-unicode', '\u202e0000-0000', { operation: 'replay' }],
    ['replay-10k-ids', 'huge-array', Array.from({ length: 10_000 }, (_, i) => `missing-${i}`), { operation: 'replay' }],
    ['replay-list-with-garbage', 'wrong-type', ['x', 42, null], { operation: 'replay' }],
    ['replay-object-without-id', 'missing-id', { id: 42 }, { operation: 'replay' }],
    ['discard-unknown-ids', 'missing-id', ['gone-1', 'gone-2'], { operation: 'discard' }],
    ['discard-sql-id', 'sql-injection', SQL_INJECTIONS[0], { operation: 'discard' }],
    ['discard-1MB-id', 'over-long', 'd'.repeat(ONE_MB), { operation: 'discard' }],
    ['discard-nothing', 'missing-id', undefined, { operation: 'discard' }],
    ['discard-deep', 'deep-nesting', nest(1500), { operation: 'discard' }],
    ['discard-too-deep', 'deep-nesting', nest(NODE_RED_COPY_LIMIT), { operation: 'discard' }],
    ['list-buffer-payload', 'non-object', Buffer.alloc(16), { operation: 'list' }],
  ];
  for (const [name, category, payload, message] of requests) {
    add('deadLetters', category, name, payload, {
      expect: 'either',
      message,
      field: Object.keys(message).at(-1)!,
      ...(name.endsWith('too-deep') && { beyondNodeRed: true as const }),
    });
  }
}

/** `{ sys0: …, sys1: …, … }`; parsed from JSON text, which builds a large object much faster than adding keys. */
function manyKeys(count: number, valueJson: (index: number) => string): Record<string, unknown> {
  return JSON.parse(`{${Array.from({ length: count }, (_, i) => `"sys${i}":${valueJson(i)}`).join(',')}}`) as Record<
    string,
    unknown
  >;
}

function nest(depth: number): Record<string, unknown> {
  let nested: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i++) nested = { next: nested };
  return nested;
}

function cycle(): Record<string, unknown> {
  const value: Record<string, unknown> = { name: 'cycle' };
  value.self = value;
  return value;
}

/** How many cases each category holds, for the report and the size check. */
export function corpusSize(cases: readonly CorpusCase[]): Record<Category, number> {
  const sizes = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  for (const c of cases) sizes[c.category]++;
  return sizes;
}
