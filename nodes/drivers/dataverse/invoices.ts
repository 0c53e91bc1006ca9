/**
 * InvoicePort on Dataverse invoices, the CRM's copy of what the ERP bills. Status follows the canonical
 * rules (nodes/lib/invoice-status.ts) from Dataverse's state, due date and amount due.
 */
import type { InvoiceStatus } from '../../lib/model/types.generated';
import type { InvoicePort, SystemRecord } from '../../lib/ports';
import type { HttpClient } from '../http';
import { changedSinceQuery } from '../odata';
import type { TransactionCurrencies } from './currencies';
import type { DataverseCustomers } from './customers';
import { INVOICE_NUMBER_COLUMN, ORDER_NUMBER_COLUMN, invoiceQuery, invoiceToStatus } from './mapping';
import type { DataverseSettings } from './settings';
import { equalsFilter, getAllRows, isGuid, textOf, type Row } from './web-api';

const INVOICES = 'invoices';

export class DataverseInvoices implements InvoicePort {
  constructor(
    private readonly client: HttpClient,
    private readonly settings: DataverseSettings,
    private readonly currencies: TransactionCurrencies,
    private readonly customers: DataverseCustomers,
  ) {}

  /** By the account id, or by the ERP customer number through the ERP number's alternate key. */
  async byCustomer(customerNumber: string): Promise<InvoiceStatus[]> {
    const accountId = isGuid(customerNumber) ? customerNumber : (await this.customers.getByNumber(customerNumber))?.id;
    return accountId === undefined ? [] : this.query(`_customerid_value eq ${accountId.toLowerCase()}`);
  }

  /** By the sales order id, or by its Dataverse order number. */
  async byOrder(orderNumber: string): Promise<InvoiceStatus[]> {
    const orderId = isGuid(orderNumber) ? orderNumber : await this.orderIdOf(orderNumber);
    return orderId === undefined ? [] : this.query(`_salesorderid_value eq ${orderId.toLowerCase()}`);
  }

  async byNumber(invoiceNumber: string): Promise<InvoiceStatus | undefined> {
    const [invoice] = await this.query(equalsFilter([[INVOICE_NUMBER_COLUMN, invoiceNumber]]));
    return invoice;
  }

  /** Server-driven pages of `invoices?$filter=modifiedon ge …&$orderby=modifiedon asc`. */
  async *changedSince(since: string | undefined, pageSize: number): AsyncGenerator<Array<SystemRecord<InvoiceStatus>>> {
    const pages = this.client.pages<Row>(INVOICES, {
      query: { ...changedSinceQuery('modifiedon', since, this.settings.system), ...invoiceQuery(this.settings) },
      headers: { Prefer: `odata.maxpagesize=${pageSize}` },
    });
    for await (const page of pages) yield Promise.all(page.map((row) => this.toRecord(row)));
  }

  private async toRecord(row: Row): Promise<SystemRecord<InvoiceStatus>> {
    const data = await this.toStatus(row);
    const record: SystemRecord<InvoiceStatus> = { id: String(row['invoiceid']), data };
    if (data.invoiceNumber !== '') record.number = data.invoiceNumber;
    const etag = textOf(row, '@odata.etag');
    const modifiedAt = textOf(row, 'modifiedon');
    if (etag !== undefined) record.etag = etag;
    if (modifiedAt !== undefined) record.modifiedAt = modifiedAt;
    return record;
  }

  private async toStatus(row: Row): Promise<InvoiceStatus> {
    return invoiceToStatus(row, (await this.currencies.of(row)) ?? this.settings.localCurrency, this.settings);
  }

  private async orderIdOf(orderNumber: string): Promise<string | undefined> {
    const query = { $filter: equalsFilter([[ORDER_NUMBER_COLUMN, orderNumber]]), $select: 'salesorderid' };
    const [order] = await getAllRows(this.client, 'salesorders', query, this.settings.pageSize);
    return order === undefined ? undefined : textOf(order, 'salesorderid');
  }

  private async query(filter: string): Promise<InvoiceStatus[]> {
    const { settings } = this;
    const rows = await getAllRows(
      this.client,
      INVOICES,
      { $filter: filter, ...invoiceQuery(settings) },
      settings.pageSize,
    );
    return Promise.all(rows.map((row) => this.toStatus(row)));
  }
}
