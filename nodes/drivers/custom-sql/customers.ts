/**
 * CustomerPort on a mapped customer table: reads by key, natural key and change feed; writes as one
 * MERGE per batch of records (cut under the parameter limit), or through the named stored procedure.
 */
import { SyncError } from '../../lib/errors';
import type { Customer } from '../../lib/model/types.generated';
import type { CustomerPort, CustomerWrite, NaturalKey, SystemRecord, WriteResult } from '../../lib/ports';
import { chunk, inList, rowsPerStatement, valuesList } from '../sql/batching';
import type { SqlRunner, SqlSession } from '../sql/database';
import { datetime, decimal, rowversion, rowversionBytes, rowversionHex, type SqlValue } from '../sql/values';
import { parameterName, type CustomerMapping } from './mapping';

type Row = Record<string, unknown>;

const BLOCKED = ['none', 'ship', 'invoice', 'all'] as const;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The natural keys a mapping can answer: those whose fields have columns. */
export function naturalKeysOf(mapping: CustomerMapping): NaturalKey[] {
  const keys: NaturalKey[] = [];
  if (mapping.columns.has('taxId')) keys.push('taxId');
  if (mapping.columns.has('email')) keys.push('email');
  if (mapping.columns.has('name') && mapping.columns.has('address.postCode')) keys.push('namePostCode');
  return keys;
}

/** The value of a canonical path in a (partial) customer; `number` is the record's own id. */
function valueAt(customer: Partial<Customer>, path: string, system: string): unknown {
  if (path === 'number') return customer.ids?.[system];
  const [head, tail] = path.split('.', 2) as [string, string | undefined];
  const value = (customer as Record<string, unknown>)[head];
  if (tail === undefined) return value;
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[tail] : undefined;
}

export class CustomSqlCustomers implements CustomerPort {
  private readonly paths: string[];
  private readonly list: string;

  constructor(
    private readonly db: SqlSession,
    private readonly system: string,
    private readonly mapping: CustomerMapping,
  ) {
    this.paths = [...mapping.columns.keys()];
    const columns = [...mapping.columns.values()].map((column, i) => `${column.quoted} AS [c${i}]`);
    const version = mapping.changes ? [`${mapping.changes.column.quoted} AS [v]`] : [];
    this.list = [`${mapping.key.quoted} AS [k]`, ...columns, ...version].join(', ');
  }

  getById(id: string): Promise<SystemRecord<Customer> | undefined> {
    return this.getByNumber(id);
  }

  async getByNumber(number: string): Promise<SystemRecord<Customer> | undefined> {
    const [row] = await this.db.query<Row>(
      `SELECT ${this.list} FROM ${this.mapping.table.quoted} WHERE ${this.mapping.key.quoted} = @number`,
      { number },
      `reading customer ${number}`,
    );
    return row === undefined ? undefined : this.fromRow(row);
  }

  async findByNaturalKey(key: NaturalKey, customer: Customer): Promise<Array<SystemRecord<Customer>>> {
    const fields: Record<NaturalKey, string[]> = {
      taxId: ['taxId'],
      email: ['email'],
      namePostCode: ['name', 'address.postCode'],
    };
    const paths = fields[key];
    if (!paths.every((path) => this.mapping.columns.has(path))) return [];
    const params: Record<string, SqlValue> = {};
    for (const [i, path] of paths.entries()) {
      const value = valueAt(customer, path, this.system);
      if (typeof value !== 'string' || value === '') return [];
      params[`n${i}`] = value;
    }
    const where = paths.map((path, i) => `${this.mapping.columns.get(path)!.quoted} = @n${i}`).join(' AND ');
    const rows = await this.db.query<Row>(
      `SELECT ${this.list} FROM ${this.mapping.table.quoted} WHERE ${where} ORDER BY ${this.mapping.key.quoted}`,
      params,
      `looking customers up by ${key}`,
    );
    return rows.map((row) => this.fromRow(row));
  }

