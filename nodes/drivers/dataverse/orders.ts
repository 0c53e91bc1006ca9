/**
 * OrderPort on Dataverse sales orders: the CRM's read side. Orders are created in the ERP, so `create` is
 * refused; an order is found by its own `ordernumber`, which the ERP keeps as the external document number.
 * The one write is the ERP order number, kept on the sales order once the ERP has the order.
 */
import { SyncError, isSyncError, toSyncError } from '../../lib/errors';
import type { Order, OrderLine } from '../../lib/model/types.generated';
import type { OrderPort, SystemRecord } from '../../lib/ports';
import type { HttpClient } from '../http';
import { anyOfFilters, changedSinceQuery } from '../odata';
import { MAX_BATCH_REQUESTS, sendChangeSets } from './batch';
import type { TransactionCurrencies } from './currencies';
import {
  ORDER_LINE_ORDER_COLUMN,
  ORDER_NUMBER_COLUMN,
  salesOrderLineQuery,
  salesOrderLineToCanonical,
  salesOrderQuery,
  salesOrderToRecord,
} from './mapping';
import type { DataverseSettings } from './settings';
import { equalsFilter, getAllRows, getRow, isGuid, recordUrl, textOf, type Row } from './web-api';

const SALES_ORDERS = 'salesorders';
const ORDER_LINES = 'salesorderdetails';
/** The text column that keeps the ERP order number on a sales order, unless the caller names another. */
export const DEFAULT_ERP_ORDER_NUMBER_COLUMN = 'new_erpordernumber';
/** Orders whose lines one query reads; keeps the URL of the `or` filter short. */
const ORDERS_PER_LINE_QUERY = 40;

export class DataverseOrders implements OrderPort {
  constructor(
    private readonly client: HttpClient,
    private readonly apiBase: string,
    private readonly settings: DataverseSettings,
    private readonly currencies: TransactionCurrencies,
  ) {}

  create(): Promise<SystemRecord<Order>> {
    const { system } = this.settings;
    return Promise.reject(
      new SyncError({
        code: 'CONFIG',
        system,
        message: `${system}: creating orders is not supported on Dataverse; orders are created in the ERP, Dataverse orders are read here`,
      }),
    );
  }

  async getById(id: string): Promise<SystemRecord<Order> | undefined> {
    const url = recordUrl(this.settings.system, SALES_ORDERS, id, `salesorder ${id}`);
    const row = await getRow(this.client, url, salesOrderQuery(this.settings));
    return row === undefined ? undefined : this.toRecord(row, await this.linesOf(row));
  }

  /** By the Dataverse order number (`ordernumber`), e.g. ORD-01001-F4K2P8. */
  async findByExternalDocumentNumber(externalDocumentNumber: string): Promise<SystemRecord<Order> | undefined> {
    const [row] = await getAllRows(
      this.client,
      SALES_ORDERS,
      { $filter: equalsFilter([[ORDER_NUMBER_COLUMN, externalDocumentNumber]]), ...salesOrderQuery(this.settings) },
      this.settings.pageSize,
    );
    return row === undefined ? undefined : this.toRecord(row, await this.linesOf(row));
  }

  /**
   * Server-driven pages of `salesorders?$filter=modifiedon ge …&$orderby=modifiedon asc`, each completed with
   * its products read in a few queries per page. An order without product lines comes with none, so the
   * validation of whoever takes it names it.
   */
  async *changedSince(since: string | undefined, pageSize: number): AsyncGenerator<Array<SystemRecord<Order>>> {
    const { system } = this.settings;
    const pages = this.client.pages<Row>(SALES_ORDERS, {
      query: { ...changedSinceQuery('modifiedon', since, system), ...salesOrderQuery(this.settings) },
      headers: { Prefer: `odata.maxpagesize=${pageSize}` },
    });
    for await (const page of pages) {
      const lines = await this.linesOfOrders(page);
      yield Promise.all(page.map((row) => this.toRecord(row, lines.get(String(row['salesorderid'])) ?? [])));
    }
  }

  /**
   * Writes the ERP order number onto the sales order, unless it holds that number already: a write of the
   * same value would still stamp the order as changed and bring it back through the change feed. If-Match
   * makes the PATCH update only, never create.
   */
  async setExternalNumber(id: string, number: string, column = DEFAULT_ERP_ORDER_NUMBER_COLUMN): Promise<void> {
    const url = recordUrl(this.settings.system, SALES_ORDERS, id, `salesorder ${id}`);
    const current = await getRow(this.client, url, { $select: column });
    if (current !== undefined && current[column] === number) return;
    await this.client.patch(url, { [column]: number }, { headers: { 'If-Match': '*' } });
  }

