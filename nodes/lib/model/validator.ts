import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import Ajv2020, { type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { fill, type Lang } from '../i18n';
import { clipText, quoteValue } from './describe';
import { KEYWORD_MESSAGES, TYPE_NAMES } from './messages';
import { checkLengths, PROFILES, type EntitySchemaName, type ProfileId } from './profiles';

/** Schema files shipped with the package, by entity. `common` holds the shared definitions. */
export const SCHEMA_FILES: Readonly<Record<EntitySchemaName | 'common', string>> = {
  common: 'common.schema.json',
  customer: 'customer.schema.json',
  order: 'order.schema.json',
  invoiceStatus: 'invoice-status.schema.json',
  link: 'link.schema.json',
};

export const ENTITY_SCHEMAS: readonly EntitySchemaName[] = ['customer', 'order', 'invoiceStatus', 'link'];

export const SCHEMA_DIR = join(__dirname, 'schemas');

export function loadSchemaFile(file: string): AnySchemaObject {
  return JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as AnySchemaObject;
}

/** One failing field of one record. */
export interface FieldProblem {
  /** JSON pointer into the record, e.g. `/address/city` ("" for the record itself). */
  pointer: string;
  /** The same place, readable: `address.city`, `lines[2].quantity`. */
  field: string;
  /** The JSON Schema keyword (or `maxLength` for a profile limit). */
  keyword: string;
  message: string;
  limit?: number;
}

export interface RecordValidation {
  valid: boolean;
  problems: FieldProblem[];
}

export interface ValidateOptions {
  /** Also enforce one system's field lengths. */
  profile?: ProfileId;
  lang: Lang;
}

/** A schema to validate against: a built-in entity, or a compiled custom schema. */
export type SchemaTarget = EntitySchemaName | CustomSchema;

export interface CustomSchema {
  readonly kind: 'custom';
  readonly validate: ValidateFunction;
  /** The built-in entity whose profile limits apply, when the custom schema extends one. */
  readonly entity?: EntitySchemaName;
}

/**
 * Our schemas are held to ajv's full strict mode. Users' schemas only to unknown keywords (typos):
 * strict types would reject valid JSON Schema such as `{ "required": [...] }` without a type.
 */
export function newAjv(strictness: 'ours' | 'users'): Ajv2020 {
  const strict = strictness === 'ours' ? { strict: true } : { strict: false, strictSchema: true };
  const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, verbose: true, ...strict });
  addFormats(ajv);
  for (const file of Object.values(SCHEMA_FILES)) ajv.addSchema(loadSchemaFile(file));
  return ajv;
}

/**
 * Validates records against the canonical model. Every schema is compiled once per process;
 * custom schemas are compiled once per distinct content.
 */
export class ModelValidator {
  private static shared: ModelValidator | undefined;
  private readonly ajv = newAjv('ours');
  private readonly usersAjv = newAjv('users');
  private readonly builtIn = new Map<EntitySchemaName, ValidateFunction>();
  private readonly custom = new Map<string, CustomSchema>();

  static instance(): ModelValidator {
    ModelValidator.shared ??= new ModelValidator();
    return ModelValidator.shared;
  }

  private constructor() {
    for (const entity of ENTITY_SCHEMAS) {
      const validate = this.ajv.getSchema(SCHEMA_FILES[entity]);
      if (!validate) throw new Error(`built-in schema ${SCHEMA_FILES[entity]} did not compile`);
      this.builtIn.set(entity, validate);
    }
  }

  /**
   * Compiles a user-supplied schema. It may `$ref` the built-in ones by file name
   * (e.g. `"$ref": "customer.schema.json"`). Throws with ajv's explanation when it is not a valid schema.
   */
  compileCustom(schema: unknown, entity?: EntitySchemaName): CustomSchema {
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
      throw new Error('a schema must be a JSON object');
    }
    const text = JSON.stringify(schema);
    const key = createHash('sha256').update(text).digest('hex') + (entity ?? '');
    const cached = this.custom.get(key);
    if (cached) return cached;
    // A newer schema with the same $id (an edited node) replaces the older one.
    const copy = JSON.parse(text) as AnySchemaObject;
    const id = typeof copy.$id === 'string' ? copy.$id : undefined;
    if (id !== undefined && (Object.values(SCHEMA_FILES) as string[]).includes(id)) {
      throw new Error(`$id ${JSON.stringify(id)} is the id of a built-in schema; give your schema an id of its own`);
    }
    if (id !== undefined) this.usersAjv.removeSchema(id);
    const compiled: CustomSchema = {
      kind: 'custom',
      validate: this.usersAjv.compile(copy),
      ...(entity ? { entity } : {}),
    };
    this.custom.set(key, compiled);
    return compiled;
  }

  validate(target: SchemaTarget, record: unknown, options: ValidateOptions): RecordValidation {
    const validate = typeof target === 'string' ? this.builtIn.get(target) : target.validate;
    if (!validate) throw new Error(`unknown schema ${String(target)}`);
    const entity = typeof target === 'string' ? target : target.entity;
    if (typeof target === 'string' && isNonJsonObject(record)) {
      const field = fieldName('', options.lang);
      const type = TYPE_NAMES[options.lang].object ?? 'object';
      const message = fill(KEYWORD_MESSAGES[options.lang].type ?? '', { field, type });
      return { valid: false, problems: [{ pointer: '', field, keyword: 'type', message }] };
    }
    const problems: FieldProblem[] = [];
    if (!validate(record)) {
      for (const error of dedupe(validate.errors ?? [])) problems.push(describeAjvError(error, options.lang));
    }
    if (options.profile && entity) {
      const profile = PROFILES[options.profile];
      for (const violation of checkLengths(profile, entity, record)) {
        const field = fieldName(violation.pointer, options.lang);
        const problem: FieldProblem = {
          pointer: violation.pointer,
          field,
          keyword: 'maxLength',
          limit: violation.limit,
          message: fill(KEYWORD_MESSAGES[options.lang].maxLengthProfile ?? '', {
            field,
            actual: violation.actual,
            limit: violation.limit,
            profile: profile.label,
          }),
        };
        // The profile's limit is the stricter one: it replaces the schema's own report for the field.
        const schemaReport = problems.findIndex((p) => p.pointer === violation.pointer && p.keyword === 'maxLength');
        if (schemaReport >= 0) problems[schemaReport] = problem;
        else problems.push(problem);
      }
    }
    for (const pointer of halfSurrogates(record)) {
      const field = clipText(fieldName(pointer, options.lang), 120);
      const message = fill(KEYWORD_MESSAGES[options.lang].wellFormed ?? '', { field });
      problems.push({ pointer, field, keyword: 'wellFormed', message });
    }
    return { valid: problems.length === 0, problems };
  }
}

