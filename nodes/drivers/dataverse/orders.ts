/**
 * OrderPort on Dataverse sales orders: the CRM's read side. Orders are created in the ERP, so `create` is
 * refused; an order is found by its own `ordernumber`, which the ERP keeps as the external document number.
 * The one write is the ERP order number, kept on the sales order once the ERP has the order.
 */
import { SyncError, isSyncError } from '../../lib/errors';
import type { Order, OrderLine } from '../../lib/model/types.generated';
import type { OrderPort, SystemRecord } from '../../lib/ports';
import type { HttpClient } from '../http';
import type { TransactionCurrencies } from './currencies';
import {
  ORDER_NUMBER_COLUMN,
  salesOrderLineQuery,
  salesOrderLineToCanonical,
  salesOrderQuery,
  salesOrderToRecord,
} from './mapping';
import type { DataverseSettings } from './settings';
import { equalsFilter, getAllRows, getRow, recordUrl, textOf, type Row } from './web-api';

const SALES_ORDERS = 'salesorders';
const ORDER_LINES = 'salesorderdetails';
/** The text column that keeps the ERP order number on a sales order, unless the caller names another. */
export const DEFAULT_ERP_ORDER_NUMBER_COLUMN = 'new_erpordernumber';

export class DataverseOrders implements OrderPort {
  constructor(
    private readonly client: HttpClient,
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
    return row === undefined ? undefined : this.toRecord(row);
  }

  /** By the Dataverse order number (`ordernumber`), e.g. ORD-01001-F4K2P8. */
  async findByExternalDocumentNumber(externalDocumentNumber: string): Promise<SystemRecord<Order> | undefined> {
    const [row] = await getAllRows(
      this.client,
      SALES_ORDERS,
      { $filter: equalsFilter([[ORDER_NUMBER_COLUMN, externalDocumentNumber]]), ...salesOrderQuery(this.settings) },
      this.settings.pageSize,
    );
    return row === undefined ? undefined : this.toRecord(row);
  }

  /** Writes the ERP order number onto the sales order; If-Match `*` makes the PATCH update only, never create. */
  async setExternalNumber(id: string, number: string, column = DEFAULT_ERP_ORDER_NUMBER_COLUMN): Promise<void> {
    const url = recordUrl(this.settings.system, SALES_ORDERS, id, `salesorder ${id}`);
    await this.client.patch(url, { [column]: number }, { headers: { 'If-Match': '*' } });
  }

  private async toRecord(row: Row): Promise<SystemRecord<Order>> {
    const [lines, currency] = await Promise.all([this.linesOf(row), this.currencies.of(row)]);
    return salesOrderToRecord(row, lines, currency, this.settings);
  }

  /** The order's products (salesorderdetails); a canonical order needs at least one. */
  private async linesOf(row: Row): Promise<[OrderLine, ...OrderLine[]]> {
    const { system, pageSize } = this.settings;
    const id = String(row['salesorderid']);
    const order = `salesorder ${textOf(row, ORDER_NUMBER_COLUMN) ?? id}`;
    let rows: Row[];
    try {
      rows = await getAllRows(this.client, ORDER_LINES, salesOrderLineQuery(id), pageSize);
    } catch (error) {
      // A query of a table only answers 404 when the table itself is missing.
      if (!isSyncError(error) || error.status !== 404) throw error;
      throw new SyncError({
        code: 'CONFIG',
        system,
        status: 404,
        message: `${system}: this Dataverse environment has no ${ORDER_LINES} table (order products), so ${order} cannot be read with its lines`,
        details: error.details,
      });
    }
    const [first, ...rest] = rows.flatMap((line) => salesOrderLineToCanonical(line) ?? []);
    if (first === undefined) {
      throw new SyncError({
        code: 'REJECTED',
        system,
        message: `${system}: ${order} has no product lines with a product and a quantity; an order needs at least one`,
      });
    }
    return [first, ...rest];
  }
}
