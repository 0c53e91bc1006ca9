/** ISO codes of the transaction currencies that orders and invoices point to, looked up once per currency. */
import type { HttpClient } from '../http';
import { isCurrencyCode, type CurrencyCode } from './codes';
import { getRow, isGuid, textOf, type Row } from './web-api';

export class TransactionCurrencies {
  private readonly codes = new Map<string, Promise<CurrencyCode | undefined>>();

  constructor(private readonly client: HttpClient) {}

  /** The currency of a row's `transactioncurrencyid` lookup; undefined when the row has none. */
  of(row: Row): Promise<CurrencyCode | undefined> {
    const id = textOf(row, '_transactioncurrencyid_value');
    if (id === undefined || !isGuid(id)) return Promise.resolve(undefined);
    let code = this.codes.get(id);
    if (code === undefined) {
      code = this.lookUp(id);
      // A failed look-up is not remembered, so the next row asks again.
      code.catch(() => this.codes.delete(id));
      this.codes.set(id, code);
    }
    return code;
  }

  private async lookUp(id: string): Promise<CurrencyCode | undefined> {
    const row = await getRow(this.client, `transactioncurrencies(${id})`, { $select: 'isocurrencycode' });
    const code = row === undefined ? undefined : textOf(row, 'isocurrencycode')?.toUpperCase();
    return code !== undefined && isCurrencyCode(code) ? code : undefined;
  }
}
