import { randomBytes } from 'node:crypto';
import { weakETag } from '../kit/etag';
import { sortRows, type OrderByItem } from '../kit/odata/query';
import type { DataStore, Row, StoredRecord } from '../kit/store';
import { dvErrors } from './errors';
import { CHOICE_LABELS, lookupValueName, TABLES, type TableSpec } from './model';

const FORMATTED = '@OData.Community.Display.V1.FormattedValue';
const LOOKUP_LOGICAL_NAME = '@Microsoft.Dynamics.CRM.lookuplogicalname';
const NAVIGATION_PROPERTY = '@Microsoft.Dynamics.CRM.associatednavigationproperty';

/** One alternate key of a table: its name and columns. */
export interface AlternateKey {
  readonly name: string;
  readonly columns: readonly string[];
}

/** Dataverse tables in the store, their alternate keys and the API representation of their rows. */
export class DataverseData {
  private readonly plainRepresentations = new WeakMap<StoredRecord, Row>();
  private readonly plainLists = new WeakMap<readonly StoredRecord[], readonly Row[]>();
  private readonly sortedLists = new WeakMap<readonly Row[], Map<string, readonly Row[]>>();

  constructor(
    readonly store: DataStore,
    private readonly alternateKeys: Readonly<Record<string, ReadonlyArray<readonly string[]>>>,
  ) {}

  keysOf(spec: TableSpec): AlternateKey[] {
    return (this.alternateKeys[spec.entitySet] ?? []).map((columns) => ({ name: `${columns.join('_')}_key`, columns }));
  }

  records(spec: TableSpec): readonly StoredRecord[] {
    return this.store.list(spec.entitySet);
  }

  find(spec: TableSpec, id: string): StoredRecord | undefined {
    return this.store.get(spec.entitySet, id.toLowerCase());
  }

  /** Records whose `column` may hold `value`, found through the store's index. */
  private recordsWhere(spec: TableSpec, column: string, value: unknown): StoredRecord[] {
    return this.store.idsWhere(spec.entitySet, column, value).flatMap((id) => this.store.get(spec.entitySet, id) ?? []);
  }

  /** The record whose alternate-key columns hold exactly these values. */
  findByKey(spec: TableSpec, values: Readonly<Record<string, unknown>>): StoredRecord | undefined {
    const [first] = Object.entries(values);
    const candidates = first === undefined ? this.records(spec) : this.recordsWhere(spec, first[0], first[1]);
    return candidates.find((record) =>
      Object.entries(values).every(([column, value]) => sameKeyValue(record.row[column], value)),
    );
  }

  put(spec: TableSpec, row: Row): StoredRecord {
    const id = String(row[spec.primaryKey]);
    this.checkAlternateKeys(spec, id, row);
    return this.store.put(spec.entitySet, id, row);
  }

  remove(spec: TableSpec, id: string): void {
    this.store.remove(spec.entitySet, id);
  }

  /** Next value of an autonumber column, e.g. ORD-01004-H2K9QZ. */
  nextAutoNumber(spec: TableSpec): string | undefined {
    const autoNumber = spec.autoNumber;
    if (autoNumber === undefined) return undefined;
    const counter = this.store.nextCounter(`${spec.entitySet}#${autoNumber.column}`, autoNumber.lastUsed);
    return `${autoNumber.prefix}-${String(counter).padStart(5, '0')}-${randomSuffix()}`;
  }

  /** The row as the Web API returns it; `annotations` adds formatted values and lookup annotations. */
  represent(spec: TableSpec, record: StoredRecord, annotations: boolean): Row {
    if (annotations) return this.build(spec, record, true);
    // Without annotations the representation depends on the stored record alone, which is never changed in place.
    let plain = this.plainRepresentations.get(record);
    if (plain === undefined) {
      plain = Object.freeze(this.build(spec, record, false));
      this.plainRepresentations.set(record, plain);
    }
    return plain;
  }

  /** `represent` without annotations for a list of records; a table's list is answered once until it changes. */
  representAll(spec: TableSpec, records: readonly StoredRecord[]): readonly Row[] {
    let rows = this.plainLists.get(records);
    if (rows === undefined) {
      rows = Object.freeze(records.map((record) => this.represent(spec, record, false)));
      this.plainLists.set(records, rows);
    }
    return rows;
  }

