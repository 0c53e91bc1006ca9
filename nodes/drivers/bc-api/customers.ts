/** CustomerPort on the BC `customers` entity set. */
import { SyncError } from '../../lib/errors';
import type { Customer } from '../../lib/model/types.generated';
import type { CustomerPort, CustomerWrite, NaturalKey, SystemRecord, WriteResult } from '../../lib/ports';
import type { RequestOptions } from '../http';
import { anyOfFilters, changedSinceQuery } from '../odata';
import { answerOrRetry, type BatchOperation, type BcApi } from './api';
import { recordError } from './errors';
import { customerFieldName, customerFromBc, customerToBc, type BcRecord, type CustomerMapping } from './mapping';
import { quote, quoteCode } from './odata';

/**
 * BC has no `or` across fields, so each natural key is one `and` filter; undefined when the customer
 * lacks the key's values.
 */
function naturalKeyFilter(key: NaturalKey, customer: Customer): string | undefined {
  switch (key) {
    case 'taxId':
      return customer.taxId ? `taxRegistrationNumber eq ${quote(customer.taxId)}` : undefined;
    case 'email':
      return customer.email ? `email eq ${quote(customer.email)}` : undefined;
    case 'namePostCode': {
      const postCode = customer.address?.postCode;
      return customer.name && postCode
        ? `displayName eq ${quote(customer.name)} and postalCode eq ${quoteCode(postCode)}`
        : undefined;
    }
  }
}

/** The one field behind a natural key, where there is one: only those can be looked up for many customers at once. */
const SINGLE_FIELD_KEYS: Partial<Record<NaturalKey, { field: string; value: (customer: Customer) => unknown }>> = {
  email: { field: 'email', value: (customer) => customer.email },
  taxId: { field: 'taxRegistrationNumber', value: (customer) => customer.taxId },
};

/** The record a write is about, for messages: its number when known, else its name or id. */
function subjectOf(write: CustomerWrite, system: string): string {
  switch (write.op) {
    case 'create':
      return `customer ${write.customer.ids[system] ?? JSON.stringify(write.customer.name)}`;
    case 'update':
      return `customer ${write.changes.ids?.[system] ?? write.id}`;
    case 'upsertByNumber':
      return `customer ${write.number}`;
  }
}

export class BcCustomerPort implements CustomerPort {
  private readonly system: string;

  constructor(
    private readonly api: BcApi,
    private readonly customFields: Readonly<Record<string, string>>,
  ) {
    this.system = api.system;
  }

  async getById(id: string): Promise<SystemRecord<Customer> | undefined> {
    const record = await this.api.getById('customers', id);
    return record === undefined ? undefined : this.fromBc(record);
  }

  async getByNumber(number: string): Promise<SystemRecord<Customer> | undefined> {
    const [record] = await this.findByNumber(number);
    return record === undefined ? undefined : this.fromBc(record);
  }

  async findByNaturalKey(key: NaturalKey, customer: Customer): Promise<Array<SystemRecord<Customer>>> {
    const filter = naturalKeyFilter(key, customer);
    const records = filter === undefined ? [] : await this.api.list('customers', { filter });
    return Promise.all(records.map((record) => this.fromBc(record)));
  }

  async findAnyByNaturalKey(
    key: NaturalKey,
    customers: readonly Customer[],
  ): Promise<Array<SystemRecord<Customer>> | undefined> {
    const single = SINGLE_FIELD_KEYS[key];
    if (single === undefined) return undefined;
    const literals = customers.flatMap((customer) => {
      const value = single.value(customer);
      return typeof value === 'string' && value !== '' ? [quote(value)] : [];
    });
    const records: BcRecord[] = [];
    for (const filter of anyOfFilters(single.field, literals))
      records.push(...(await this.api.list('customers', { filter })));
    return Promise.all(records.map((record) => this.fromBc(record)));
  }

  /** Server-driven pages of `customers?$filter=lastModifiedDateTime gt …&$orderby=lastModifiedDateTime asc`. */
  async *changedSince(since: string | undefined, pageSize: number): AsyncGenerator<Array<SystemRecord<Customer>>> {
    const pages = this.api.client.pages<BcRecord>(`${this.api.root}/${await this.api.resource('customers')}`, {
      query: changedSinceQuery('lastModifiedDateTime', since, this.system),
      headers: { Prefer: `odata.maxpagesize=${pageSize}` },
    });
    for await (const page of pages) yield await Promise.all(page.map((record) => this.fromBc(record)));
  }