/**
 * Pointers to the texts in a record that hold half of a surrogate pair: no valid Unicode, so such a text
 * turns into another one in UTF-8 (a store, a URL) or cannot be sent at all. The first few are enough.
 */
function halfSurrogates(record: unknown): string[] {
  const found: string[] = [];
  const seen = new Set<object>();
  const visit = (value: unknown, pointer: string, depth: number): void => {
    if (found.length >= 10) return;
    if (typeof value === 'string') {
      if (/\p{Cs}/u.test(value)) found.push(pointer);
    } else if (value !== null && typeof value === 'object' && depth < 8 && !seen.has(value)) {
      seen.add(value);
      for (const [key, item] of Object.entries(value))
        visit(item, `${pointer}/${escapePointerSegment(key)}`, depth + 1);
    }
  };
  visit(record, '', 0);
  return found;
}

/**
 * A Buffer, Date, Map, … is no JSON object, though JSON Schema's type check takes it for one (and a
 * Buffer's every byte for a property). Checked by tag, not prototype: function nodes build their
 * objects in another realm.
 */
function isNonJsonObject(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.prototype.toString.call(value) !== '[object Object]'
  );
}

/** `/lines/2/quantity` → `lines[2].quantity`; `` → `record` (in the message language). */
export function fieldName(pointer: string, lang: Lang = 'en'): string {
  if (pointer === '') return KEYWORD_MESSAGES[lang].record ?? 'record';
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(
      (name, segment) => (/^\d+$/.test(segment) ? `${name}[${segment}]` : name ? `${name}.${segment}` : segment),
      '',
    );
}

function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The pointer of the field an error is about (ajv reports `required` and friends on the parent). */
function problemPointer(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    return `${error.instancePath}/${escapePointerSegment(params.missingProperty)}`;
  }
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return `${error.instancePath}/${escapePointerSegment(params.additionalProperty)}`;
  }
  return error.instancePath;
}

/** ajv reports a bad property name twice (inner keyword and `propertyNames`); keep one per place and keyword. */
function dedupe(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    if (error.keyword === 'propertyNames') return false;
    const key = `${problemPointer(error)}|${error.propertyName ?? ''}|${error.keyword}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describeAjvError(error: ErrorObject, lang: Lang): FieldProblem {
  const texts = KEYWORD_MESSAGES[lang];
  const names = TYPE_NAMES[lang];
  const params = error.params as Record<string, unknown>;
  const pointer = problemPointer(error);
  // A key of any length can name a field; a message quotes it cut short.
  const field = clipText(fieldName(pointer, lang), 120);
  const limit = typeof params.limit === 'number' ? params.limit : undefined;
  let template = texts[error.keyword] ?? texts.other ?? '';
  const values: Record<string, string | number> = { field };

  if (error.propertyName !== undefined) {
    template = texts.propertyNames ?? '';
    values.key = quoteValue(error.propertyName);
  } else if (error.keyword === 'type') {
    const types = Array.isArray(params.type) ? (params.type as string[]) : [String(params.type)];
    values.type = types.map((t) => names[t] ?? t).join(' / ');
  } else if (error.keyword === 'minLength' && limit !== undefined && limit > 1) {
    template = texts.minLengthN ?? template;
  } else if ((error.keyword === 'minProperties' || error.keyword === 'minItems') && limit === 1) {
    template = texts.minOne ?? template;
  } else if (error.keyword === 'maxLength') {
    const data = error.data;
    values.actual = typeof data === 'string' ? [...data].length : '?';
  } else if (error.keyword === 'format') {
    values.format = names[String(params.format)] ?? String(params.format);
  } else if (error.keyword === 'enum') {
    const allowed = (params.allowedValues as unknown[] | undefined) ?? [];
    if (allowed.length > 12) {
      template = texts.enumLong ?? template;
      values.hint = /country$/i.test(field)
        ? (names.countryHint ?? '')
        : /currency$/i.test(field)
          ? (names.currencyHint ?? '')
          : allowed.slice(0, 5).join(', ') + ', …';
    } else {
      values.allowed = allowed.map((v) => String(v)).join(', ');
    }
  } else if (error.keyword === 'const') {
    values.allowed = JSON.stringify(params.allowedValue);
  }
  if (limit !== undefined) values.limit = limit;
  const problem: FieldProblem = { pointer, field, keyword: error.keyword, message: fill(template, values) };
  if (limit !== undefined) problem.limit = limit;
  return problem;
}
