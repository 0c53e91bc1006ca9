/**
 * InvoicePort on a mapped invoice table or view. The ERP computes the figures (amount, remaining amount,
 * due date); the status follows from them by the same rules as for every ERP.
 */
import { invoicePaymentStatus } from '../../lib/invoice-status';
import type { InvoiceStatus } from '../../lib/model/types.generated';
import type { InvoicePort } from '../../lib/ports';
import type { SqlSession } from '../sql/database';
import type { InvoiceMapping } from './mapping';

type Row = Record<string, unknown>;

function isoDate(value: unknown): string | undefined {
  if (value instanceof Date && !Number.isNaN(value.getTime()) && value.getUTCFullYear() > 1753)
    return value.toISOString().slice(0, 10);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  return undefined;
}

function flag(value: unknown): boolean {
  return (
    value === true ||
    value === 1 ||
    (typeof value === 'string' && ['1', 'true', 'yes', 'y'].includes(value.toLowerCase()))
  );
}

export class CustomSqlInvoices implements InvoicePort {
  private readonly paths: string[];
  private readonly list: string;

  constructor(
    private readonly db: SqlSession,
    private readonly system: string,
    private readonly mapping: InvoiceMapping,
    private readonly localCurrency: string,
  ) {
    this.paths = [...mapping.columns.keys()];
    this.list = [...mapping.columns.values()].map((column, i) => `${column.quoted} AS [i${i}]`).join(', ');
  }

  byCustomer(customerNumber: string): Promise<InvoiceStatus[]> {
    return this.find('customerNumber', customerNumber);
  }

  byOrder(orderNumber: string): Promise<InvoiceStatus[]> {
    if (!this.mapping.columns.has('orderNumber')) return Promise.resolve([]);
    return this.find('orderNumber', orderNumber);
  }

  async byNumber(invoiceNumber: string): Promise<InvoiceStatus | undefined> {
    return (await this.find('invoiceNumber', invoiceNumber))[0];
  }

  private async find(
    path: 'customerNumber' | 'orderNumber' | 'invoiceNumber',
    value: string,
  ): Promise<InvoiceStatus[]> {
    const column = this.mapping.columns.get(path)!;
    const order = [this.mapping.columns.get('dueDate')!, this.mapping.columns.get('invoiceNumber')!].map(
      (c) => c.quoted,
    );
    const rows = await this.db.query<Row>(
      `SELECT ${this.list} FROM ${this.mapping.table.quoted} WHERE ${column.quoted} = @value ORDER BY ${order.join(', ')}`,
      { value },
      `reading the invoices of ${path.replace('Number', '')} ${value}`,
    );
    return rows.map((row) => this.fromRow(row));
  }

  private fromRow(row: Row): InvoiceStatus {
    const value = (path: string) => (this.paths.includes(path) ? row[`i${this.paths.indexOf(path)}`] : undefined);
    const text = (path: string) => {
      const v = value(path);
      return v === null || v === undefined ? '' : String(v);
    };
    const invoiceNumber = text('invoiceNumber');
    const customerNumber = text('customerNumber');
    const amount = Number(value('amount') ?? 0);
    const remainingAmount = Number(value('remainingAmount') ?? 0);
    const dueDate = isoDate(value('dueDate')) ?? '';
    const invoice: Record<string, unknown> = {
      invoiceNumber,
      ids: { [this.system]: invoiceNumber },
      customer: { ids: { [this.system]: customerNumber }, number: customerNumber },
      dueDate,
      currency: text('currency') || this.localCurrency,
      amount,
      remainingAmount,
      ...invoicePaymentStatus({
        amount,
        remainingAmount,
        dueDate,
        cancelled: flag(value('cancelled')),
        paid: flag(value('paid')),
      }),
    };
    const orderNumber = text('orderNumber');
    if (orderNumber !== '') invoice['order'] = { ids: { [this.system]: orderNumber }, number: orderNumber };
    if (text('externalDocumentNumber') !== '') invoice['externalDocumentNumber'] = text('externalDocumentNumber');
    const postingDate = isoDate(value('postingDate'));
    if (postingDate !== undefined) invoice['postingDate'] = postingDate;
    return invoice as unknown as InvoiceStatus;
  }
}
