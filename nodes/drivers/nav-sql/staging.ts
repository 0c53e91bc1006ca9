/**
 * Writes into NAV / Business Central go through staging tables, the pattern Microsoft supports: the
 * driver inserts rows into inbound tables of its own schema, a job on the ERP side (a Job Queue
 * codeunit reading them as external or linked tables) validates each row and creates the customer or
 * the sales order through the application's own logic, and writes back the status and the number it
 * gave. Each row carries an idempotency key, unique per company, so a repeated write never queues the
 * same customer or order twice. The contract is documented in this folder's README.
 */
import { SyncError } from '../../lib/errors';
import { PROFILES, type FieldLimit } from '../../lib/model/profiles';
import { chunk, inList, rowsPerStatement, valuesList } from '../sql/batching';
import type { SqlRunner, SqlSession } from '../sql/database';
import { quoteIdentifier, quoteLiteral } from '../sql/identifiers';
import { date, decimal, int, type SqlValue } from '../sql/values';

export const CUSTOMER_INBOUND = 'customer_inbound';
export const ORDER_INBOUND = 'sales_order_inbound';
export const ORDER_LINE_INBOUND = 'sales_order_line_inbound';

/** A row's life: written by the driver as pending, taken by the ERP job, then done or error. */
export type StagingState = 'pending' | 'processing' | 'done' | 'error';
export const STAGING_STATES: readonly StagingState[] = ['pending', 'processing', 'done', 'error'];

export type StagingEntity = 'customer' | 'order';

/** What the read-back tells about one staged row. */
export interface StagingStatus {
  entity: StagingEntity;
  key: string;
  entryNo: number;
  status: StagingState;
  /** The customer or order number the ERP job filled in (or the one asked for); '' until known. */
  erpNumber: string;
  /** The ERP job's message when it refused the row. */
  message: string;
  attempts: number;
  /** When the ERP job finished the row (ISO 8601), once it did. */
  processedAt?: string;
}

type ColumnKind = 'text' | 'code' | 'decimal' | 'int' | 'tinyint' | 'date';

interface StagingColumn {
  column: string;
  kind: ColumnKind;
  /** Text length; the NAV field length where the canonical profile knows it. */
  length?: number;
}

/** The canonical field each data column of customer_inbound carries. */
const CUSTOMER_COLUMN_SPECS: ReadonlyArray<StagingColumn & { path: string }> = [
  { path: 'name', column: 'name', kind: 'text' },
  { path: 'address.line1', column: 'address', kind: 'text' },
  { path: 'address.line2', column: 'address_2', kind: 'text' },
  { path: 'address.city', column: 'city', kind: 'text' },
  { path: 'address.postCode', column: 'post_code', kind: 'code' },
  { path: 'address.county', column: 'county', kind: 'text' },
  { path: 'address.country', column: 'country_region_code', kind: 'code' },
  { path: 'taxId', column: 'vat_registration_no', kind: 'text' },
  { path: 'email', column: 'e_mail', kind: 'text' },
  { path: 'phone', column: 'phone_no', kind: 'text' },
  { path: 'website', column: 'home_page', kind: 'text' },
  { path: 'currency', column: 'currency_code', kind: 'code', length: 10 },
  { path: 'paymentTerms', column: 'payment_terms_code', kind: 'code' },
  { path: 'creditLimit', column: 'credit_limit_lcy', kind: 'decimal' },
  { path: 'blocked', column: 'blocked', kind: 'int' },
];

export const CUSTOMER_COLUMNS: ReadonlyArray<StagingColumn & { path: string }> = CUSTOMER_COLUMN_SPECS.map((c) =>
  withLength(c, c.length ?? profileLength('customer', c.path)),
);

function withLength<T extends StagingColumn>(column: T, length: number | undefined): T {
  return length === undefined ? column : { ...column, length };
}

export const LINE_COLUMNS: ReadonlyArray<StagingColumn> = [
  { column: 'entry_no', kind: 'int' },
  { column: 'line_no', kind: 'int' },
  withLength({ column: 'item_no', kind: 'code' }, profileLength('order', 'lines.*.itemNumber')),
  withLength({ column: 'description', kind: 'text' }, profileLength('order', 'lines.*.description')),
  { column: 'quantity', kind: 'decimal' },
  withLength({ column: 'unit_of_measure_code', kind: 'code' }, profileLength('order', 'lines.*.unitOfMeasure')),
  { column: 'unit_price', kind: 'decimal' },
  { column: 'price_given', kind: 'tinyint' },
  { column: 'line_discount_pct', kind: 'decimal' },
  { column: 'line_discount_amount', kind: 'decimal' },
];

