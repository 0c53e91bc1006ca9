/** A record as the API names its fields; values are plain JSON. */
export type Row = Record<string, unknown>;

export interface StoredRecord {
  /** Row version: a store-wide counter taken on every write, so it changes whenever the record does. */
  readonly version: number;
  readonly row: Row;
}

/** Everything an emulator keeps; plain JSON so it can be persisted and shown as is. */
export interface StoreState {
  tables: Record<string, Record<string, StoredRecord>>;
  /** Number series and other counters, by name. */
  counters: Record<string, number>;
  /** Last row version handed out. */
  version: number;
}

/** Undoes, or keeps, the changes made since it was taken. */
export interface Savepoint {
  /** Undoes every change made since the savepoint was taken (changes of other requests meanwhile too). */
  rollback(): void;
  /** Keeps the changes. */
  release(): void;
}

/**
 * In-memory tables keyed by record id. Every mutation reports through `onChange` (used for persistence).
 * `transaction` and `savepoint` give all-or-nothing semantics to writes and $batch change sets; they keep
 * an undo log of the changes made while they are open, so their cost follows the change, not the store.
 */
export class DataStore {
  private state: StoreState;
  /** Steps that undo the changes made while a savepoint is open, oldest first. */
  private undoLog: Array<() => void> = [];
  private openSavepoints = 0;
  /** Changes with every `restore`, which makes older savepoints void. */
  private generation = 0;
  /** Equality indexes: table → field → normalised value → ids; built on first use, kept current by writes. */
  private indexes = new Map<string, Map<string, Map<string, Set<string>>>>();
  /** `list` answers, dropped when their table changes. */
  private lists = new Map<string, readonly StoredRecord[]>();

  constructor(
    initial: StoreState,
    private readonly onChange: () => void = () => undefined,
  ) {
    this.state = structuredClone(initial);
  }

  /** The records of a table; the list is shared until the table changes, so it must not be modified. */
  list(table: string): readonly StoredRecord[] {
    let records = this.lists.get(table);
    if (records === undefined) {
      records = Object.freeze(Object.values(this.state.tables[table] ?? {}));
      this.lists.set(table, records);
    }
    return records;
  }

  count(table: string): number {
    return Object.keys(this.state.tables[table] ?? {}).length;
  }

  get(table: string, id: string): StoredRecord | undefined {
    return this.state.tables[table]?.[id];
  }

  /**
   * Ids of the records whose `field` holds `value`. Values compare as text, case-insensitively, so the
   * answer includes every record an OData `eq` on that field could match; callers check the exact rule.
   */
  idsWhere(table: string, field: string, value: unknown): string[] {
    const key = indexKey(value);
    if (key === undefined) return [];
    return [...(this.indexOf(table, field).get(key) ?? [])];
  }

  /** Inserts or replaces a record and gives it a new version. */
  put(table: string, id: string, row: Row): StoredRecord {
    const versionBefore = this.state.version;
    this.state.version += 1;
    const record: StoredRecord = { version: this.state.version, row: structuredClone(row) };
    const previous = this.setRecord(table, id, record);
    this.remember(() => {
      this.setRecord(table, id, previous);
      this.state.version = versionBefore;
    });
    this.onChange();
    return record;
  }

  remove(table: string, id: string): boolean {
    if (this.state.tables[table]?.[id] === undefined) return false;
    const previous = this.setRecord(table, id, undefined);
    this.remember(() => this.setRecord(table, id, previous));
    this.onChange();
    return true;
  }

  /** Next value of a counter such as a number series; starts after `initial`. */
  nextCounter(name: string, initial = 0): number {
    const before = this.state.counters[name];
    const next = (before ?? initial) + 1;
    this.state.counters[name] = next;
    this.remember(() => {
      if (before === undefined) delete this.state.counters[name];
      else this.state.counters[name] = before;
    });
    this.onChange();
    return next;
  }

  /** Runs `change`; if it throws, every change it made is undone and the error passes on. */
  transaction<T>(change: () => T): T {
    const savepoint = this.savepoint();
    try {
      const result = change();
      savepoint.release();
      return result;
    } catch (error) {
      savepoint.rollback();
      throw error;
    }
  }

  /** For changes that span awaits (a $batch): roll back or release it when done. */
  savepoint(): Savepoint {
    const generation = this.generation;
    const mark = this.undoLog.length;
    let open = true;
    this.openSavepoints += 1;
    const close = (undo: boolean): void => {
      if (!open) return;
      open = false;
      if (undo && generation === this.generation) {
        while (this.undoLog.length > mark) this.undoLog.pop()?.();
        this.onChange();
      }
      this.openSavepoints -= 1;
      if (this.openSavepoints === 0) this.undoLog = [];
    };
    return { rollback: () => close(true), release: () => close(false) };
  }

  snapshot(): StoreState {
    return structuredClone(this.state);
  }

  restore(state: StoreState): void {
    this.state = structuredClone(state);
    this.indexes.clear();
    this.lists.clear();
    this.undoLog = [];
    this.generation += 1;
    this.onChange();
  }

  private remember(undo: () => void): void {
    if (this.openSavepoints > 0) this.undoLog.push(undo);
  }

  /** Puts (or, with undefined, deletes) a record and keeps the indexes current; returns the one it replaced. */
  private setRecord(table: string, id: string, record: StoredRecord | undefined): StoredRecord | undefined {
    const records = (this.state.tables[table] ??= {});
    const previous = records[id];
    this.lists.delete(table);
    if (record === undefined) delete records[id];
    else records[id] = record;
    for (const [field, index] of this.indexes.get(table) ?? []) {
      unindex(index, previous?.row[field], id);
      if (record !== undefined) addToIndex(index, record.row[field], id);
    }
    return previous;
  }

  private indexOf(table: string, field: string): Map<string, Set<string>> {
    const fields = this.indexes.get(table) ?? new Map<string, Map<string, Set<string>>>();
    this.indexes.set(table, fields);
    let index = fields.get(field);
    if (index === undefined) {
      index = new Map();
      for (const [id, record] of Object.entries(this.state.tables[table] ?? {}))
        addToIndex(index, record.row[field], id);
      fields.set(field, index);
    }
    return index;
  }
}

function indexKey(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value).toLowerCase();
}

function addToIndex(index: Map<string, Set<string>>, value: unknown, id: string): void {
  const key = indexKey(value);
  if (key === undefined) return;
  const ids = index.get(key) ?? new Set<string>();
  ids.add(id);
  index.set(key, ids);
}

function unindex(index: Map<string, Set<string>>, value: unknown, id: string): void {
  const key = indexKey(value);
  if (key === undefined) return;
  const ids = index.get(key);
  ids?.delete(id);
  if (ids?.size === 0) index.delete(key);
}

export function emptyState(): StoreState {
  return { tables: {}, counters: {}, version: 0 };
}

export function isStoreState(value: unknown): value is StoreState {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<StoreState>;
  return (
    typeof candidate.tables === 'object' &&
    candidate.tables !== null &&
    typeof candidate.counters === 'object' &&
    candidate.counters !== null &&
    typeof candidate.version === 'number'
  );
}
