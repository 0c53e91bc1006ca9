/**
 * OrderPort on mapped order and order line tables. An order is created with its lines in one
 * transaction, once per external document number: by a MERGE that inserts the header only when no
 * order has that number yet, then the lines in INSERTs cut under the parameter limit; or through the
 * named stored procedure, which gets the lines as JSON.
 */
import { SyncError } from '../../lib/errors';
import type { Order, OrderLine } from '../../lib/model/types.generated';
import type { OrderDraft, OrderPort, SystemRecord } from '../../lib/ports';
import { chunk, rowsPerStatement, valuesList } from '../sql/batching';
import type { SqlRunner, SqlSession } from '../sql/database';
import { date, decimal, int, text, type SqlValue } from '../sql/values';
import type { OrderMapping } from './mapping';

type Row = Record<string, unknown>;

/** Line numbers step by 10000, as NAV's do. */
const LINE_NO_STEP = 10000;

function isoDate(value: unknown): string | undefined {
  if (value instanceof Date && !Number.isNaN(value.getTime()) && value.getUTCFullYear() > 1753)
    return value.toISOString().slice(0, 10);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  return undefined;
}

export class CustomSqlOrders implements OrderPort {
  private readonly headerPaths: string[];
  private readonly linePaths: string[];
  private readonly headerList: string;
  private readonly lineList: string;

  constructor(
    private readonly db: SqlSession,
    private readonly system: string,
    private readonly mapping: OrderMapping,
  ) {
    this.headerPaths = [...mapping.columns.keys()];
    this.linePaths = [...mapping.lines.columns.keys()];
    this.headerList = [
      `${mapping.key.quoted} AS [k]`,
      ...[...mapping.columns.values()].map((column, i) => `${column.quoted} AS [o${i}]`),
    ].join(', ');
    this.lineList = [...mapping.lines.columns.values()].map((column, i) => `${column.quoted} AS [l${i}]`).join(', ');
  }

  async create(draft: OrderDraft): Promise<SystemRecord<Order>> {
    const key = draft.externalDocumentNumber;
    const subject = `order ${key || `for customer ${draft.customerNumber}`}`;
    if (key === '') {
      throw new SyncError({
        code: 'VALIDATION',
        system: this.system,
        message: `${this.system}: ${subject} has no external document number, which makes its creation idempotent`,
      });
    }
    const number = this.mapping.procedure
      ? await this.db.transaction((tx) => this.createByProcedure(tx, draft, subject), { doing: `creating ${subject}` })
      : await this.db.transaction((tx) => this.createByMerge(tx, draft, subject), {
          idempotent: true,
          isolation: 'serializable',
          doing: `creating ${subject}`,
        });
    const created = await this.getById(number);
    if (!created) {
      throw new SyncError({
        code: 'TRANSIENT',
        system: this.system,
        message: `${this.system}: ${subject} was created as ${number} but cannot be read back`,
      });
    }
    return created;
  }

  async getById(id: string): Promise<SystemRecord<Order> | undefined> {
    return this.read(`${this.mapping.key.quoted} = @number`, { number: id }, `order ${id}`);
  }

  async findByExternalDocumentNumber(externalDocumentNumber: string): Promise<SystemRecord<Order> | undefined> {
    const column = this.mapping.columns.get('externalDocumentNumber')!;
    return this.read(`${column.quoted} = @key`, { key: externalDocumentNumber }, `order ${externalDocumentNumber}`);
  }

  private async read(where: string, params: Record<string, SqlValue>, subject: string) {
    const [header] = await this.db.query<Row>(
      `SELECT ${this.headerList} FROM ${this.mapping.table.quoted} WHERE ${where}`,
      params,
      `reading ${subject}`,
    );
    if (header === undefined) return undefined;
    const number = String(header['k']);
    const order = this.mapping.lines.lineNumber?.quoted ?? this.mapping.lines.orderKey.quoted;
    const lines = await this.db.query<Row>(
      `SELECT ${this.lineList} FROM ${this.mapping.lines.table.quoted} WHERE ${this.mapping.lines.orderKey.quoted} = @number ORDER BY ${order}`,
      { number: header['k'] as SqlValue },
      `reading the lines of order ${number}`,
    );
    return this.fromRows(header, lines);
  }