function profileLength(entity: 'customer' | 'order', path: string): number | undefined {
  const limits: readonly FieldLimit[] = PROFILES.nav.limits[entity] ?? [];
  return limits.find((limit) => limit.path === path)?.maxLength;
}

const KEY_LENGTH = 100;
const MESSAGE_LENGTH = 250;
/** NAV line numbers step by 10000, leaving room to insert lines in between. */
export const LINE_NO_STEP = 10000;

function sqlType(column: StagingColumn): string {
  switch (column.kind) {
    case 'text':
    case 'code':
      return `NVARCHAR(${column.length ?? 250}) NOT NULL DEFAULT ('')`;
    case 'decimal':
      return 'DECIMAL(38,20) NOT NULL DEFAULT (0)';
    case 'int':
      return 'INT NOT NULL DEFAULT (0)';
    case 'tinyint':
      return 'TINYINT NOT NULL DEFAULT (0)';
    case 'date':
      return "DATETIME NOT NULL DEFAULT ('1753-01-01')";
  }
}

/** Columns every inbound header table has: the key, the row's state, and what the ERP job writes back. */
function headerColumns(numberColumn: string, numberLength: number): string[] {
  return [
    '[entry_no] BIGINT IDENTITY(1,1) NOT NULL',
    '[company] NVARCHAR(30) NOT NULL',
    `[idempotency_key] NVARCHAR(${KEY_LENGTH}) NOT NULL`,
    "[status] NVARCHAR(20) NOT NULL DEFAULT ('pending')",
    `[${numberColumn}] NVARCHAR(${numberLength}) NOT NULL DEFAULT ('')`,
    "[source_system] NVARCHAR(40) NOT NULL DEFAULT ('')",
    "[source_id] NVARCHAR(100) NOT NULL DEFAULT ('')",
  ];
}

const TRAILER_COLUMNS = [
  "[custom_fields] NVARCHAR(MAX) NOT NULL DEFAULT ('')",
  `[message] NVARCHAR(${MESSAGE_LENGTH}) NOT NULL DEFAULT ('')`,
  '[attempts] INT NOT NULL DEFAULT (1)',
  '[created_at] DATETIME NOT NULL DEFAULT (GETUTCDATE())',
  '[updated_at] DATETIME NOT NULL DEFAULT (GETUTCDATE())',
  "[processed_at] DATETIME NOT NULL DEFAULT ('1753-01-01')",
];

export class StagingSchema {
  readonly customers: string;
  readonly orders: string;
  readonly lines: string;

