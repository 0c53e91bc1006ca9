/** InvoicePort on BC `salesInvoices`: posted invoices and where their payment stands. */
import type { InvoiceStatus } from '../../lib/model/types.generated';
import type { InvoicePort, SystemRecord } from '../../lib/ports';
import { changedSinceQuery } from '../odata';
import type { BcApi } from './api';
import { invoiceFromBc, isPostedInvoice, type BcRecord } from './mapping';
import { quoteCode } from './odata';

function textOf(record: BcRecord, field: string): string | undefined {
  const value = record[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

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

  /**
   * Server-driven pages of `salesInvoices?$filter=lastModifiedDateTime ge …&$orderby=lastModifiedDateTime asc`.
   * Unposted invoices (drafts) are documents in progress and are left out, as in every other read here;
   * a draft is read once it is posted, because posting changes it.
   */
  async *changedSince(since: string | undefined, pageSize: number): AsyncGenerator<Array<SystemRecord<InvoiceStatus>>> {
    const pages = this.api.client.pages<BcRecord>(`${this.api.root}/${await this.api.resource('salesInvoices')}`, {
      query: changedSinceQuery('lastModifiedDateTime', since, this.api.system),
      headers: { Prefer: `odata.maxpagesize=${pageSize}` },
    });
    for await (const page of pages) {
      const posted = page.filter(isPostedInvoice);
      const localCurrency = posted.length === 0 ? '' : await this.api.localCurrency();
      yield posted.map((record) => this.toRecord(record, localCurrency));
    }
  }

  private toRecord(record: BcRecord, localCurrency: string): SystemRecord<InvoiceStatus> {
    const data = invoiceFromBc(record, this.api.system, localCurrency);
    const result: SystemRecord<InvoiceStatus> = { id: String(record['id']), number: data.invoiceNumber, data };
    const etag = textOf(record, '@odata.etag');
    const modifiedAt = textOf(record, 'lastModifiedDateTime');
    if (etag !== undefined) result.etag = etag;
    if (modifiedAt !== undefined) result.modifiedAt = modifiedAt;
    return result;
  }

  private async find(filter: string): Promise<InvoiceStatus[]> {
    const posted = (await this.api.list('salesInvoices', { filter })).filter(isPostedInvoice);
    if (posted.length === 0) return [];
    const localCurrency = await this.api.localCurrency();
    return posted.map((record) => invoiceFromBc(record, this.api.system, localCurrency));
  }
}
