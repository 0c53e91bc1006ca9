import { createHash } from 'node:crypto';
import { weakETag } from '../kit/etag';
import type { DataStore, Row, StoredRecord } from '../kit/store';
import { ENTITY_SETS, tableName, type NumberSeries } from './model';
import { financialDetails, representLine, representOrder } from './sales';

/** A record as the API returns it: stored fields, computed fields and `@odata.etag`. */
export type ApiRecord = Record<string, unknown> & { readonly id: string };

/** Reads and writes one company's tables and computes the API representation of its records. */
export class CompanyData {
  constructor(
    readonly store: DataStore,
    readonly companyId: string,
  ) {}

  records(entitySet: string): readonly StoredRecord[] {
    return this.store.list(tableName(this.companyId, entitySet));
  }

  rows(entitySet: string): Row[] {
    return this.records(entitySet).map((record) => record.row);
  }

  find(entitySet: string, id: string): StoredRecord | undefined {
    return this.store.get(tableName(this.companyId, entitySet), id);
  }

  /** Records whose `field` may equal `value` (see DataStore.idsWhere), in API shape. */
  listWhere(entitySet: string, field: string, value: unknown): ApiRecord[] {
    const table = tableName(this.companyId, entitySet);
    return this.store.idsWhere(table, field, value).flatMap((id) => {
      const record = this.store.get(table, id);
      return record === undefined ? [] : [this.represent(entitySet, record)];
    });
  }

  findRow(entitySet: string, predicate: (row: Row) => boolean): Row | undefined {
    return this.rows(entitySet).find(predicate);
  }

  /** Stores a record, stamped with the time it changed: now, unless given (the seed stamps all at once). */
  put(entitySet: string, row: Row & { id: string }, modifiedAt = new Date().toISOString()): StoredRecord {
    return this.store.put(tableName(this.companyId, entitySet), row.id, { ...row, lastModifiedDateTime: modifiedAt });
  }

  remove(entitySet: string, id: string): void {
    this.store.remove(tableName(this.companyId, entitySet), id);
  }

  /** Next number of a number series, e.g. C00010, S-ORD101004. */
  nextNumber(seriesName: string, series: NumberSeries): string {
    const counter = this.store.nextCounter(`${this.companyId}#${seriesName}`, series.lastUsed / series.step);
    return `${series.prefix}${String(counter * series.step).padStart(series.digits, '0')}`;
  }

  /** All records of an entity set in API shape; customerFinancialDetails are computed from customers. */
  list(entitySet: string): ApiRecord[] {
    if (entitySet === 'customerFinancialDetails') {
      return this.rows('customers').map((customer) => withComputedETag(financialDetails(this, customer)));
    }
    return this.records(entitySet).map((record) => this.represent(entitySet, record));
  }

  get(entitySet: string, id: string): ApiRecord | undefined {
    if (entitySet === 'customerFinancialDetails') {
      const customer = this.find('customers', id);
      return customer === undefined ? undefined : withComputedETag(financialDetails(this, customer.row));
    }
    const record = this.find(entitySet, id);
    return record === undefined ? undefined : this.represent(entitySet, record);
  }

  represent(entitySet: string, record: StoredRecord): ApiRecord {
    const row = record.row as Row & { id: string };
    let computed: Row = {};
    if (entitySet === 'customers') computed = { balanceDue: financialDetails(this, row).balance };
    if (entitySet === 'salesOrders') computed = representOrder(this, row);
    if (entitySet === 'salesOrderLines') computed = representLine(this, row);
    const fields = ENTITY_SETS[entitySet]?.fields ?? [];
    const ordered: Record<string, unknown> = { '@odata.etag': bcETag(row.id, record.version) };
    for (const field of fields) ordered[field.name] = computed[field.name] ?? row[field.name] ?? null;
    return ordered as ApiRecord;
  }
}

/**
 * Business Central's ETags are base64 of a length-prefixed string holding a hash of the row version,
 * e.g. W/"JzQ0OzNPaHFu…MTswMDsn" → '44;3Ohqn…=1;00;'. Only equality matters to clients.
 */
function bcETag(id: string, version: number): string {
  return eTagFrom(`${id}:${version}`);
}

/** Computed records have no row version; their ETag follows their content. */
function withComputedETag(row: Row & { id: string }): ApiRecord {
  return { '@odata.etag': eTagFrom(JSON.stringify(row)), ...row };
}

function eTagFrom(seed: string): string {
  const hash = createHash('sha256').update(seed).digest('base64');
  return weakETag(Buffer.from(`'${hash.length};${hash}1;00;'`, 'utf8').toString('base64'));
}
