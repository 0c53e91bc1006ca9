import { SyncError } from '../errors';
import { fill, type Lang } from '../i18n';
import { validationError } from './describe';
import type { EntitySchemaName } from './profiles';
import type { FieldProblem, ModelValidator, SchemaTarget, ValidateOptions } from './validator';

export interface ItemResult {
  index: number;
  valid: boolean;
  problems: FieldProblem[];
}

export interface BatchValidation {
  valid: unknown[];
  invalid: unknown[];
  results: ItemResult[];
  /** One VALIDATION error describing every invalid record; undefined when all are valid. */
  error?: SyncError;
}

const BATCH_TEXTS: Record<Lang, { one: string; many: string }> = {
  en: {
    one: '1 of {total} records is invalid: {details}',
    many: '{invalid} of {total} records are invalid: {details}',
  },
  de: {
    one: '1 von {total} Datensätzen ist ungültig: {details}',
    many: '{invalid} von {total} Datensätzen sind ungültig: {details}',
  },
};

/** How many invalid records a batch error message spells out; details always hold all of them. */
const MAX_RECORDS_IN_MESSAGE = 5;

/** Validates a list of records one by one: every record ends up either valid or invalid, none is dropped. */
export function validateBatch(
  validator: ModelValidator,
  target: SchemaTarget,
  records: unknown[],
  options: ValidateOptions,
): BatchValidation {
  const entity: EntitySchemaName | undefined = typeof target === 'string' ? target : target.entity;
  const batch: BatchValidation = { valid: [], invalid: [], results: [] };
  const errors: SyncError[] = [];
  records.forEach((record, index) => {
    const { valid, problems } = validator.validate(target, record, options);
    batch.results.push({ index, valid, problems });
    if (valid) batch.valid.push(record);
    else {
      batch.invalid.push(record);
      errors.push(validationError(entity, record, problems, options.lang, index));
    }
  });
  if (errors.length > 0) {
    const shown = errors.slice(0, MAX_RECORDS_IN_MESSAGE).map((e) => e.message);
    if (errors.length > MAX_RECORDS_IN_MESSAGE) shown.push('…');
    batch.error = new SyncError({
      code: 'VALIDATION',
      system: 'input',
      message: fill(errors.length === 1 ? BATCH_TEXTS[options.lang].one : BATCH_TEXTS[options.lang].many, {
        invalid: errors.length,
        total: records.length,
        details: shown.join(' | '),
      }),
      details: { items: errors.map((e) => e.details) },
    });
  }
  return batch;
}