  /** `representAll`, sorted by `orderBy` and then the primary key; kept, like it, until the table changes. */
  sortedRows(spec: TableSpec, records: readonly StoredRecord[], orderBy: readonly OrderByItem[]): readonly Row[] {
    const rows = this.representAll(spec, records);
    const orders = this.sortedLists.get(rows) ?? new Map<string, readonly Row[]>();
    this.sortedLists.set(rows, orders);
    const key = JSON.stringify(orderBy);
    let sorted = orders.get(key);
    if (sorted === undefined) {
      sorted = Object.freeze(sortRows(rows, orderBy, spec.primaryKey));
      orders.set(key, sorted);
    }
    return sorted;
  }

  private build(spec: TableSpec, record: StoredRecord, annotations: boolean): Row {
    const { row } = record;
    const out: Row = { '@odata.etag': weakETag(String(record.version)) };
    for (const column of spec.columns) {
      const value = column.name === 'versionnumber' ? record.version : (row[column.name] ?? null);
      out[column.name] = value;
      if (annotations && typeof value === 'number') {
        const label = formattedChoice(spec, column.name, value);
        if (label !== undefined) out[`${column.name}${FORMATTED}`] = label;
      }
    }
    for (const lookup of spec.lookups) {
      const name = lookupValueName(lookup.column);
      const value = row[name] ?? null;
      out[name] = value;
      if (annotations && typeof value === 'string') {
        const targetSet = lookup.navigation[String(row[`${name}${NAVIGATION_PROPERTY}`])];
        const target = targetSet === undefined ? undefined : TABLES[targetSet];
        const targetRow = target === undefined ? undefined : this.find(target, value)?.row;
        if (target !== undefined && targetRow !== undefined) out[`${name}${FORMATTED}`] = targetRow[target.primaryName];
        out[`${name}${NAVIGATION_PROPERTY}`] = row[`${name}${NAVIGATION_PROPERTY}`];
        out[`${name}${LOOKUP_LOGICAL_NAME}`] = row[`${name}${LOOKUP_LOGICAL_NAME}`];
      }
    }
    return out;
  }

  /** Sets a lookup column as `…@odata.bind` does, remembering the target type for annotations. */
  static bindLookup(
    row: Row,
    column: string,
    navigation: string,
    target: TableSpec | undefined,
    id: string | null,
  ): void {
    const name = lookupValueName(column);
    row[name] = id;
    row[`${name}${NAVIGATION_PROPERTY}`] = id === null ? null : navigation;
    row[`${name}${LOOKUP_LOGICAL_NAME}`] = id === null ? null : (target?.logicalName ?? null);
  }

  /** Alternate keys are unique indexes; rows with an empty key column are not indexed. */
  private checkAlternateKeys(spec: TableSpec, id: string, row: Row): void {
    for (const key of this.keysOf(spec)) {
      const values = key.columns.map((column) => row[column]);
      if (values.some((value) => value === null || value === undefined || value === '')) continue;
      const clash = this.recordsWhere(spec, key.columns[0] ?? '', values[0]).find(
        (other) =>
          other.row[spec.primaryKey] !== id &&
          key.columns.every((column, index) => sameKeyValue(other.row[column], values[index])),
      );
      if (clash !== undefined) throw dvErrors.duplicateKey(values.map(String).join(','), key.name);
    }
  }
}

function sameKeyValue(stored: unknown, wanted: unknown): boolean {
  if (typeof stored === 'string' && typeof wanted === 'string') return stored.toLowerCase() === wanted.toLowerCase();
  return stored === wanted;
}

function formattedChoice(spec: TableSpec, column: string, value: number): string | undefined {
  if (column === 'statecode') return spec.states[value]?.name;
  if (column === 'statuscode')
    return Object.values(spec.states).find((state) => value in state.statuses)?.statuses[value];
  return CHOICE_LABELS[column]?.[value];
}

function randomSuffix(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...randomBytes(6)].map((byte) => alphabet.charAt(byte % alphabet.length)).join('');
}