  /**
   * The same for several orders: one query reads what they hold, one `$batch` patches the others, each
   * PATCH in a change set of its own so a failure fails that order only.
   */
  async setExternalNumbers(
    entries: ReadonlyArray<{ id: string; number: string }>,
    column = DEFAULT_ERP_ORDER_NUMBER_COLUMN,
  ): Promise<Array<{ ok: true } | { ok: false; error: SyncError }>> {
    const { system } = this.settings;
    const outcomes = new Array<{ ok: true } | { ok: false; error: SyncError }>(entries.length);
    const planned: Array<{ index: number; id: string; url: string; number: string }> = [];
    for (const [index, { id, number }] of entries.entries()) {
      try {
        planned.push({
          index,
          id: id.toLowerCase(),
          url: recordUrl(system, SALES_ORDERS, id, `salesorder ${id}`),
          number,
        });
      } catch (error) {
        outcomes[index] = { ok: false, error: toSyncError(error, system) };
      }
    }
    const failAll = (error: unknown, of: typeof planned) => {
      for (const { index } of of) outcomes[index] = { ok: false, error: toSyncError(error, system) };
    };
    let held: Map<string, unknown>;
    try {
      held = await this.columnValues(
        planned.map(({ id }) => id),
        column,
      );
    } catch (error) {
      failAll(error, planned);
      return outcomes;
    }
    const changing = planned.filter(({ id, number, index }) => {
      const same = held.get(id) === number;
      if (same) outcomes[index] = { ok: true };
      return !same;
    });
    for (let start = 0; start < changing.length; start += MAX_BATCH_REQUESTS) {
      const chunk = changing.slice(start, start + MAX_BATCH_REQUESTS);
      try {
        const answers = await sendChangeSets(
          this.client,
          this.apiBase,
          chunk.map(({ url, number }) => [
            { method: 'PATCH', url, headers: { 'If-Match': '*' }, body: { [column]: number } },
          ]),
        );
        for (const [position, { index }] of chunk.entries()) {
          const answer = answers[position]!;
          outcomes[index] = answer.ok ? { ok: true } : { ok: false, error: answer.error };
        }
      } catch (error) {
        failAll(error, chunk);
      }
    }
    return outcomes;
  }

  /** One column of several sales orders, by lower-case id; orders Dataverse does not have are left out. */
  private async columnValues(ids: readonly string[], column: string): Promise<Map<string, unknown>> {
    const values = new Map<string, unknown>();
    for (const filter of anyOfFilters('salesorderid', ids)) {
      const rows = await getAllRows(
        this.client,
        SALES_ORDERS,
        { $select: `salesorderid,${column}`, $filter: filter },
        this.settings.pageSize,
      );
      for (const row of rows) values.set(String(row['salesorderid']).toLowerCase(), row[column]);
    }
    return values;
  }

  private async toRecord(row: Row, lines: readonly OrderLine[]): Promise<SystemRecord<Order>> {
    return salesOrderToRecord(row, lines, await this.currencies.of(row), this.settings);
  }

  /** The order's products (salesorderdetails); a single order read by id or number needs at least one. */
  private async linesOf(row: Row): Promise<[OrderLine, ...OrderLine[]]> {
    const id = String(row['salesorderid']);
    const order = `salesorder ${textOf(row, ORDER_NUMBER_COLUMN) ?? id}`;
    const [first, ...rest] = (await this.linesOfOrders([row])).get(id) ?? [];
    if (first === undefined) {
      const { system } = this.settings;
      throw new SyncError({
        code: 'REJECTED',
        system,
        message: `${system}: ${order} has no product lines with a product and a quantity; an order needs at least one`,
      });
    }
    return [first, ...rest];
  }

  /** The canonical lines of several orders, by order id. */
  private async linesOfOrders(rows: readonly Row[]): Promise<Map<string, OrderLine[]>> {
    const ids = rows.map((row) => String(row['salesorderid']).toLowerCase()).filter(isGuid);
    const byOrder = new Map<string, OrderLine[]>();
    for (let start = 0; start < ids.length; start += ORDERS_PER_LINE_QUERY) {
      const chunk = ids.slice(start, start + ORDERS_PER_LINE_QUERY);
      for (const line of await this.lineRows(chunk, rows)) {
        const canonical = salesOrderLineToCanonical(line);
        const orderId = textOf(line, ORDER_LINE_ORDER_COLUMN)?.toLowerCase();
        if (canonical === undefined || orderId === undefined) continue;
        byOrder.set(orderId, [...(byOrder.get(orderId) ?? []), canonical]);
      }
    }
    // Ids as the rows carry them, whatever their case.
    return new Map(
      rows.map((row) => [String(row['salesorderid']), byOrder.get(String(row['salesorderid']).toLowerCase()) ?? []]),
    );
  }

  private async lineRows(orderIds: readonly string[], rows: readonly Row[]): Promise<Row[]> {
    const { system, pageSize } = this.settings;
    try {
      return await getAllRows(this.client, ORDER_LINES, salesOrderLineQuery(orderIds), pageSize);
    } catch (error) {
      // A query of a table only answers 404 when the table itself is missing.
      if (!isSyncError(error) || error.status !== 404) throw error;
      const names = rows.map((row) => textOf(row, ORDER_NUMBER_COLUMN) ?? String(row['salesorderid']));
      const orders =
        names.length === 1
          ? `salesorder ${names[0]} cannot be read with its lines`
          : `the sales orders ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''} cannot be read with their lines`;
      throw new SyncError({
        code: 'CONFIG',
        system,
        status: 404,
        message: `${system}: this Dataverse environment has no ${ORDER_LINES} table (order products), so ${orders}`,
        details: error.details,
      });
    }
  }
}