  create(customer: Customer): Promise<SystemRecord<Customer>> {
    return this.writeOne({ op: 'create', customer });
  }

  update(id: string, changes: Partial<Customer>, etag?: string): Promise<SystemRecord<Customer>> {
    return this.writeOne(etag === undefined ? { op: 'update', id, changes } : { op: 'update', id, changes, etag });
  }

  /** Creates and updates as JSON $batch requests; every write gets its own result, in order. */
  async writeBatch(writes: CustomerWrite[]): Promise<Array<WriteResult<Customer>>> {
    const results: Array<WriteResult<Customer> | undefined> = writes.map(() => undefined);
    const sent: Array<{ position: number; write: CustomerWrite; operation: BatchOperation }> = [];
    for (const [position, write] of writes.entries()) {
      try {
        sent.push({ position, write, operation: await this.operationFor(write) });
      } catch (error) {
        results[position] = { ok: false, error: this.failure(error, write) };
      }
    }
    const outcomes = await this.api.batch(sent.map(({ operation }) => operation));
    for (const [index, outcome] of outcomes.entries()) {
      const { position, write, operation } = sent[index]!;
      results[position] = outcome.ok
        ? { ok: true, record: await this.fromBc(outcome.body), created: outcome.status === 201 }
        : { ok: false, error: this.failure(outcome.error, write, operation) };
    }
    return results.map((result) => result!);
  }

  private async writeOne(write: CustomerWrite): Promise<SystemRecord<Customer>> {
    let operation: BatchOperation | undefined;
    try {
      operation = await this.operationFor(write);
      const response = await this.api.send<BcRecord>(operation, this.retryGuard(write));
      return await this.fromBc(response.data);
    } catch (error) {
      throw this.failure(error, write, operation);
    }
  }

  private async operationFor(write: CustomerWrite): Promise<BatchOperation> {
    switch (write.op) {
      case 'create': {
        const number = write.customer.ids[this.system];
        const body = customerToBc(write.customer, await this.mapping(write.customer));
        return {
          method: 'POST',
          path: await this.api.resource('customers'),
          body: number ? { number, ...body } : body,
        };
      }
      case 'update':
        // PATCH needs If-Match: the caller's ETag guards against lost updates; `*` writes regardless.
        return {
          method: 'PATCH',
          path: await this.api.record('customers', write.id),
          body: customerToBc(write.changes, await this.mapping(write.changes)),
          headers: { 'If-Match': write.etag ?? '*' },
        };
      case 'upsertByNumber':
        throw new SyncError({
          code: 'CONFIG',
          system: this.system,
          message:
            `${this.system}: Business Central has no upsert by number (capabilities.customers.upsertByNumber is false); ` +
            `look the customer up by number, then create or update it`,
        });
    }
  }

  /**
   * A create whose answer was lost is sent again only after looking its number up: if the customer
   * exists now, that is the answer. Without a number nothing identifies it, so it is not sent again.
   */
  private retryGuard(write: CustomerWrite): RequestOptions<BcRecord> {
    const number = write.op === 'create' ? write.customer.ids[this.system] : undefined;
    if (!number) return {};
    return { beforeRetry: async () => answerOrRetry((await this.findByNumber(number))[0]) };
  }

  private failure(error: unknown, write: CustomerWrite, operation?: BatchOperation): SyncError {
    const sent = operation && {
      body: operation.body,
      fieldName: (bcPath: string) => customerFieldName(bcPath, this.customFields),
    };
    return recordError(error, this.system, subjectOf(write, this.system), sent);
  }

  private findByNumber(number: string): Promise<BcRecord[]> {
    return this.api.list('customers', { filter: `number eq ${quoteCode(number)}` });
  }

  /** The local currency is looked up only when a write carries a currency. */
  private async mapping(changes?: Partial<Customer>): Promise<CustomerMapping> {
    const mapping: CustomerMapping = {
      system: this.system,
      customFields: this.customFields,
      paymentTerms: await this.api.paymentTerms(),
    };
    if (changes?.currency !== undefined) mapping.localCurrency = await this.api.localCurrency();
    return mapping;
  }

  private async fromBc(record: BcRecord): Promise<SystemRecord<Customer>> {
    return customerFromBc(record, await this.mapping());
  }
}
