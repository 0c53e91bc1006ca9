export type FieldType = 'string' | 'decimal' | 'integer' | 'boolean' | 'date' | 'datetime' | 'guid';

/** One column of an emulated entity, as the API documents it. */
export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  readonly maxLength?: number;
  /** Allowed values (option sets, enums). */
  readonly options?: readonly (string | number)[];
  /** Computed or system-maintained; clients cannot write it. */
  readonly readOnly?: boolean;
  /** Business Central `Code` fields store their value in upper case. */
  readonly uppercase?: boolean;
}

/** The OData (EDM) type name of each field type, as both APIs name it in their error messages. */
export const EDM_TYPES: Readonly<Record<FieldSpec['type'], string>> = {
  string: 'Edm.String',
  decimal: 'Edm.Decimal',
  integer: 'Edm.Int32',
  boolean: 'Edm.Boolean',
  date: 'Edm.Date',
  datetime: 'Edm.DateTimeOffset',
  guid: 'Edm.Guid',
};

export type FieldProblem =
  | { readonly kind: 'type'; readonly field: FieldSpec; readonly value: unknown }
  | { readonly kind: 'length'; readonly field: FieldSpec; readonly value: string }
  | { readonly kind: 'option'; readonly field: FieldSpec; readonly value: string | number };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID.test(value);
}

/** Checks a non-null value against its field; returns the first problem, if any. */
export function checkFieldValue(field: FieldSpec, value: unknown): FieldProblem | undefined {
  const typeMatches =
    field.type === 'string'
      ? typeof value === 'string'
      : field.type === 'decimal'
        ? typeof value === 'number' && Number.isFinite(value)
        : field.type === 'integer'
          ? Number.isInteger(value)
          : field.type === 'boolean'
            ? typeof value === 'boolean'
            : field.type === 'date'
              ? typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value))
              : field.type === 'datetime'
                ? typeof value === 'string' && DATETIME.test(value) && !Number.isNaN(Date.parse(value))
                : isGuid(value);
  if (!typeMatches) return { kind: 'type', field, value };
  if (typeof value === 'string' && field.maxLength !== undefined && value.length > field.maxLength) {
    return { kind: 'length', field, value };
  }
  if (field.options !== undefined && !field.options.includes(value as string | number)) {
    return { kind: 'option', field, value: value as string | number };
  }
  return undefined;
}

/** The value as the API stores it (upper-cased codes, lower-case GUIDs). */
export function normalizeFieldValue(field: FieldSpec, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (field.uppercase === true) return value.toUpperCase();
  if (field.type === 'guid') return value.toLowerCase();
  return value;
}

export function fieldByName(fields: readonly FieldSpec[], name: string): FieldSpec | undefined {
  return fields.find((field) => field.name === name);
}