  constructor(readonly schema: string) {
    const q = (table: string) => `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
    this.customers = q(CUSTOMER_INBOUND);
    this.orders = q(ORDER_INBOUND);
    this.lines = q(ORDER_LINE_INBOUND);
  }

  /**
   * The statements that create the schema and its tables where missing; running them again changes
   * nothing. Column types are the ones NAV uses (NVARCHAR, INT, TINYINT, DECIMAL(38,20), DATETIME
   * with 1753-01-01 as blank, no NULLs), so the tables map onto AL / C/AL table objects as they are.
   */
  ddl(): string[] {
    const s = this.schema;
    const exists = (table: string) =>
      `IF OBJECT_ID(${quoteLiteral(`${quoteIdentifier(s)}.${quoteIdentifier(table)}`)}, N'U') IS NULL`;
    const customerColumns = [
      ...headerColumns('customer_no', 20),
      "[operation] NVARCHAR(10) NOT NULL DEFAULT ('create')",
      "[fields] NVARCHAR(1000) NOT NULL DEFAULT ('')",
      ...CUSTOMER_COLUMNS.map((c) => `${quoteIdentifier(c.column)} ${sqlType(c)}`),
      "[expected_version] NVARCHAR(18) NOT NULL DEFAULT ('')",
      ...TRAILER_COLUMNS,
      `CONSTRAINT ${quoteIdentifier(`PK_${CUSTOMER_INBOUND}`)} PRIMARY KEY ([entry_no])`,
      `CONSTRAINT ${quoteIdentifier(`UQ_${CUSTOMER_INBOUND}_key`)} UNIQUE ([company], [idempotency_key])`,
    ];
    const orderColumns = [
      ...headerColumns('order_no', 20),
      '[external_document_no] NVARCHAR(35) NOT NULL',
      '[sell_to_customer_no] NVARCHAR(20) NOT NULL',
      '[order_date] DATETIME NOT NULL',
      "[requested_delivery_date] DATETIME NOT NULL DEFAULT ('1753-01-01')",
      "[currency_code] NVARCHAR(10) NOT NULL DEFAULT ('')",
      '[use_source_prices] TINYINT NOT NULL DEFAULT (0)',
      '[line_count] INT NOT NULL DEFAULT (0)',
      ...TRAILER_COLUMNS,
      `CONSTRAINT ${quoteIdentifier(`PK_${ORDER_INBOUND}`)} PRIMARY KEY ([entry_no])`,
      `CONSTRAINT ${quoteIdentifier(`UQ_${ORDER_INBOUND}_key`)} UNIQUE ([company], [idempotency_key])`,
    ];
    const lineColumns = [
      '[entry_no] BIGINT NOT NULL',
      '[line_no] INT NOT NULL',
      ...LINE_COLUMNS.slice(2).map((c) => `${quoteIdentifier(c.column)} ${sqlType(c)}`),
      `CONSTRAINT ${quoteIdentifier(`PK_${ORDER_LINE_INBOUND}`)} PRIMARY KEY ([entry_no], [line_no])`,
      `CONSTRAINT ${quoteIdentifier(`FK_${ORDER_LINE_INBOUND}_order`)} FOREIGN KEY ([entry_no]) REFERENCES ${this.orders} ([entry_no])`,
    ];
    const statusIndex = (table: string) =>
      `IF INDEXPROPERTY(OBJECT_ID(${quoteLiteral(`${quoteIdentifier(s)}.${quoteIdentifier(table)}`)}), ${quoteLiteral(`IX_${table}_status`)}, N'IndexID') IS NULL ` +
      `CREATE INDEX ${quoteIdentifier(`IX_${table}_status`)} ON ${quoteIdentifier(s)}.${quoteIdentifier(table)} ([status], [entry_no])`;
    return [
      `IF SCHEMA_ID(${quoteLiteral(s)}) IS NULL EXEC(${quoteLiteral(`CREATE SCHEMA ${quoteIdentifier(s)}`)})`,
      `${exists(CUSTOMER_INBOUND)} CREATE TABLE ${this.customers} (${customerColumns.join(', ')})`,
      `${exists(ORDER_INBOUND)} CREATE TABLE ${this.orders} (${orderColumns.join(', ')})`,
      `${exists(ORDER_LINE_INBOUND)} CREATE TABLE ${this.lines} (${lineColumns.join(', ')})`,
      statusIndex(CUSTOMER_INBOUND),
      statusIndex(ORDER_INBOUND),
    ];
  }

  /** The DDL as a script for a DBA: one batch per statement, readable, runnable with sqlcmd or SSMS. */
  script(database?: string): string {
    const header = [
      '-- Inbound staging tables of @crmerp/node-red-crm-erp (nav-sql driver).',
      `-- Schema ${this.schema}; safe to run again: existing objects are left as they are.`,
      '-- The integration login needs SELECT, INSERT, UPDATE and DELETE on this schema and SELECT on the',
      '-- NAV / Business Central tables; the ERP job needs SELECT and UPDATE on this schema.',
      ...(database ? [`USE ${quoteIdentifier(database)};`, 'GO'] : []),
    ];
    const pretty = (statement: string) =>
      statement.replace(/ \(\[/, ' (\n  [').replace(/, (\[|CONSTRAINT)/g, ',\n  $1');
    return `${[...header, ...this.ddl().flatMap((statement) => [`${pretty(statement)};`, 'GO'])].join('\n')}\n`;
  }

  /** Which of the three tables exist (read from sys.tables). */
  existingTablesStatement(): string {
    return (
      'SELECT t.name AS [name] FROM sys.tables AS t WHERE t.schema_id = SCHEMA_ID(@schema) ' +
      `AND t.name IN (${quoteLiteral(CUSTOMER_INBOUND)}, ${quoteLiteral(ORDER_INBOUND)}, ${quoteLiteral(ORDER_LINE_INBOUND)})`
    );
  }
}

// ---------------------------------------------------------------- writing

/** One customer row to stage: the data columns as canonical paths with their values. */
export interface StagedCustomer {
  key: string;
  operation: 'create' | 'update';
  /** The number asked for (create) or the customer updated (update); '' lets the ERP number it. */
  customerNumber: string;
  sourceSystem: string;
  sourceId: string;
  /** Canonical path → value, only the fields the write carries. */
  values: ReadonlyMap<string, string | number>;
  custom?: Record<string, unknown>;
  expectedVersion?: string;
}

export interface StagedLine {
  itemNumber: string;
  description?: string;
  quantity: number;
  unitOfMeasure?: string;
  unitPrice?: number;
  discountPercent?: number;
  discountAmount?: number;
}

export interface StagedOrder {
  key: string;
  externalDocumentNumber: string;
  customerNumber: string;
  orderDate: string;
  requestedDeliveryDate?: string;
  currency: string;
  useSourcePrices: boolean;
  sourceSystem: string;
  sourceId: string;
  lines: readonly StagedLine[];
}

interface StagedRow {
  entryNo: number;
  key: string;
  status: string;
  erpNumber: string;
  message: string;
  attempts: number;
  processedAt: unknown;
}

function statusOf(entity: StagingEntity, row: StagedRow): StagingStatus {
  const status = (STAGING_STATES as readonly string[]).includes(row.status) ? (row.status as StagingState) : 'error';
  const processedAt =
    row.processedAt instanceof Date && row.processedAt.getUTCFullYear() > 1753
      ? row.processedAt.toISOString()
      : undefined;
  return {
    entity,
    key: row.key,
    entryNo: Number(row.entryNo),
    status,
    erpNumber: row.erpNumber,
    message:
      status === row.status ? row.message : `unknown status ${JSON.stringify(row.status)} written by the ERP job`,
    attempts: row.attempts,
    ...(processedAt !== undefined ? { processedAt } : {}),
  };
}

function tooLong(
  system: string,
  subject: string,
  path: string,
  column: string,
  value: string,
  length: number,
): SyncError {
  return new SyncError({
    code: 'VALIDATION',
    system,
    message: `${subject}: ${path} is ${value.length} characters long; the staging column [${column}] takes ${length}`,
    details: { fields: [path] },
  });
}

/** Values as the columns take them: codes upper-case (NAV keeps Code fields so), lengths checked. */
function columnValue(system: string, subject: string, path: string, column: StagingColumn, value: unknown): SqlValue {
  switch (column.kind) {
    case 'decimal':
      return decimal(typeof value === 'number' ? value : 0);
    case 'int':
    case 'tinyint':
      return int(typeof value === 'number' ? value : 0);
    case 'date':
      return date(typeof value === 'string' && value !== '' ? value : '1753-01-01');
    case 'text':
    case 'code': {
      const textValue = typeof value === 'string' ? (column.kind === 'code' ? value.toUpperCase() : value) : '';
      if (column.length !== undefined && textValue.length > column.length) {
        throw tooLong(system, subject, path, column.column, textValue, column.length);
      }
      return textValue;
    }
  }
}

function selectRow(table: string, numberColumn: string, lock: boolean): string {
  return (
    `SELECT [entry_no] AS [entryNo], [idempotency_key] AS [key], [status], [${numberColumn}] AS [erpNumber], [message], [attempts], [processed_at] AS [processedAt] ` +
    `FROM ${table}${lock ? ' WITH (UPDLOCK, HOLDLOCK)' : ''} WHERE [company] = @company AND [idempotency_key] = @key`
  );
}

export class NavStaging {
  readonly tables: StagingSchema;

  constructor(
    private readonly db: SqlSession,
    private readonly system: string,
    private readonly company: string,
    schema: string,
  ) {
    this.tables = new StagingSchema(schema);
  }

  /** Creates what is missing of the schema and its tables. */
  async create(): Promise<void> {
    for (const statement of this.tables.ddl()) await this.db.execute(statement, {}, 'creating the staging tables');
  }

  /** The staging tables that are missing (all three when the schema does not exist). */
  async missingTables(): Promise<string[]> {
    const rows = await this.db.query<{ name: string }>(
      this.tables.existingTablesStatement(),
      { schema: this.tables.schema },
      'looking for the staging tables',
    );
    const present = new Set(rows.map((row) => row.name.toLowerCase()));
    return [CUSTOMER_INBOUND, ORDER_INBOUND, ORDER_LINE_INBOUND].filter((name) => !present.has(name));
  }

  /**
   * Stages one customer write in one transaction. A key seen before is not queued twice: a row still
   * pending takes the new values, a row the ERP job refused is queued again with them, and a row in
   * processing or done is left as it is. Answers the row's state after the write.
   */
  stageCustomer(customer: StagedCustomer, subject: string): Promise<StagingStatus> {
    const data: Record<string, SqlValue> = {};
    for (const column of CUSTOMER_COLUMNS) {
      data[column.column] = columnValue(this.system, subject, column.path, column, customer.values.get(column.path));
    }
    const common: Record<string, SqlValue> = {
      customer_no: customer.customerNumber.toUpperCase(),
      operation: customer.operation,
      fields: [...customer.values.keys()].join(','),
      source_system: customer.sourceSystem,
      source_id: customer.sourceId,
      custom_fields: customer.custom ? JSON.stringify(customer.custom) : '',
      expected_version: customer.expectedVersion ?? '',
      ...data,
    };
    return this.db.transaction(
      async (tx) => {
        const status = await this.upsertHeader(
          tx,
          'customer',
          this.tables.customers,
          'customer_no',
          customer.key,
          common,
        );
        return status;
      },
      { idempotent: true, doing: `staging ${subject}` },
    );
  }

  /** Stages a sales order with its lines in one transaction; the key works as for customers, except that a pending order is kept as it is. */
  stageOrder(order: StagedOrder, subject: string): Promise<StagingStatus> {
    const header: Record<string, SqlValue> = {
      external_document_no: order.externalDocumentNumber,
      sell_to_customer_no: order.customerNumber.toUpperCase(),
      order_date: date(order.orderDate),
      requested_delivery_date: date(order.requestedDeliveryDate ?? '1753-01-01'),
      currency_code: order.currency.toUpperCase(),
      use_source_prices: int(order.useSourcePrices ? 1 : 0),
      line_count: int(order.lines.length),
      source_system: order.sourceSystem,
      source_id: order.sourceId,
    };
    const lineValues = order.lines.map((line, index): SqlValue[] => {
      const path = (field: string) => `lines[${index}].${field}`;
      const [, , item, description, , unit] = LINE_COLUMNS as [
        StagingColumn,
        StagingColumn,
        StagingColumn,
        StagingColumn,
        StagingColumn,
        StagingColumn,
      ];
      return [
        0, // entry number, set when known
        int((index + 1) * LINE_NO_STEP),
        columnValue(this.system, subject, path('itemNumber'), item, line.itemNumber),
        columnValue(this.system, subject, path('description'), description, line.description ?? ''),
        decimal(line.quantity),
        columnValue(this.system, subject, path('unitOfMeasure'), unit, line.unitOfMeasure ?? ''),
        decimal(line.unitPrice ?? 0),
        int(line.unitPrice !== undefined && order.useSourcePrices ? 1 : 0),
        decimal(line.discountPercent ?? 0),
        decimal(line.discountAmount ?? 0),
      ];
    });
    return this.db.transaction(
      async (tx) => {
        const before = await tx.query<StagedRow>(selectRow(this.tables.orders, 'order_no', true), {
          company: this.company,
          key: order.key,
        });
        const existing = before[0];
        if (existing && existing.status !== 'error') return statusOf('order', existing);
        const status = await this.upsertHeader(tx, 'order', this.tables.orders, 'order_no', order.key, header);
        if (existing)
          await tx.execute(`DELETE FROM ${this.tables.lines} WHERE [entry_no] = @entryNo`, { entryNo: status.entryNo });
        await this.insertLines(tx, status.entryNo, lineValues);
        return status;
      },
      { idempotent: true, doing: `staging ${subject}` },
    );
  }

  /** The state of staged rows by key, in the order asked; keys never staged are left out. */
  async readBack(entity: StagingEntity, keys: readonly string[]): Promise<StagingStatus[]> {
    const [table, numberColumn] =
      entity === 'customer' ? [this.tables.customers, 'customer_no'] : [this.tables.orders, 'order_no'];
    const found = new Map<string, StagingStatus>();
    // Each key is a parameter: a long list goes in pieces under the parameter limit.
    for (const piece of chunk([...new Set(keys)], rowsPerStatement(1, 1))) {
      const list = inList(piece);
      const rows = await this.db.query<StagedRow>(
        `SELECT [entry_no] AS [entryNo], [idempotency_key] AS [key], [status], [${numberColumn}] AS [erpNumber], [message], [attempts], [processed_at] AS [processedAt] ` +
          `FROM ${table} WHERE [company] = @company AND [idempotency_key] IN (${list.sql})`,
        { company: this.company, ...list.params },
        `reading back staged ${entity}s`,
      );
      for (const row of rows) found.set(row.key.toLowerCase(), statusOf(entity, row));
    }
    return keys.map((key) => found.get(key.toLowerCase())).filter((s): s is StagingStatus => s !== undefined);
  }

  /** A staged order with its lines as written, or undefined when the key was never staged. */
  async readOrder(
    key: string,
  ): Promise<
    { status: StagingStatus; header: Record<string, unknown>; lines: Array<Record<string, unknown>> } | undefined
  > {
    const [header] = await this.db.query<StagedRow & Record<string, unknown>>(
      `SELECT [entry_no] AS [entryNo], [idempotency_key] AS [key], [status], [order_no] AS [erpNumber], [message], [attempts], [processed_at] AS [processedAt], ` +
        '[sell_to_customer_no] AS [customerNumber], [order_date] AS [orderDate], [requested_delivery_date] AS [requestedDeliveryDate], ' +
        `[currency_code] AS [currency], [external_document_no] AS [externalDocumentNumber] FROM ${this.tables.orders} ` +
        'WHERE [company] = @company AND [idempotency_key] = @key',
      { company: this.company, key },
      `reading staged order ${key}`,
    );
    if (header === undefined) return undefined;
    const lines = await this.db.query<Record<string, unknown>>(
      'SELECT [item_no] AS [itemNumber], [description], [quantity], [unit_of_measure_code] AS [unitOfMeasure], [unit_price] AS [unitPrice], ' +
        `[line_discount_pct] AS [discountPercent], [line_discount_amount] AS [discountAmount] FROM ${this.tables.lines} WHERE [entry_no] = @entryNo ORDER BY [line_no]`,
      { entryNo: header.entryNo },
      `reading the lines of staged order ${key}`,
    );
    return { status: statusOf('order', header), header, lines };
  }

  private async upsertHeader(
    tx: SqlRunner,
    entity: StagingEntity,
    table: string,
    numberColumn: string,
    key: string,
    values: Record<string, SqlValue>,
  ): Promise<StagingStatus> {
    const [existing] = await tx.query<StagedRow>(selectRow(table, numberColumn, true), { company: this.company, key });
    const names = Object.keys(values);
    const params = Object.fromEntries(names.map((name, i) => [`v${i}`, values[name] ?? null]));
    if (existing === undefined) {
      const [inserted] = await tx.query<{ entryNo: number }>(
        `INSERT INTO ${table} ([company], [idempotency_key], [status], ${names.map(quoteIdentifier).join(', ')}) ` +
          `VALUES (@company, @key, N'pending', ${names.map((_, i) => `@v${i}`).join(', ')}); ` +
          'SELECT CAST(SCOPE_IDENTITY() AS BIGINT) AS [entryNo]',
        { company: this.company, key, ...params },
      );
      return {
        entity,
        key,
        entryNo: Number(inserted?.entryNo),
        status: 'pending',
        erpNumber: entity === 'customer' ? String(values['customer_no'] ?? '') : '',
        message: '',
        attempts: 1,
      };
    }
    if (existing.status === 'processing' || existing.status === 'done') return statusOf(entity, existing);
    const again = existing.status === 'error';
    await tx.execute(
      `UPDATE ${table} SET [status] = N'pending', [message] = N'', ${names.map((name, i) => `${quoteIdentifier(name)} = @v${i}`).join(', ')}, ` +
        `[attempts] = [attempts] + ${again ? 1 : 0}, [updated_at] = GETUTCDATE() WHERE [entry_no] = @entryNo`,
      { entryNo: existing.entryNo, ...params },
    );
    return {
      entity,
      key,
      entryNo: Number(existing.entryNo),
      status: 'pending',
      erpNumber: entity === 'customer' ? String(values['customer_no'] ?? '') : '',
      message: '',
      attempts: existing.attempts + (again ? 1 : 0),
    };
  }

  /** The lines as multi-row INSERTs, as many statements as the parameter limit needs, in the caller's transaction. */
  private async insertLines(tx: SqlRunner, entryNo: number, lines: SqlValue[][]): Promise<void> {
    const columns = LINE_COLUMNS.map((c) => quoteIdentifier(c.column)).join(', ');
    const rows = lines.map((values) => [entryNo, ...values.slice(1)]);
    for (const piece of chunk(rows, rowsPerStatement(LINE_COLUMNS.length))) {
      const list = valuesList(piece);
      await tx.execute(`INSERT INTO ${this.tables.lines} (${columns}) VALUES ${list.sql}`, list.params);
    }
  }
}