  private async createByMerge(tx: SqlRunner, draft: OrderDraft, subject: string): Promise<string> {
    const header = this.headerValues(draft, subject);
    const columns = [...header.keys()];
    const list = valuesList([[...header.values()]]);
    const externalColumn = this.mapping.columns.get('externalDocumentNumber')!.quoted;
    const source = columns.map((_, i) => `[s${i}]`).join(', ');
    const merged = await tx.query<{ action: string }>(
      `MERGE INTO ${this.mapping.table.quoted} WITH (HOLDLOCK) AS target USING (VALUES ${list.sql}) AS source (${source}) ` +
        `ON target.${externalColumn} = source.[s0] ` +
        `WHEN NOT MATCHED THEN INSERT (${columns.join(', ')}) VALUES (${columns.map((_, i) => `source.[s${i}]`).join(', ')}) ` +
        'OUTPUT $action AS [action];',
      list.params,
      `creating ${subject}`,
    );
    const [row] = await tx.query<{ k: unknown }>(
      `SELECT ${this.mapping.key.quoted} AS [k] FROM ${this.mapping.table.quoted} WHERE ${externalColumn} = @key`,
      { key: draft.externalDocumentNumber },
      `reading the number of ${subject}`,
    );
    if (row === undefined || row.k === null) {
      throw new SyncError({
        code: 'TRANSIENT',
        system: this.system,
        message: `${this.system}: ${subject} has no ${this.mapping.key.name} after it was written`,
      });
    }
    if (merged.length > 0) await this.insertLines(tx, row.k as SqlValue, draft, subject);
    return String(row.k);
  }

  /** `[ExternalRef], [CustomerNo], …` → values, the external document number first (the MERGE matches on it). */
  private headerValues(draft: OrderDraft, subject: string): Map<string, SqlValue> {
    const values = new Map<string, SqlValue>();
    const put = (path: string, value: SqlValue | undefined) => {
      const column = this.mapping.columns.get(path);
      if (column && value !== undefined) values.set(column.quoted, value);
    };
    put('externalDocumentNumber', draft.externalDocumentNumber);
    put('customerNumber', draft.customerNumber);
    put('orderDate', date(draft.orderDate));
    if (draft.requestedDeliveryDate !== undefined) put('requestedDeliveryDate', date(draft.requestedDeliveryDate));
    if (draft.currency !== undefined) put('currency', draft.currency);
    if (this.mapping.newStatus !== undefined) put('status', this.mapping.newStatus);
    if (this.mapping.keyFromExternalDocumentNumber && !values.has(this.mapping.key.quoted)) {
      values.set(this.mapping.key.quoted, draft.externalDocumentNumber);
    }
    if (draft.lines.length === 0) {
      throw new SyncError({
        code: 'VALIDATION',
        system: this.system,
        message: `${this.system}: ${subject} has no lines`,
      });
    }
    return values;
  }

  private lineValue(path: string, line: OrderLine, useSourcePrices: boolean): SqlValue {
    switch (path) {
      case 'itemNumber':
        return line.itemNumber;
      case 'quantity':
        return decimal(line.quantity);
      case 'description':
        return text(line.description ?? '');
      case 'unitOfMeasure':
        return text(line.unitOfMeasure ?? '');
      case 'unitPrice':
        return useSourcePrices && line.unitPrice !== undefined ? decimal(line.unitPrice) : decimal(null);
      case 'discountPercent':
        return decimal(line.discountPercent ?? 0);
      case 'discountAmount':
        return useSourcePrices && line.discountAmount !== undefined ? decimal(line.discountAmount) : decimal(0);
      default:
        return null;
    }
  }

  private async insertLines(tx: SqlRunner, orderKey: SqlValue, draft: OrderDraft, subject: string): Promise<void> {
    const lines = this.mapping.lines;
    const columns = [
      lines.orderKey.quoted,
      ...(lines.lineNumber ? [lines.lineNumber.quoted] : []),
      ...[...lines.columns.values()].map((c) => c.quoted),
    ];
    const rows = draft.lines.map((line, index) => [
      orderKey,
      ...(lines.lineNumber ? [int((index + 1) * LINE_NO_STEP)] : []),
      ...this.linePaths.map((path) => this.lineValue(path, line, draft.useSourcePrices)),
    ]);
    for (const piece of chunk(rows, rowsPerStatement(columns.length))) {
      const list = valuesList(piece);
      await tx.execute(
        `INSERT INTO ${lines.table.quoted} (${columns.join(', ')}) VALUES ${list.sql}`,
        list.params,
        `writing the lines of ${subject}`,
      );
    }
  }

