/**
 * OrderPort for NAV / Business Central: sales orders are created through the sales_order_inbound
 * staging tables and read from the Sales Header and Sales Line tables. An order's id is its external
 * document number, the idempotency key it was staged with and kept under in NAV: a link made while the
 * order waits for the ERP job still holds once the order has its number.
 */
import { SyncError } from '../../lib/errors';
import type { Order } from '../../lib/model/types.generated';
import type { OrderDraft, OrderPort, SystemRecord } from '../../lib/ports';
import type { NavContext } from './context';
import { lineFromNav, navDate, orderFromNav, text, type Row } from './mapping';
import type { StagingStatus } from './staging';
import { salesOrderLinesStatement, salesOrderStatement } from './statements';

export class NavOrderPort implements OrderPort {
  private readonly system: string;

  constructor(private readonly ctx: NavContext) {
    this.system = ctx.system;
  }

  /**
   * Stages the order with its lines in one transaction, once per external document number. Answers the
   * order as staged (status `submitted`, no number yet), or the NAV order once the ERP job made it.
   */
  async create(draft: OrderDraft): Promise<SystemRecord<Order>> {
    const key = draft.externalDocumentNumber.trim().toUpperCase();
    const subject = `order ${key || `for customer ${draft.customerNumber}`}`;
    if (key === '') {
      throw new SyncError({
        code: 'VALIDATION',
        system: this.system,
        message: `${this.system}: ${subject} has no external document number; staging needs it as the order's idempotency key`,
      });
    }
    const localCurrency = await this.ctx.localCurrency();
    const currency =
      draft.currency === undefined || draft.currency.toUpperCase() === localCurrency ? '' : draft.currency;
    const status = await this.ctx.staging.stageOrder(
      {
        key,
        externalDocumentNumber: key,
        customerNumber: draft.customerNumber,
        orderDate: draft.orderDate,
        ...(draft.requestedDeliveryDate !== undefined ? { requestedDeliveryDate: draft.requestedDeliveryDate } : {}),
        currency,
        useSourcePrices: draft.useSourcePrices,
        sourceSystem: '',
        sourceId: '',
        lines: draft.lines.map((line) => ({
          itemNumber: line.itemNumber,
          quantity: line.quantity,
          ...(line.description !== undefined ? { description: line.description } : {}),
          ...(line.unitOfMeasure !== undefined ? { unitOfMeasure: line.unitOfMeasure } : {}),
          ...(draft.useSourcePrices && line.unitPrice !== undefined ? { unitPrice: line.unitPrice } : {}),
          ...(line.discountPercent !== undefined ? { discountPercent: line.discountPercent } : {}),
          ...(draft.useSourcePrices && line.discountAmount !== undefined
            ? { discountAmount: line.discountAmount }
            : {}),
        })),
      },
      subject,
    );
    if (status.status === 'done' && status.erpNumber !== '') {
      const made = await this.navOrder('number', status.erpNumber, key);
      if (made) return made;
    }
    const staged = await this.stagedOrder(key);
    if (staged) return staged.record;
    throw new SyncError({
      code: 'TRANSIENT',
      system: this.system,
      message: `${this.system}: ${subject} was staged as entry ${status.entryNo} but cannot be read back`,
    });
  }

  /**
   * The order linked under `id` (its external document number): the NAV order once the ERP job made it,
   * the staged order while it waits. An order the ERP job refused is REJECTED with the job's message;
   * unlink it to send it again. Undefined when the NAV order was posted or deleted.
   */
  async getById(id: string): Promise<SystemRecord<Order> | undefined> {
    const staged = await this.stagedOrder(id);
    if (staged?.status.status === 'error') {
      throw new SyncError({
        code: 'REJECTED',
        system: this.system,
        message:
          `${this.system}: the ERP job refused order ${id} (staging entry ${staged.status.entryNo}): ${staged.status.message || 'no reason given'}; ` +
          'fix the cause and unlink the order to send it again',
        details: { staging: staged.status },
      });
    }
    return this.resolve(id, staged);
  }

  /** The order staged or kept in NAV under this external document number; one the ERP job refused counts as none, so it can be staged again. */
  async findByExternalDocumentNumber(externalDocumentNumber: string): Promise<SystemRecord<Order> | undefined> {
    const key = externalDocumentNumber.trim().toUpperCase();
    const staged = await this.stagedOrder(key);
    if (staged?.status.status === 'error') return undefined;
    return this.resolve(key, staged);
  }

  /** The staged order of a key: status and the number the ERP job gave. */
  async readBack(keys: readonly string[]): Promise<StagingStatus[]> {
    return this.ctx.staging.readBack('order', keys);
  }

  private async resolve(
    key: string,
    staged: { status: StagingStatus; record: SystemRecord<Order> } | undefined,
  ): Promise<SystemRecord<Order> | undefined> {
    if (staged?.status.status === 'done') {
      return staged.status.erpNumber === '' ? undefined : this.navOrder('number', staged.status.erpNumber, key);
    }
    if (staged) return staged.record;
    return this.navOrder('externalDocumentNumber', key, key);
  }

  private async navOrder(by: 'number' | 'externalDocumentNumber', value: string, key: string) {
    const schema = await this.ctx.schema();
    const [header] = await this.ctx.db.query<Row>(
      salesOrderStatement(schema, by, this.system),
      by === 'number' ? { number: value.toUpperCase() } : { key: value },
      `reading sales order ${value}`,
    );
    if (header === undefined) return undefined;
    const lines = await this.ctx.db.query<Row>(
      salesOrderLinesStatement(schema, this.system),
      { number: text(header, 'number') },
      `reading the lines of sales order ${text(header, 'number')}`,
    );
    return orderFromNav(header, lines, this.system, key);
  }

  private async stagedOrder(key: string): Promise<{ status: StagingStatus; record: SystemRecord<Order> } | undefined> {
    const staged = await this.ctx.staging.readOrder(key);
    if (!staged) return undefined;
    const { header, lines, status } = staged;
    const customerNumber = text(header, 'customerNumber');
    const order: Record<string, unknown> = {
      sourceId: key,
      externalDocumentNumber: text(header, 'externalDocumentNumber') || key,
      customer: { ids: { [this.system]: customerNumber }, number: customerNumber },
      orderDate: navDate(header['orderDate']) ?? '',
      status: 'submitted',
      lines: lines.map(lineFromNav),
    };
    if (status.erpNumber !== '') order['number'] = status.erpNumber;
    const requested = navDate(header['requestedDeliveryDate']);
    if (requested !== undefined) order['requestedDeliveryDate'] = requested;
    if (text(header, 'currency') !== '') order['currency'] = text(header, 'currency');
    return { status, record: { id: key, data: order as unknown as Order } };
  }
}
