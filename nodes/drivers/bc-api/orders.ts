/** OrderPort on BC `salesOrders` with their `salesOrderLines`. */
import type { Order } from '../../lib/model/types.generated';
import type { OrderDraft, OrderPort, SystemRecord } from '../../lib/ports';
import type { RequestOptions } from '../http';
import { answerOrRetry, type BatchOperation, type BcApi } from './api';
import { recordError } from './errors';
import { orderDraftToBc, orderFieldName, orderFromBc, type BcRecord } from './mapping';
import { quote } from './odata';

const LINES = 'salesOrderLines';

export class BcOrderPort implements OrderPort {
  constructor(private readonly api: BcApi) {}

  /**
   * One deep insert of header and lines. The external document number is the draft's idempotency key:
   * before a POST whose answer was lost is sent again, the order is looked up by it.
   */
  async create(draft: OrderDraft): Promise<SystemRecord<Order>> {
    const key = draft.externalDocumentNumber;
    let operation: BatchOperation | undefined;
    try {
      const localCurrency = draft.currency === undefined ? undefined : await this.api.localCurrency();
      const body = orderDraftToBc(draft, localCurrency);
      operation = { method: 'POST', path: await this.api.resource('salesOrders'), body };
      const options: RequestOptions<BcRecord> = { query: { $expand: LINES } };
      if (key !== '')
        options.beforeRetry = async () => answerOrRetry((await this.ordersWithExternalDocumentNumber(key))[0]);
      const { data } = await this.api.send<BcRecord>(operation, options);
      // The lines come back when the server honours $expand on POST; otherwise read them.
      const created = Array.isArray(data[LINES])
        ? data
        : await this.api.getById('salesOrders', String(data['id']), LINES);
      return orderFromBc(created ?? data, this.api.system);
    } catch (error) {
      const sent = operation && { body: operation.body, fieldName: orderFieldName };
      throw recordError(error, this.api.system, `order ${key || `for customer ${draft.customerNumber}`}`, sent);
    }
  }

  async getById(id: string): Promise<SystemRecord<Order> | undefined> {
    const record = await this.api.getById('salesOrders', id, LINES);
    return record === undefined ? undefined : orderFromBc(record, this.api.system);
  }

  async findByExternalDocumentNumber(externalDocumentNumber: string): Promise<SystemRecord<Order> | undefined> {
    const [record] = await this.ordersWithExternalDocumentNumber(externalDocumentNumber);
    return record === undefined ? undefined : orderFromBc(record, this.api.system);
  }

  private ordersWithExternalDocumentNumber(externalDocumentNumber: string): Promise<BcRecord[]> {
    return this.api.list('salesOrders', {
      filter: `externalDocumentNumber eq ${quote(externalDocumentNumber)}`,
      expand: LINES,
    });
  }
}