  /**
   * The change feed on the mapped rowversion column (exclusive, below MIN_ACTIVE_ROWVERSION()), or on the
   * date-time column of the last change (inclusive, with the key breaking ties between pages).
   */
  async *changedSince(since: string | undefined, pageSize: number): AsyncGenerator<Array<SystemRecord<Customer>>> {
    const changes = this.mapping.changes;
    if (!changes) {
      throw new SyncError({
        code: 'CONFIG',
        system: this.system,
        message: `${this.system}: the mapping names no rowversion or modifiedAt column of customers, so changes cannot be read`,
      });
    }
    const table = this.mapping.table.quoted;
    const key = this.mapping.key.quoted;
    const column = changes.column.quoted;
    if (changes.kind === 'rowversion') {
      let position = since === undefined ? undefined : rowversionBytes(since);
      if (since !== undefined && position === undefined) throw this.badWatermark(since, '0x00000000000007D1');
      while (true) {
        const after = position === undefined ? '' : `${column} > @since AND `;
        const rows = await this.db.query<Row>(
          `SELECT TOP (@pageSize) ${this.list} FROM ${table} WHERE ${after}${column} < MIN_ACTIVE_ROWVERSION() ORDER BY ${column}`,
          { pageSize, ...(position ? { since: rowversion(position) } : {}) },
          'reading changed customers',
        );
        if (rows.length > 0) yield rows.map((row) => this.fromRow(row));
        const last = rows[rows.length - 1]?.['v'];
        if (rows.length < pageSize || !Buffer.isBuffer(last)) return;
        position = last;
      }
    }
    if (since !== undefined && (!ISO_DATE_TIME.test(since) || Number.isNaN(Date.parse(since)))) {
      throw this.badWatermark(since, '2026-03-01T08:00:00Z');
    }
    const at = `CAST(${column} AS DATETIME2(3))`;
    let cursor: { at: Date; key: unknown } | undefined;
    while (true) {
      const where = cursor
        ? ` WHERE ${at} > @since OR (${at} = @since AND ${key} > @afterKey)`
        : since === undefined
          ? ''
          : ` WHERE ${at} >= @since`;
      const params: Record<string, SqlValue> = { pageSize };
      if (cursor) {
        params.since = datetime(cursor.at);
        params.afterKey = cursor.key as SqlValue;
      } else if (since !== undefined) params.since = datetime(new Date(since));
      const rows = await this.db.query<Row>(
        `SELECT TOP (@pageSize) ${this.list} FROM ${table}${where} ORDER BY ${at}, ${key}`,
        params,
        'reading changed customers',
      );
      if (rows.length > 0) yield rows.map((row) => this.fromRow(row));
      const last = rows[rows.length - 1];
      if (rows.length < pageSize || last === undefined || !(last['v'] instanceof Date)) return;
      cursor = { at: last['v'], key: last['k'] };
    }
  }

  async create(customer: Customer): Promise<SystemRecord<Customer>> {
    const [result] = await this.writeBatch([{ op: 'create', customer }]);
    if (!result!.ok) throw result!.error;
    return result!.record;
  }

  async update(id: string, changes: Partial<Customer>, etag?: string): Promise<SystemRecord<Customer>> {
    const subject = `customer ${id}`;
    const paths = this.paths.filter(
      (path) => path !== 'modifiedAt' && valueAt(changes, path, this.system) !== undefined,
    );
    const write = this.mapping.write;
    if (write.kind === 'procedure') {
      await this.callProcedure({ ...changes, ids: { ...changes.ids, [this.system]: id } }, paths, subject);
    } else if (paths.length > 0) {
      const set = paths.map((path, i) => `${this.mapping.columns.get(path)!.quoted} = @s${i}`).join(', ');
      const params: Record<string, SqlValue> = { number: id };
      paths.forEach((path, i) => (params[`s${i}`] = this.toColumn(path, valueAt(changes, path, this.system), subject)));
      const guard =
        etag !== undefined && this.mapping.changes?.kind === 'rowversion' ? rowversionBytes(etag) : undefined;
      if (guard) params.etag = rowversion(guard);
      const { rowsAffected } = await this.db.transaction(
        (tx) =>
          tx.execute(
            `UPDATE ${write.table.quoted} SET ${set} WHERE ${this.mapping.key.quoted} = @number${guard ? ` AND ${this.mapping.changes!.column.quoted} = @etag` : ''}`,
            params,
            `updating ${subject}`,
          ),
        { idempotent: true, doing: `updating ${subject}` },
      );
      if (rowsAffected === 0) {
        const exists = await this.getByNumber(id);
        throw new SyncError({
          code: exists ? 'CONFLICT' : 'NOT_FOUND',
          system: this.system,
          message: exists
            ? `${this.system}: ${subject} was changed since it was read (version ${exists.etag ?? '?'}, not ${etag}); nothing was written`
            : `${this.system}: ${subject} does not exist`,
        });
      }
    }
    const record = await this.getByNumber(id);
    if (!record)
      throw new SyncError({
        code: 'NOT_FOUND',
        system: this.system,
        message: `${this.system}: ${subject} does not exist`,
      });
    return record;
  }

