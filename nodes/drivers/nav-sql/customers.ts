/**
 * CustomerPort on the NAV / Business Central Customer table: reads go to the table, writes through the
 * customer_inbound staging table (see staging.ts). A customer's id is its number (`No.`); its ETag and
 * its position in the change feed are its rowversion.
 */
import { createHash, randomUUID } from 'node:crypto';
import { SyncError } from '../../lib/errors';
import type { Customer } from '../../lib/model/types.generated';
import type { CustomerPort, NaturalKey, SystemRecord } from '../../lib/ports';
import { rowversion, rowversionBytes, rowversionHex } from '../sql/values';
import type { NavContext } from './context';
import { BLOCKED_TO_NAV, customerFromNav, type Row } from './mapping';
import type { StagingStatus } from './staging';
import {
  customerByNumberStatement,
  customersByNaturalKeyStatement,
  customersChangedStatement,
  customerVersionStatement,
} from './statements';

const POLL_MS = 500;
const KEY_LENGTH = 100;

/** Canonical customer fields flattened to the paths the staging table knows. */
export function customerValues(changes: Partial<Customer>, localCurrency: string): Map<string, string | number> {
  const values = new Map<string, string | number>();
  const put = (path: string, value: string | number | undefined) => {
    if (value !== undefined) values.set(path, value);
  };
  put('name', changes.name);
  for (const [field, value] of Object.entries(changes.address ?? {})) put(`address.${field}`, value);
  put('taxId', changes.taxId);
  put('email', changes.email);
  put('phone', changes.phone);
  put('website', changes.website);
  // NAV keeps the local currency as a blank code.
  if (changes.currency !== undefined)
    put('currency', changes.currency.toUpperCase() === localCurrency ? '' : changes.currency);
  put('paymentTerms', changes.paymentTerms);
  put('creditLimit', changes.creditLimit);
  if (changes.blocked !== undefined) put('blocked', BLOCKED_TO_NAV[changes.blocked]);
  return values;
}

/**
 * The idempotency key of a customer create: the ids it carries from other systems, so the same CRM
 * account always maps to the same staged row. Long keys become a digest.
 */
export function customerCreateKey(
  customer: Customer,
  system: string,
): { key: string; sourceSystem: string; sourceId: string } {
  const others = Object.entries(customer.ids)
    .filter(([name]) => name !== system)
    .sort(([a], [b]) => a.localeCompare(b));
  const [first] = others;
  if (first === undefined) {
    throw new SyncError({
      code: 'VALIDATION',
      system,
      message: `customer ${JSON.stringify(customer.name)} carries no id of another system; staging needs one as its idempotency key`,
    });
  }
  const plain = others.map(([name, id]) => `${name}:${id}`).join('|');
  const key = plain.length <= KEY_LENGTH ? plain : `sha256:${createHash('sha256').update(plain).digest('hex')}`;
  return { key, sourceSystem: first[0], sourceId: first[1] };
}

/** Applies staged changes to the record as read, for the answer of an update. */
function overlay(record: SystemRecord<Customer>, changes: Partial<Customer>): SystemRecord<Customer> {
  const data: Customer = { ...record.data, ...changes, ids: { ...record.data.ids, ...changes.ids } };
  if (changes.address) data.address = { ...record.data.address, ...changes.address };
  if (changes.custom) data.custom = { ...record.data.custom, ...changes.custom };
  return { ...record, data };
}

export class NavCustomerPort implements CustomerPort {
  private readonly system: string;

  constructor(
    private readonly ctx: NavContext,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.system = ctx.system;
  }

  getById(id: string): Promise<SystemRecord<Customer> | undefined> {
    return this.getByNumber(id);
  }

  async getByNumber(number: string): Promise<SystemRecord<Customer> | undefined> {
    const statement = customerByNumberStatement(await this.ctx.schema(), this.ctx.settings.customFields, this.system);
    const [row] = await this.ctx.db.query<Row>(
      statement,
      { number: number.toUpperCase() },
      `reading customer ${number}`,
    );
    return row === undefined ? undefined : this.fromNav(row);
  }

