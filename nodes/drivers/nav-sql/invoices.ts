/**
 * InvoicePort on NAV / Business Central posted sales invoices, with what is still owed computed from the
 * detailed customer ledger as NAV's own FlowFields do (see statements.ts).
 */
import type { InvoiceStatus } from '../../lib/model/types.generated';
import type { InvoicePort } from '../../lib/ports';
import type { NavContext } from './context';
import { invoiceFromNav, type Row } from './mapping';
import { invoicesStatement, type InvoiceFilter } from './statements';

export class NavInvoicePort implements InvoicePort {
  constructor(private readonly ctx: NavContext) {}

  byCustomer(customerNumber: string): Promise<InvoiceStatus[]> {
    return this.find('customer', { customer: customerNumber.toUpperCase() }, `customer ${customerNumber}`);
  }

  /** By the order's number, or by the external document number the order was created with (its link key). */
  byOrder(orderNumber: string): Promise<InvoiceStatus[]> {
    return this.find('order', { order: orderNumber.toUpperCase() }, `order ${orderNumber}`);
  }

  async byNumber(invoiceNumber: string): Promise<InvoiceStatus | undefined> {
    return (await this.find('number', { invoice: invoiceNumber.toUpperCase() }, `invoice ${invoiceNumber}`))[0];
  }

  private async find(filter: InvoiceFilter, params: Record<string, string>, of: string): Promise<InvoiceStatus[]> {
    const statement = invoicesStatement(await this.ctx.schema(), filter, this.ctx.system);
    const rows = await this.ctx.db.query<Row>(statement, params, `reading the invoices of ${of}`);
    if (rows.length === 0) return [];
    const localCurrency = await this.ctx.localCurrency();
    return rows.map((row) => invoiceFromNav(row, this.ctx.system, localCurrency));
  }
}