  async upsertByNumber(
    number: string,
    customer: Partial<Customer>,
  ): Promise<{ record: SystemRecord<Customer>; created: boolean }> {
    const [result] = await this.writeBatch([{ op: 'upsertByNumber', number, customer }]);
    if (!result!.ok) throw result!.error;
    return { record: result!.record, created: result!.created };
  }

  /**
   * Creates and upserts as MERGE statements, records with the same fields together, each statement cut
   * under SQL Server's parameter limit; updates one by one. A statement that fails is retried record by
   * record, so every write gets its own result.
   */
  async writeBatch(writes: CustomerWrite[]): Promise<Array<WriteResult<Customer>>> {
    const results: Array<WriteResult<Customer> | undefined> = writes.map(() => undefined);
    const merges: Array<{ index: number; customer: Partial<Customer>; subject: string }> = [];
    for (const [index, write] of writes.entries()) {
      if (write.op === 'update') {
        results[index] = await this.update(write.id, write.changes, write.etag).then(
          (record) => ({ ok: true as const, record, created: false }),
          (error: unknown) => ({ ok: false as const, error: this.failure(error, `customer ${write.id}`) }),
        );
      } else {
        const customer =
          write.op === 'create'
            ? write.customer
            : { ...write.customer, ids: { ...write.customer.ids, [this.system]: write.number } };
        merges.push({ index, customer, subject: this.subject(customer) });
      }
    }
    if (this.mapping.write.kind === 'procedure') {
      for (const { index, customer, subject } of merges) {
        results[index] = await this.procedureWrite(customer, subject);
      }
    } else {
      const groups = new Map<string, typeof merges>();
      for (const merge of merges) {
        const paths = this.writePaths(merge.customer).join('\u0000');
        groups.set(paths, [...(groups.get(paths) ?? []), merge]);
      }
      for (const group of groups.values()) {
        const paths = this.writePaths(group[0]!.customer);
        for (const piece of chunk(group, rowsPerStatement(paths.length + 1))) {
          const outcome = await this.mergePiece(piece, paths).catch((error: unknown) => this.failure(error, ''));
          if (!(outcome instanceof SyncError)) {
            for (const [index, result] of outcome) results[index] = result;
            continue;
          }
          // One bad record must not fail the others: each goes alone, and gets its own error.
          for (const one of piece) {
            const single = await this.mergePiece([one], paths).catch((error: unknown) =>
              this.failure(error, one.subject),
            );
            results[one.index] = single instanceof SyncError ? { ok: false, error: single } : single.get(one.index)!;
          }
        }
      }
    }
    return results.map((result) => result!);
  }

  /** The paths a record writes: `number` when it has one, then every mapped field it carries. */
  private writePaths(customer: Partial<Customer>): string[] {
    const paths = this.paths.filter(
      (path) => path !== 'modifiedAt' && valueAt(customer, path, this.system) !== undefined,
    );
    return valueAt(customer, 'number', this.system) === undefined ? paths : ['number', ...paths];
  }

