/** InvoicePort on BC `salesInvoices`: posted invoices and where their payment stands. */
import type { InvoiceStatus } from '../../lib/model/types.generated';
import type { InvoicePort } from '../../lib/ports';
import type { BcApi } from './api';
import { invoiceFromBc, isPostedInvoice } from './mapping';
import { quoteCode } from './odata';

export class BcInvoicePort implements InvoicePort {
  constructor(private readonly api: BcApi) {}

  byCustomer(customerNumber: string): Promise<InvoiceStatus[]> {
    return this.find(`customerNumber eq ${quoteCode(customerNumber)}`);
  }

  byOrder(orderNumber: string): Promise<InvoiceStatus[]> {
    return this.find(`orderNumber eq ${quoteCode(orderNumber)}`);
  }

  async byNumber(invoiceNumber: string): Promise<InvoiceStatus | undefined> {
    return (await this.find(`number eq ${quoteCode(invoiceNumber)}`))[0];
  }

  private async find(filter: string): Promise<InvoiceStatus[]> {
    const posted = (await this.api.list('salesInvoices', { filter })).filter(isPostedInvoice);
    if (posted.length === 0) return [];
    const localCurrency = await this.api.localCurrency();
    return posted.map((record) => invoiceFromBc(record, this.api.system, localCurrency));
  }
}
