/**
 * The nav-sql driver's "custom SQL schema" mode, for home-grown ERPs on SQL Server: customers, orders
 * with lines and invoices live in the user's own tables and views, mapped to the canonical model by the
 * connection's JSON mapping (see mapping.ts). Writes go straight to the tables by MERGE, or through
 * stored procedures the mapping names.
 */
import type { Capabilities, ConnectionCheck, SystemDriver } from '../../lib/ports';
import { CUSTOMER_FIELDS } from '../../lib/sync/ownership';
import { toSyncError } from '../../lib/errors';
import { configError, type ConnectionConfig } from '../connection';
import type { SqlLog, SqlSession } from '../sql/database';
import { sqlDatabaseFor } from '../sql/for-connection';
import { CustomSqlCustomers, naturalKeysOf } from './customers';
import { CustomSqlInvoices } from './invoices';
import {
  parseSchemaMapping,
  type CustomerMapping,
  type MappedColumn,
  type MappedTable,
  type SchemaMapping,
} from './mapping';
import { CustomSqlOrders } from './orders';

const FALLBACK_CURRENCY = 'EUR';

/** Which canonical customer fields the mapping can hold. */
function customerFields(mapping: CustomerMapping | undefined): Capabilities['customers']['fields'] {
  if (!mapping) return [];
  const paths = [...mapping.columns.keys()];
  return CUSTOMER_FIELDS.filter((field) =>
    field === 'custom'
      ? paths.some((p) => p.startsWith('custom.'))
      : paths.some((p) => p === field || p.startsWith(`${field}.`)),
  );
}

export function customSqlCapabilities(mapping: SchemaMapping): Capabilities {
  const customers = mapping.customers;
  return {
    customers: {
      read: customers !== undefined,
      write: customers !== undefined,
      upsertByNumber:
        customers?.write.kind === 'merge' &&
        customers.write.mergeOn.length === 1 &&
        customers.write.mergeOn[0] === 'number',
      naturalKeys: customers ? naturalKeysOf(customers) : [],
      fields: customerFields(customers),
    },
    orders: { read: mapping.orders !== undefined, create: mapping.orders !== undefined },
    invoices: { read: mapping.invoices !== undefined },
    batchSize: customers?.write.kind === 'merge' ? 1000 : 1,
  };
}

/** The tables, views, columns and procedures a mapping names, for Test connection. */
function mappedObjects(
  mapping: SchemaMapping,
): Array<{ what: string; table: MappedTable; columns: MappedColumn[]; procedure?: MappedTable }> {
  const objects: Array<{ what: string; table: MappedTable; columns: MappedColumn[]; procedure?: MappedTable }> = [];
  const { customers, orders, invoices } = mapping;
  if (customers) {
    objects.push({
      what: 'customers',
      table: customers.table,
      columns: [customers.key, ...customers.columns.values(), ...(customers.changes ? [customers.changes.column] : [])],
      ...(customers.write.kind === 'procedure' ? { procedure: customers.write.procedure } : {}),
    });
    if (customers.write.kind === 'merge' && customers.write.table.quoted !== customers.table.quoted) {
      objects.push({ what: 'customer writes', table: customers.write.table, columns: [customers.key] });
    }
  }
  if (orders) {
    objects.push({
      what: 'orders',
      table: orders.table,
      columns: [orders.key, ...orders.columns.values()],
      ...(orders.procedure ? { procedure: orders.procedure } : {}),
    });
    objects.push({
      what: 'order lines',
      table: orders.lines.table,
      columns: [
        orders.lines.orderKey,
        ...(orders.lines.lineNumber ? [orders.lines.lineNumber] : []),
        ...orders.lines.columns.values(),
      ],
    });
  }
  if (invoices) objects.push({ what: 'invoices', table: invoices.table, columns: [...invoices.columns.values()] });
  return objects;
}

async function checkCustomConnection(
  db: SqlSession,
  system: string,
  mapping: SchemaMapping,
): Promise<ConnectionCheck[]> {
  const checks: ConnectionCheck[] = [];
  try {
    const [info] = await db.query<{ version: string; database: string; login: string }>(
      "SELECT SERVERPROPERTY('ProductVersion') AS [version], DB_NAME() AS [database], SUSER_SNAME() AS [login]",
    );
    checks.push({
      name: 'sign-in',
      ok: true,
      message: `Connected to SQL Server ${info?.version ?? '?'}, database ${info?.database ?? '?'}, as ${info?.login ?? '?'}`,
    });
  } catch (error) {
    checks.push({ name: 'sign-in', ok: false, message: toSyncError(error, system).message });
    return checks;
  }
  for (const { what, table, columns, procedure } of mappedObjects(mapping)) {
    try {
      const found = await db.query<{ column: string }>(
        'SELECT c.name AS [column] FROM sys.columns AS c WHERE c.object_id = OBJECT_ID(@table)',
        { table: table.quoted },
        `reading the columns of ${table.name}`,
      );
      const present = new Set(found.map((row) => row.column.toLowerCase()));
      const missing = columns.filter((column) => !present.has(column.name.toLowerCase())).map((c) => c.name);
      if (found.length === 0)
        checks.push({ name: what, ok: false, message: `${table.name} does not exist or cannot be seen by this login` });
      else if (missing.length > 0)
        checks.push({
          name: what,
          ok: false,
          message: `${table.name} has no column ${[...new Set(missing)].join(', ')}`,
        });
      else
        checks.push({
          name: what,
          ok: true,
          message: `${table.name}: all ${new Set(columns.map((c) => c.name)).size} mapped columns found`,
        });
      if (procedure) {
        const [row] = await db.query<{ id: number | null }>("SELECT OBJECT_ID(@procedure, N'P') AS [id]", {
          procedure: procedure.quoted,
        });
        checks.push({
          name: `${what} procedure`,
          ok: row?.id !== null && row?.id !== undefined,
          message: row?.id
            ? `${procedure.name} found`
            : `${procedure.name} does not exist or cannot be seen by this login`,
        });
      }
    } catch (error) {
      checks.push({ name: what, ok: false, message: toSyncError(error, system).message });
    }
  }
  return checks;
}

export function createCustomSqlDriver(
  config: ConnectionConfig,
  deps: { log?: SqlLog; session?: SqlSession & { close(): Promise<void> } } = {},
): SystemDriver {
  const mapping = parseSchemaMapping(config.options['mapping'], config.system);
  const localCurrency = (config.options['localCurrency'] ?? FALLBACK_CURRENCY).toUpperCase();
  if (!/^[A-Z]{3}$/.test(localCurrency)) {
    throw configError(config.system, `the local currency must be an ISO 4217 code such as EUR, not "${localCurrency}"`);
  }
  const db = deps.session ?? sqlDatabaseFor(config, deps.log);
  return {
    system: config.system,
    driver: 'nav-sql',
    linkKey: 'id',
    numberSystem: config.system,
    capabilities: customSqlCapabilities(mapping),
    ...(mapping.customers ? { customers: new CustomSqlCustomers(db, config.system, mapping.customers) } : {}),
    ...(mapping.orders ? { orders: new CustomSqlOrders(db, config.system, mapping.orders) } : {}),
    ...(mapping.invoices
      ? { invoices: new CustomSqlInvoices(db, config.system, mapping.invoices, localCurrency) }
      : {}),
    testConnection: () => checkCustomConnection(db, config.system, mapping),
    close: () => db.close(),
  };
}