  private async mergePiece(
    piece: Array<{ index: number; customer: Partial<Customer>; subject: string }>,
    paths: string[],
  ): Promise<Map<number, WriteResult<Customer>>> {
    const write = this.mapping.write as Extract<CustomerMapping['write'], { kind: 'merge' }>;
    for (const on of write.mergeOn) {
      const missing = piece.find(({ customer }) => valueAt(customer, on, this.system) === undefined);
      if (missing) {
        throw new SyncError({
          code: 'VALIDATION',
          system: this.system,
          message: `${this.system}: ${missing.subject} has no ${on === 'number' ? `ids.${this.system}` : on}, which the mapping merges on`,
          details: { fields: [on === 'number' ? `ids.${this.system}` : on] },
        });
      }
    }
    const columnOf = (path: string) => (path === 'number' ? this.mapping.key : this.mapping.columns.get(path)!);
    const rows = piece.map(({ customer, subject }, row) => [
      row,
      ...paths.map((path) => this.toColumn(path, valueAt(customer, path, this.system), subject)),
    ]);
    const list = valuesList(rows);
    const source = ['[row]', ...paths.map((_, i) => `[s${i}]`)].join(', ');
    const on = write.mergeOn
      .map((path) => `target.${columnOf(path).quoted} = source.[s${paths.indexOf(path)}]`)
      .join(' AND ');
    const updates = paths.filter((path) => !write.mergeOn.includes(path));
    const set = (updates.length > 0 ? updates : [write.mergeOn[0]!])
      .map((path) => `target.${columnOf(path).quoted} = source.[s${paths.indexOf(path)}]`)
      .join(', ');
    const statement =
      `MERGE INTO ${write.table.quoted} WITH (HOLDLOCK) AS target USING (VALUES ${list.sql}) AS source (${source}) ON ${on} ` +
      `WHEN MATCHED THEN UPDATE SET ${set} ` +
      `WHEN NOT MATCHED THEN INSERT (${paths.map((path) => columnOf(path).quoted).join(', ')}) VALUES (${paths.map((_, i) => `source.[s${i}]`).join(', ')}) ` +
      `OUTPUT $action AS [action], source.[row] AS [row], INSERTED.${this.mapping.key.quoted} AS [number];`;
    const output = await this.db.transaction(
      (tx) => tx.query<{ action: string; row: number; number: unknown }>(statement, list.params),
      { idempotent: true, doing: `writing ${piece.length === 1 ? piece[0]!.subject : `${piece.length} customers`}` },
    );
    const records = await this.byNumbers(output.map((o) => String(o.number)));
    const results = new Map<number, WriteResult<Customer>>();
    for (const o of output) {
      const entry = piece[o.row];
      const record = records.get(String(o.number));
      if (!entry) continue;
      results.set(
        entry.index,
        record
          ? { ok: true, record, created: o.action === 'INSERT' }
          : {
              ok: false,
              error: new SyncError({
                code: 'TRANSIENT',
                system: this.system,
                message: `${this.system}: ${entry.subject} was written as ${String(o.number)} but cannot be read back`,
              }),
            },
      );
    }
    for (const entry of piece) {
      if (!results.has(entry.index)) {
        results.set(entry.index, {
          ok: false,
          error: new SyncError({
            code: 'TRANSIENT',
            system: this.system,
            message: `${this.system}: the MERGE reported nothing for ${entry.subject}`,
          }),
        });
      }
    }
    return results;
  }

  private async procedureWrite(customer: Partial<Customer>, subject: string): Promise<WriteResult<Customer>> {
    try {
      const paths = this.paths.filter(
        (path) => path !== 'modifiedAt' && valueAt(customer, path, this.system) !== undefined,
      );
      const { number, created } = await this.callProcedure(customer, paths, subject);
      const record = await this.getByNumber(number);
      if (!record)
        throw new SyncError({
          code: 'TRANSIENT',
          system: this.system,
          message: `${this.system}: ${subject} was written as ${number} but cannot be read back`,
        });
      return { ok: true, record, created };
    } catch (error) {
      return { ok: false, error: this.failure(error, subject) };
    }
  }

  /**
   * `EXEC proc @number = @number, @name = @name, …` with the fields the write carries, named after the
   * canonical paths (`address.city` → `@address_city`). The procedure answers one row: `number` (or its
   * first column) and optionally `created`.
   */
  private async callProcedure(customer: Partial<Customer>, paths: string[], subject: string) {
    const write = this.mapping.write as Extract<CustomerMapping['write'], { kind: 'procedure' }>;
    const all =
      valueAt(customer, 'number', this.system) === undefined
        ? paths
        : ['number', ...paths.filter((p) => p !== 'number')];
    const params: Record<string, SqlValue> = {};
    for (const path of all)
      params[parameterName(path)] = this.toColumn(path, valueAt(customer, path, this.system), subject);
    const args = Object.keys(params)
      .map((name) => `@${name} = @${name}`)
      .join(', ');
    const [row] = await this.db.transaction(
      (tx: SqlRunner) =>
        tx.query<Row>(`EXEC ${write.procedure.quoted}${args ? ` ${args}` : ''}`, params, `writing ${subject}`),
      { doing: `writing ${subject}` },
    );
    const number = row?.['number'] ?? (row ? Object.values(row)[0] : undefined);
    if (number === undefined || number === null || number === '') {
      throw new SyncError({
        code: 'CONFIG',
        system: this.system,
        message: `${this.system}: the procedure ${write.procedure.name} answered no customer number for ${subject}; it must return a row with a column "number"`,
      });
    }
    return { number: String(number), created: row?.['created'] === true || row?.['created'] === 1 };
  }

