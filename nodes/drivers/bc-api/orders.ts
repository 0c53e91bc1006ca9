/** OrderPort on BC `salesOrders` with their `salesOrderLines`. */
import { SyncError, toSyncError } from '../../lib/errors';
import type { Order } from '../../lib/model/types.generated';
import type { OrderDraft, OrderPort, SystemRecord, WriteResult } from '../../lib/ports';
import type { RequestOptions } from '../http';
import { anyOfFilters, changedSinceQuery } from '../odata';
import { answerOrRetry, type BatchOperation, type BatchOutcome, type BcApi } from './api';
import { recordError } from './errors';
import { orderDraftToBc, orderFieldName, orderFromBc, type BcRecord } from './mapping';
import { quote } from './odata';

const LINES = 'salesOrderLines';

/** A $batch whose answer was lost: BC may have created some of its orders. */
function isOutcomeUnknown(error: SyncError): boolean {
  const details = error.details as Record<string, unknown> | undefined;
  return details?.['outcomeUnknown'] === true;
}

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
      operation = await this.operationFor(draft, false);
      const options: RequestOptions<BcRecord> = { query: { $expand: LINES } };
      if (key !== '')
        options.beforeRetry = async () => answerOrRetry((await this.ordersWithExternalDocumentNumber(key))[0]);
      const { data } = await this.api.send<BcRecord>(operation, options);
      return await this.withLines(data);
    } catch (error) {
      throw this.failure(error, draft, operation);
    }
  }

  /**
   * Deep inserts as JSON $batch requests of up to 100 orders, each with its own result. When the answer
   * of a batch is lost, each of its orders is looked up by its external document number: found, it was
   * created; not found, it fails and may be sent again, which the caller does only after looking it up.
   */
  async createBatch(drafts: OrderDraft[]): Promise<Array<WriteResult<Order>>> {
    const results: Array<WriteResult<Order> | undefined> = drafts.map(() => undefined);
    const sent: Array<{ position: number; draft: OrderDraft; operation: BatchOperation }> = [];
    for (const [position, draft] of drafts.entries()) {
      try {
        sent.push({ position, draft, operation: await this.operationFor(draft, true) });
      } catch (error) {
        results[position] = { ok: false, error: this.failure(error, draft) };
      }
    }
    const outcomes = await this.api.batch(sent.map(({ operation }) => operation));
    const lost = await this.lookUpLost(
      outcomes.flatMap((outcome, index) => (outcome.ok ? [] : [{ error: outcome.error, draft: sent[index]!.draft }])),
    );
    await Promise.all(
      outcomes.map(async (outcome, index) => {
        const { position, draft, operation } = sent[index]!;
        results[position] = await this.resultOf(outcome, draft, operation, lost);
      }),
    );
    return results.map((result) => result!);
  }

  async getById(id: string): Promise<SystemRecord<Order> | undefined> {
    const record = await this.api.getById('salesOrders', id, LINES);
    return record === undefined ? undefined : orderFromBc(record, this.api.system);
  }

  async findByExternalDocumentNumber(externalDocumentNumber: string): Promise<SystemRecord<Order> | undefined> {
    const [record] = await this.ordersWithExternalDocumentNumber(externalDocumentNumber);
    return record === undefined ? undefined : orderFromBc(record, this.api.system);
  }

  /** `externalDocumentNumber eq 'A' or externalDocumentNumber eq 'B' …`, split where the URL would grow too long. */
  async findAnyByExternalDocumentNumber(
    externalDocumentNumbers: readonly string[],
  ): Promise<Array<SystemRecord<Order>>> {
    const literals = externalDocumentNumbers.filter((key) => key !== '').map(quote);
    const records: BcRecord[] = [];
    for (const filter of anyOfFilters('externalDocumentNumber', literals))
      records.push(...(await this.api.list('salesOrders', { filter, expand: LINES })));
    return records.map((record) => orderFromBc(record, this.api.system));
  }

  /**
   * Server-driven pages of `salesOrders?$filter=lastModifiedDateTime ge …&$orderby=lastModifiedDateTime asc`
   * with their lines. The time is the order header's: BC stamps it when the order itself changes.
   */
  async *changedSince(since: string | undefined, pageSize: number): AsyncGenerator<Array<SystemRecord<Order>>> {
    const pages = this.api.client.pages<BcRecord>(`${this.api.root}/${await this.api.resource('salesOrders')}`, {
      query: { ...changedSinceQuery('lastModifiedDateTime', since, this.api.system), $expand: LINES },
      headers: { Prefer: `odata.maxpagesize=${pageSize}` },
    });
    for await (const page of pages) yield page.map((record) => orderFromBc(record, this.api.system));
  }

  /** The POST of a deep insert; in a batch the `$expand` travels in the operation's URL. */
  private async operationFor(draft: OrderDraft, inBatch: boolean): Promise<BatchOperation> {
    const localCurrency = draft.currency === undefined ? undefined : await this.api.localCurrency();
    const path = await this.api.resource('salesOrders');
    return {
      method: 'POST',
      path: inBatch ? `${path}?$expand=${LINES}` : path,
      body: orderDraftToBc(draft, localCurrency),
    };
  }

  /**
   * The orders of the drafts whose answer was lost, looked up together by external document number (upper
   * case); undefined when there are none. A failed look-up fails each of those drafts with its error.
   */
  private async lookUpLost(
    failed: ReadonlyArray<{ error: SyncError; draft: OrderDraft }>,
  ): Promise<Map<string, SystemRecord<Order>> | SyncError | undefined> {
    const keys = failed
      .filter(({ error, draft }) => isOutcomeUnknown(error) && draft.externalDocumentNumber !== '')
      .map(({ draft }) => draft.externalDocumentNumber);
    if (keys.length === 0) return undefined;
    try {
      const found = new Map<string, SystemRecord<Order>>();
      for (const record of await this.findAnyByExternalDocumentNumber(keys)) {
        const key = record.data.externalDocumentNumber?.toUpperCase();
        if (key !== undefined && !found.has(key)) found.set(key, record);
      }
      return found;
    } catch (error) {
      return toSyncError(error, this.api.system);
    }
  }

  private async resultOf(
    outcome: BatchOutcome,
    draft: OrderDraft,
    operation: BatchOperation,
    foundByKey: Map<string, SystemRecord<Order>> | SyncError | undefined,
  ): Promise<WriteResult<Order>> {
    try {
      if (outcome.ok) return { ok: true, record: await this.withLines(outcome.body), created: true };
      const key = draft.externalDocumentNumber;
      if (!isOutcomeUnknown(outcome.error) || key === '' || foundByKey === undefined) {
        return { ok: false, error: this.failure(outcome.error, draft, operation) };
      }
      if (foundByKey instanceof SyncError) throw foundByKey;
      const existing = foundByKey.get(key.toUpperCase());
      if (existing !== undefined) return { ok: true, record: existing, created: true };
      const lost = outcome.error;
      const notCreated = new SyncError({
        ...lost.toInfo(),
        retryable: true,
        message: `${lost.message}; Business Central has no order with the external document number ${key}, so it can be sent again`,
        cause: lost,
      });
      return { ok: false, error: this.failure(notCreated, draft, operation) };
    } catch (error) {
      return { ok: false, error: this.failure(toSyncError(error, this.api.system), draft, operation) };
    }
  }

  /** The lines come back when the server honours $expand on POST; otherwise they are read. */
  private async withLines(data: BcRecord): Promise<SystemRecord<Order>> {
    const created = Array.isArray(data[LINES])
      ? data
      : await this.api.getById('salesOrders', String(data['id']), LINES);
    return orderFromBc(created ?? data, this.api.system);
  }

  private failure(error: unknown, draft: OrderDraft, operation?: BatchOperation): SyncError {
    const key = draft.externalDocumentNumber;
    const sent = operation && { body: operation.body, fieldName: orderFieldName };
    return recordError(error, this.api.system, `order ${key || `for customer ${draft.customerNumber}`}`, sent);
  }

  private ordersWithExternalDocumentNumber(externalDocumentNumber: string): Promise<BcRecord[]> {
    return this.api.list('salesOrders', {
      filter: `externalDocumentNumber eq ${quote(externalDocumentNumber)}`,
      expand: LINES,
    });
  }
}