  async findByNaturalKey(key: NaturalKey, customer: Customer): Promise<Array<SystemRecord<Customer>>> {
    const params =
      key === 'taxId'
        ? customer.taxId && { taxId: customer.taxId }
        : key === 'email'
          ? customer.email && { email: customer.email }
          : customer.address?.postCode && { name: customer.name, postCode: customer.address.postCode.toUpperCase() };
    if (!params) return [];
    const statement = customersByNaturalKeyStatement(
      await this.ctx.schema(),
      key,
      this.ctx.settings.customFields,
      this.system,
    );
    const rows = await this.ctx.db.query<Row>(statement, params, `looking customers up by ${key}`);
    return rows.map((row) => this.fromNav(row));
  }

  /**
   * Pages of customers in rowversion order after the watermark `since` (`0x` and 16 hex digits, the
   * last record's `modifiedAt`). Keyset paging: each page starts after the previous page's last row.
   */
  async *changedSince(since: string | undefined, pageSize: number): AsyncGenerator<Array<SystemRecord<Customer>>> {
    let position = since === undefined ? undefined : this.watermark(since);
    const schema = await this.ctx.schema();
    while (true) {
      const statement = customersChangedStatement(
        schema,
        this.ctx.settings.customFields,
        this.system,
        position !== undefined,
      );
      const rows = await this.ctx.db.query<Row>(
        statement,
        { pageSize, ...(position !== undefined ? { since: rowversion(position) } : {}) },
        'reading changed customers',
      );
      if (rows.length === 0) return;
      yield rows.map((row) => this.fromNav(row));
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1]!['version'];
      position = Buffer.isBuffer(last) ? last : undefined;
      if (position === undefined) return;
    }
  }

  /**
   * Stages a new customer. With a number of its own (`ids[system]`) the customer is answered at once
   * under that number, which the ERP job must give it. Without, its number is known only once the ERP
   * job has created it: the row is queued (once per key) and, unless the job finishes within the
   * connection's staging wait, the write fails with TRANSIENT, retryable, so the caller tries again
   * later and then gets the customer the job created.
   */
  async create(customer: Customer): Promise<SystemRecord<Customer>> {
    const subject = `customer ${
      Object.entries(customer.ids)
        .map(([s, id]) => `${s}=${id}`)
        .join(', ') || JSON.stringify(customer.name)
    }`;
    const { key, sourceSystem, sourceId } = customerCreateKey(customer, this.system);
    const requested = customer.ids[this.system] ?? '';
    const status = await this.ctx.staging.stageCustomer(
      {
        key,
        operation: 'create',
        customerNumber: requested,
        sourceSystem,
        sourceId,
        values: customerValues(customer, await this.ctx.localCurrency()),
        ...(customer.custom ? { custom: customer.custom } : {}),
      },
      subject,
    );
    if (requested !== '' && status.status !== 'error') {
      const number = status.erpNumber || requested.toUpperCase();
      const existing = status.status === 'done' ? await this.getByNumber(number) : undefined;
      return existing ?? { id: number, number, data: { ...customer, ids: { ...customer.ids, [this.system]: number } } };
    }
    return this.awaitCreated(await this.waitFor(status), subject);
  }

  /**
   * Stages an update of the fields given. With an ETag, a customer changed in NAV since it was read is
   * a CONFLICT before anything is queued; the ETag also goes into the row, for the ERP job to check.
   * The answer is the customer as read with the changes applied, as the ERP job will write them.
   */
  async update(id: string, changes: Partial<Customer>, etag?: string): Promise<SystemRecord<Customer>> {
    const subject = `customer ${id}`;
    const current = await this.getByNumber(id);
    if (!current) {
      throw new SyncError({
        code: 'NOT_FOUND',
        system: this.system,
        message: `${this.system}: ${subject} does not exist`,
      });
    }
    if (etag !== undefined && current.etag !== undefined && etag.toUpperCase() !== current.etag.toUpperCase()) {
      throw new SyncError({
        code: 'CONFLICT',
        system: this.system,
        message: `${this.system}: ${subject} was changed in NAV since it was read (version ${current.etag}, not ${etag}); nothing was staged`,
        details: { expected: etag, actual: current.etag },
      });
    }
    const values = customerValues(changes, await this.ctx.localCurrency());
    const digest = createHash('sha256')
      .update(JSON.stringify([id, etag ?? randomUUID(), [...values.entries()], changes.custom ?? null]))
      .digest('hex')
      .slice(0, 40);
    const source = Object.entries(changes.ids ?? {}).find(([name]) => name !== this.system);
    await this.ctx.staging.stageCustomer(
      {
        key: `update:${id.toUpperCase()}:${digest}`,
        operation: 'update',
        customerNumber: id,
        sourceSystem: source?.[0] ?? '',
        sourceId: source?.[1] ?? '',
        values,
        ...(changes.custom ? { custom: changes.custom } : {}),
        ...(current.etag !== undefined ? { expectedVersion: current.etag } : {}),
      },
      subject,
    );
    return overlay(current, changes);
  }

  /** The staged rows of customers, by idempotency key: status and the number the ERP job gave. */
  readBack(keys: readonly string[]): Promise<StagingStatus[]> {
    return this.ctx.staging.readBack('customer', keys);
  }

  /** The current rowversion of a customer, as hex. */
  async version(number: string): Promise<string | undefined> {
    const statement = customerVersionStatement(await this.ctx.schema(), this.system);
    const [row] = await this.ctx.db.query<Row>(statement, { number: number.toUpperCase() });
    return rowversionHex(row?.['version']);
  }

  private async waitFor(status: StagingStatus): Promise<StagingStatus> {
    let polls = Math.ceil(this.ctx.settings.stagingWaitMs / POLL_MS);
    let current = status;
    while ((current.status === 'pending' || current.status === 'processing') && polls-- > 0) {
      await this.sleep(POLL_MS);
      current = (await this.ctx.staging.readBack('customer', [status.key]))[0] ?? current;
    }
    return current;
  }

  private async awaitCreated(status: StagingStatus, subject: string): Promise<SystemRecord<Customer>> {
    const staging = {
      key: status.key,
      entryNo: status.entryNo,
      status: status.status,
      table: this.ctx.staging.tables.customers,
    };
    if (status.status === 'done' && status.erpNumber !== '') {
      const created = await this.getByNumber(status.erpNumber);
      if (created) return created;
      throw new SyncError({
        code: 'NOT_FOUND',
        system: this.system,
        message: `${this.system}: the ERP job reports ${subject} as customer ${status.erpNumber}, which does not exist`,
        details: { staging },
      });
    }
    if (status.status === 'error') {
      throw new SyncError({
        code: 'REJECTED',
        system: this.system,
        message: `${this.system}: the ERP job refused ${subject} (staging entry ${status.entryNo}): ${status.message || 'no reason given'}`,
        details: { staging },
      });
    }
    throw new SyncError({
      code: 'TRANSIENT',
      system: this.system,
      retryable: true,
      message:
        `${this.system}: ${subject} waits in staging entry ${status.entryNo} for the ERP job (status ${status.status}); ` +
        'its customer number is not known yet, so it is not linked: send it again once the job has run (it is not staged twice)',
      details: { staging },
    });
  }

  private watermark(since: string): Buffer {
    const bytes = rowversionBytes(since);
    if (bytes) return bytes;
    throw new SyncError({
      code: 'VALIDATION',
      system: this.system,
      message: `${this.system}: the watermark ${JSON.stringify(since)} is not a rowversion such as 0x00000000000007D1`,
    });
  }

  private fromNav(row: Row): SystemRecord<Customer> {
    return customerFromNav(row, this.system, this.ctx.settings.customFields);
  }
}