  private async byNumbers(numbers: string[]): Promise<Map<string, SystemRecord<Customer>>> {
    const found = new Map<string, SystemRecord<Customer>>();
    for (const piece of chunk([...new Set(numbers)], rowsPerStatement(1))) {
      if (piece.length === 0) continue;
      const list = inList(piece);
      const rows = await this.db.query<Row>(
        `SELECT ${this.list} FROM ${this.mapping.table.quoted} WHERE ${this.mapping.key.quoted} IN (${list.sql})`,
        list.params,
        'reading the customers written',
      );
      for (const row of rows) {
        const record = this.fromRow(row);
        found.set(record.id, record);
      }
    }
    return found;
  }

  private toColumn(path: string, value: unknown, subject: string): SqlValue {
    if (value === undefined || value === null) return null;
    if (path === 'creditLimit') {
      if (typeof value !== 'number') throw this.invalid(subject, path, 'a number');
      return decimal(value);
    }
    if (path === 'blocked' && this.mapping.blockedValues) {
      const stored = this.mapping.blockedValues.get(String(value));
      if (stored === undefined)
        throw this.invalid(subject, path, `one of ${[...this.mapping.blockedValues.keys()].join(', ')}`);
      return stored;
    }
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    return JSON.stringify(value);
  }

  private fromRow(row: Row): SystemRecord<Customer> {
    const id = String(row['k']);
    const customer: Record<string, unknown> = { ids: { [this.system]: id } };
    const set = (path: string, value: unknown) => {
      const [head, tail] = path.split('.', 2) as [string, string | undefined];
      if (tail === undefined) customer[head] = value;
      else customer[head] = { ...(customer[head] as Record<string, unknown> | undefined), [tail]: value };
    };
    this.paths.forEach((path, i) => {
      const value = row[`c${i}`];
      if (value === null || value === undefined || value === '') return;
      if (value instanceof Date) set(path, value.toISOString());
      else if (path === 'creditLimit') set(path, Number(value));
      else if (path === 'blocked') {
        const stored = [...(this.mapping.blockedValues ?? [])].find(([, v]) => String(v) === String(value))?.[0];
        const state =
          stored ??
          (typeof value === 'number'
            ? BLOCKED[value]
            : (BLOCKED as readonly string[]).includes(String(value))
              ? String(value)
              : undefined);
        if (state !== undefined) set(path, state);
      } else if (path.startsWith('custom.')) set(path, value);
      else set(path, String(value));
    });
    customer['name'] ??= '';
    const version = row['v'];
    const position = rowversionHex(version) ?? (version instanceof Date ? version.toISOString() : undefined);
    return {
      id,
      number: id,
      ...(position !== undefined ? { modifiedAt: position } : {}),
      ...(rowversionHex(version) !== undefined ? { etag: rowversionHex(version)! } : {}),
      data: customer as unknown as Customer,
    };
  }

  private subject(customer: Partial<Customer>): string {
    const ids = Object.entries(customer.ids ?? {}).map(([s, id]) => `${s}=${id}`);
    return `customer ${ids.join(', ') || JSON.stringify(customer.name ?? '?')}`;
  }

  private failure(error: unknown, subject: string): SyncError {
    if (error instanceof SyncError) return error;
    return new SyncError({
      code: 'TRANSIENT',
      system: this.system,
      retryable: false,
      message: `${this.system}: ${subject}: ${(error as Error).message}`,
    });
  }

  private invalid(subject: string, path: string, what: string): SyncError {
    return new SyncError({
      code: 'VALIDATION',
      system: this.system,
      message: `${this.system}: ${subject}: ${path} must be ${what}`,
      details: { fields: [path] },
    });
  }

  private badWatermark(since: string, example: string): SyncError {
    return new SyncError({
      code: 'VALIDATION',
      system: this.system,
      message: `${this.system}: the watermark ${JSON.stringify(since)} is not a position such as ${example}`,
    });
  }
}
