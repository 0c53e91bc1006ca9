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

/**
 * In-memory tables keyed by record id. Every mutation reports through `onChange` (used for persistence).
 * `snapshot`/`restore` give all-or-nothing semantics to $batch change sets.
 */
export class DataStore {
  private state: StoreState;

  constructor(
    initial: StoreState,
    private readonly onChange: () => void = () => undefined,
  ) {
    this.state = structuredClone(initial);
  }

  list(table: string): StoredRecord[] {
    return Object.values(this.state.tables[table] ?? {});
  }

  get(table: string, id: string): StoredRecord | undefined {
    return this.state.tables[table]?.[id];
  }

  /** Inserts or replaces a record and gives it a new version. */
  put(table: string, id: string, row: Row): StoredRecord {
    this.state.version += 1;
    const record: StoredRecord = { version: this.state.version, row: structuredClone(row) };
    (this.state.tables[table] ??= {})[id] = record;
    this.onChange();
    return record;
  }

  remove(table: string, id: string): boolean {
    const records = this.state.tables[table];
    if (records?.[id] === undefined) return false;
    delete records[id];
    this.onChange();
    return true;
  }

  /** Next value of a counter such as a number series; starts after `initial`. */
  nextCounter(name: string, initial = 0): number {
    const next = (this.state.counters[name] ?? initial) + 1;
    this.state.counters[name] = next;
    this.onChange();
    return next;
  }

  snapshot(): StoreState {
    return structuredClone(this.state);
  }

  restore(state: StoreState): void {
    this.state = structuredClone(state);
    this.onChange();
  }
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