  /**
   * `EXEC proc @externalDocumentNumber = …, @customerNumber = …, @orderDate = …, @requestedDeliveryDate = …,
   * @currency = …, @useSourcePrices = …, @lines = …` with the lines as a JSON array; the procedure answers
   * a row with the order's `number` and must itself do nothing for an external document number it knows.
   */
  private async createByProcedure(tx: SqlRunner, draft: OrderDraft, subject: string): Promise<string> {
    const lines = draft.lines.map((line, index) => ({
      lineNumber: (index + 1) * LINE_NO_STEP,
      itemNumber: line.itemNumber,
      quantity: line.quantity,
      ...(line.description !== undefined ? { description: line.description } : {}),
      ...(line.unitOfMeasure !== undefined ? { unitOfMeasure: line.unitOfMeasure } : {}),
      ...(draft.useSourcePrices && line.unitPrice !== undefined ? { unitPrice: line.unitPrice } : {}),
      ...(line.discountPercent !== undefined ? { discountPercent: line.discountPercent } : {}),
      ...(draft.useSourcePrices && line.discountAmount !== undefined ? { discountAmount: line.discountAmount } : {}),
    }));
    const params: Record<string, SqlValue> = {
      externalDocumentNumber: draft.externalDocumentNumber,
      customerNumber: draft.customerNumber,
      orderDate: date(draft.orderDate),
      requestedDeliveryDate: date(draft.requestedDeliveryDate ?? null),
      currency: text(draft.currency ?? null),
      useSourcePrices: draft.useSourcePrices,
      lines: text(JSON.stringify(lines)),
    };
    const args = Object.keys(params)
      .map((name) => `@${name} = @${name}`)
      .join(', ');
    const [row] = await tx.query<Row>(`EXEC ${this.mapping.procedure!.quoted} ${args}`, params, `creating ${subject}`);
    const number = row?.['number'] ?? (row ? Object.values(row)[0] : undefined);
    if (number === undefined || number === null || number === '') {
      throw new SyncError({
        code: 'CONFIG',
        system: this.system,
        message: `${this.system}: the procedure ${this.mapping.procedure!.name} answered no order number for ${subject}; it must return a row with a column "number"`,
      });
    }
    return String(number);
  }

  private fromRows(header: Row, lineRows: Row[]): SystemRecord<Order> {
    const number = String(header['k']);
    const value = (path: string) => header[`o${this.headerPaths.indexOf(path)}`];
    const customerNumber = String(value('customerNumber') ?? '');
    const stored = value('status');
    const status = stored === undefined || stored === null ? undefined : this.mapping.statuses.get(String(stored));
    const order: Record<string, unknown> = {
      sourceId: number,
      ids: { [this.system]: number },
      number,
      customer: { ids: { [this.system]: customerNumber }, number: customerNumber },
      orderDate: isoDate(value('orderDate')) ?? '',
      status: status ?? 'open',
      lines: lineRows.map((row) => {
        const line: Record<string, unknown> = {};
        this.linePaths.forEach((path, i) => {
          const v = row[`l${i}`];
          if (v === null || v === undefined || v === '') return;
          line[path] = ['quantity', 'unitPrice', 'discountPercent', 'discountAmount'].includes(path)
            ? Number(v)
            : String(v);
        });
        for (const zero of ['discountPercent', 'discountAmount']) if (line[zero] === 0) delete line[zero];
        return line;
      }),
    };
    const external = value('externalDocumentNumber');
    if (typeof external === 'string' && external !== '') order['externalDocumentNumber'] = external;
    const requested = isoDate(value('requestedDeliveryDate'));
    if (requested !== undefined) order['requestedDeliveryDate'] = requested;
    const currency = value('currency');
    if (typeof currency === 'string' && currency !== '') order['currency'] = currency;
    return { id: number, number, data: order as unknown as Order };
  }
}
