/** CustomerPort on Dataverse accounts: reads by id, by the ERP number's alternate key and by natural keys; writes singly or in $batch. */
import { SyncError, isSyncError, toSyncError } from '../../lib/errors';
import type { Customer } from '../../lib/model/types.generated';
import type { CustomerPort, CustomerWrite, NaturalKey, SystemRecord, WriteResult } from '../../lib/ports';
import type { HttpClient } from '../http';
import { anyOfFilters, changedSinceQuery, quote } from '../odata';
import {
  CREATED_IN_CHANGE_SET,
  MAX_BATCH_REQUESTS,
  sendChangeSets,
  type ChangeSetOutcome,
  type PartResponse,
  type PlannedRequest,
} from './batch';
import { accountToRecord, customerToAccount, isActiveState, type AccountChanges } from './mapping';
import type { DataverseSettings } from './settings';
import {
  RETURN_REPRESENTATION,
  alternateKeyUrl,
  equalsFilter,
  getAllRows,
  getRow,
  recordUrl,
  validationError,
  type Row,
} from './web-api';

const ACCOUNTS = 'accounts';

/** One write as the requests that carry it out (one change set), and how to read its outcome. */
interface WritePlan {
  /** Names the record in messages, e.g. `customer "Fabrikam GmbH" (erp 20000)`. */
  record: string;
  requests: [PlannedRequest, ...PlannedRequest[]];
  created(responses: readonly PartResponse[]): boolean;
  /** For a create whose outcome is unknown: the record if it was created after all. */
  findExisting?: () => Promise<Row | undefined>;
}

export class DataverseCustomers implements CustomerPort {
  constructor(
    private readonly client: HttpClient,
    private readonly apiBase: string,
    private readonly settings: DataverseSettings,
  ) {}

  async getById(id: string): Promise<SystemRecord<Customer> | undefined> {
    const row = await getRow(this.client, recordUrl(this.settings.system, ACCOUNTS, id, `account ${id}`));
    return row === undefined ? undefined : accountToRecord(row, this.settings);
  }

  async getByNumber(number: string): Promise<SystemRecord<Customer> | undefined> {
    const url = this.numberUrl(number, `customer with ${this.settings.erpSystem} number`);
    let row: Row | undefined;
    try {
      row = await getRow(this.client, url);
    } catch (error) {
      // The URL is well formed, so a 400 means Dataverse has no alternate key on the column.
      if (!isSyncError(error) || error.status !== 400) throw error;
      throw new SyncError({
        code: 'CONFIG',
        system: error.system,
        status: 400,
        message: `${error.message}; is an alternate key defined on account.${this.settings.erpNumberColumn}? Test connection checks it`,
        details: error.details,
      });
    }
    return row === undefined ? undefined : accountToRecord(row, this.settings);
  }

  async findByNaturalKey(key: NaturalKey, customer: Customer): Promise<Array<SystemRecord<Customer>>> {
    const rows = await getAllRows(
      this.client,
      ACCOUNTS,
      { $filter: equalsFilter(this.naturalKeyConditions(key, customer)) },
      this.settings.pageSize,
    );
    return rows.map((row) => accountToRecord(row, this.settings));
  }

  async findAnyByNaturalKey(
    key: NaturalKey,
    customers: readonly Customer[],
  ): Promise<Array<SystemRecord<Customer>> | undefined> {
    const column = key === 'email' ? 'emailaddress1' : key === 'taxId' ? this.settings.taxIdColumn : undefined;
    if (column === undefined) return undefined;
    const literals = customers.flatMap((customer) => {
      const value = key === 'email' ? customer.email : customer.taxId;
      return typeof value === 'string' && value !== '' ? [quote(value)] : [];
    });
    const rows: Row[] = [];
    for (const filter of anyOfFilters(column, literals)) {
      rows.push(...(await getAllRows(this.client, ACCOUNTS, { $filter: filter }, this.settings.pageSize)));
    }
    return rows.map((row) => accountToRecord(row, this.settings));
  }

  /** Server-driven pages of `accounts?$filter=modifiedon gt …&$orderby=modifiedon asc`. */
  async *changedSince(since: string | undefined, pageSize: number): AsyncGenerator<Array<SystemRecord<Customer>>> {
    const pages = this.client.pages<Row>(ACCOUNTS, {
      query: changedSinceQuery('modifiedon', since, this.settings.system),
      headers: { Prefer: `odata.maxpagesize=${pageSize}` },
    });
    for await (const page of pages) yield page.map((row) => accountToRecord(row, this.settings));
  }

  async create(customer: Customer): Promise<SystemRecord<Customer>> {
    return (await this.execute(this.planCreate(customer))).record;
  }

  async update(id: string, changes: Partial<Customer>, etag?: string): Promise<SystemRecord<Customer>> {
    return (await this.execute(this.planUpdate(id, changes, etag))).record;
  }

  async upsertByNumber(
    number: string,
    customer: Partial<Customer>,
  ): Promise<{ record: SystemRecord<Customer>; created: boolean }> {
    return this.execute(this.planUpsert(number, customer));
  }

  async writeBatch(writes: CustomerWrite[]): Promise<Array<WriteResult<Customer>>> {
    const results = new Array<WriteResult<Customer>>(writes.length);
    const planned: Array<{ index: number; plan: WritePlan }> = [];
    writes.forEach((write, index) => {
      try {
        planned.push({ index, plan: this.plan(write) });
      } catch (error) {
        // Refused before sending (e.g. a key value Dataverse cannot take): this write fails, the others go on.
        results[index] = { ok: false, error: toSyncError(error, this.settings.system) };
      }
    });
    for (const chunk of chunkByRequestCount(planned)) {
      let outcomes: ChangeSetOutcome[];
      try {
        outcomes = await sendChangeSets(
          this.client,
          this.apiBase,
          chunk.map(({ plan }) => plan.requests),
        );
      } catch (error) {
        const failure = toSyncError(error, this.settings.system);
        outcomes = chunk.map(() => ({ ok: false, error: failure }));
      }
      chunk.forEach(({ index, plan }, position) => {
        results[index] = this.resultOf(plan, outcomes[position]);
      });
    }
    return results;
  }

  // ---------------------------------------------------------------- planning

  private plan(write: CustomerWrite): WritePlan {
    switch (write.op) {
      case 'create':
        return this.planCreate(write.customer);
      case 'update':
        return this.planUpdate(write.id, write.changes, write.etag);
      case 'upsertByNumber':
        return this.planUpsert(write.number, write.customer);
    }
  }

  /**
   * POST with `Prefer: return=representation`. Dataverse creates records active, so a customer that starts
   * inactive is deactivated by a second request of the same change set (the pair succeeds or fails together).
   */
  private planCreate(customer: Customer): WritePlan {
    const record = this.describe(customer);
    const { body, deactivate } = this.forCreate(customerToAccount(customer, this.settings));
    const erpNumber = customer.ids[this.settings.erpSystem];
    const plan: WritePlan = {
      record,
      requests:
        deactivate === undefined
          ? [{ method: 'POST', url: ACCOUNTS, headers: { Prefer: RETURN_REPRESENTATION }, body }]
          : [
              { method: 'POST', url: ACCOUNTS, headers: {}, body },
              { method: 'PATCH', url: CREATED_IN_CHANGE_SET, headers: this.updateHeaders('*'), body: deactivate },
            ],
      created: () => true,
    };
    if (erpNumber !== undefined) plan.findExisting = () => getRow(this.client, this.numberUrl(erpNumber, record));
    return plan;
  }

  /** PATCH by id with If-Match: the given ETag (stale → 412 → CONFLICT), else `*` so an update never creates. */
  private planUpdate(id: string, changes: Partial<Customer>, etag: string | undefined): WritePlan {
    const record = `account ${id}${changes.name === undefined ? '' : ` (${JSON.stringify(changes.name)})`}`;
    const { columns, state } = customerToAccount(changes, this.settings);
    return {
      record,
      requests: [
        {
          method: 'PATCH',
          url: recordUrl(this.settings.system, ACCOUNTS, id, record),
          headers: this.updateHeaders(etag ?? '*'),
          body: { ...columns, ...state },
        },
      ],
      created: () => false,
    };
  }

  /** PATCH to the alternate-key URL: 201 created, 200 updated. The key column stays out of the body, as documented. */
  private planUpsert(number: string, customer: Partial<Customer>): WritePlan {
    const { erpSystem } = this.settings;
    const record = this.describe({ ...customer, ids: { ...customer.ids, [erpSystem]: number } });
    const linkedNumber = customer.ids?.[erpSystem];
    if (linkedNumber !== undefined && linkedNumber !== number) {
      throw validationError(
        this.settings.system,
        `${record}: ids.${erpSystem} "${linkedNumber}" differs from the number ${JSON.stringify(number)} to upsert by`,
      );
    }
    const url = this.numberUrl(number, record);
    const { body, deactivate } = this.forCreate(customerToAccount({ ...customer, ids: {} }, this.settings));
    const upsert: PlannedRequest = { method: 'PATCH', url, headers: { Prefer: RETURN_REPRESENTATION }, body };
    return {
      record,
      requests:
        deactivate === undefined
          ? [upsert]
          : [upsert, { method: 'PATCH', url, headers: this.updateHeaders('*'), body: deactivate }],
      created: (responses) => responses[0]?.status === 201,
    };
  }

  /** Splits off a deactivation, which Dataverse does not take while it creates a record. */
  private forCreate({ columns, state }: AccountChanges): { body: Row; deactivate?: Row } {
    if (state === undefined || isActiveState(state)) return { body: { ...columns, ...state } };
    return { body: columns, deactivate: { ...state } };
  }

  private updateHeaders(ifMatch: string): Record<string, string> {
    return { 'If-Match': ifMatch, Prefer: RETURN_REPRESENTATION };
  }

  private numberUrl(number: string, record: string): string {
    return alternateKeyUrl(this.settings.system, ACCOUNTS, this.settings.erpNumberColumn, number, record);
  }

  private naturalKeyConditions(key: NaturalKey, customer: Customer): Array<readonly [string, string]> {
    const { system, taxIdColumn } = this.settings;
    const record = this.describe(customer);
    const need = (value: string | undefined, field: string): string => {
      if (value === undefined || value === '')
        throw validationError(system, `${record}: matching by ${key} needs ${field}`);
      return value;
    };
    switch (key) {
      case 'email':
        return [['emailaddress1', need(customer.email, 'email')]];
      case 'namePostCode':
        return [
          ['name', need(customer.name, 'name')],
          ['address1_postalcode', need(customer.address?.postCode, 'address.postCode')],
        ];
      case 'taxId':
        if (taxIdColumn === undefined) {
          throw new SyncError({
            code: 'CONFIG',
            system,
            message: `${system}: Dataverse accounts have no tax id column; map one as "taxId" in the connection's custom fields to match by tax id`,
          });
        }
        return [[taxIdColumn, need(customer.taxId, 'taxId')]];
    }
  }

  private describe(customer: Partial<Customer>): string {
    const number = customer.ids?.[this.settings.erpSystem];
    const name = customer.name === undefined ? '' : ` ${JSON.stringify(customer.name)}`;
    return `customer${name}${number === undefined ? '' : ` (${this.settings.erpSystem} ${number})`}`;
  }

  // ---------------------------------------------------------------- execution

  /** One request goes as it is; a change set of two goes as a one-change-set $batch, so it stays atomic. */
  private async execute(plan: WritePlan): Promise<{ record: SystemRecord<Customer>; created: boolean }> {
    let outcome: ChangeSetOutcome | undefined;
    try {
      outcome =
        plan.requests.length === 1
          ? { ok: true, responses: [await this.sendAlone(plan)] }
          : (await sendChangeSets(this.client, this.apiBase, [plan.requests]))[0];
    } catch (error) {
      outcome = { ok: false, error: toSyncError(error, this.settings.system) };
    }
    const result = this.resultOf(plan, outcome);
    if (!result.ok) throw result.error;
    return result;
  }

  private async sendAlone({ requests: [request], findExisting }: WritePlan): Promise<PartResponse> {
    const response = await this.client.request<Row>({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: request.body,
      // A create that timed out may have happened: look for it by its ERP number before sending it again.
      ...(findExisting !== undefined && {
        beforeRetry: async () => {
          const existing = await findExisting();
          return existing === undefined ? 'retry' : { response: { status: 201, headers: {}, data: existing } };
        },
      }),
    });
    return { status: response.status, data: response.data };
  }

  private resultOf(plan: WritePlan, outcome: ChangeSetOutcome | undefined): WriteResult<Customer> {
    if (outcome === undefined) return { ok: false, error: this.missingAnswer(plan) };
    if (!outcome.ok) return { ok: false, error: aboutRecord(outcome.error, plan.record) };
    const row = outcome.responses.at(-1)?.data;
    if (row === undefined) return { ok: false, error: this.missingAnswer(plan) };
    return { ok: true, record: accountToRecord(row, this.settings), created: plan.created(outcome.responses) };
  }

  private missingAnswer(plan: WritePlan): SyncError {
    const { system } = this.settings;
    return new SyncError({
      code: 'TRANSIENT',
      system,
      retryable: false,
      message: `${system}: Dataverse did not return the written account (${plan.record}); read it again to see the outcome`,
    });
  }
}

/** Adds the record to a message that names only the request. */
function aboutRecord(error: SyncError, record: string): SyncError {
  return new SyncError({
    code: error.code,
    system: error.system,
    message: `${error.message} (${record})`,
    retryable: error.retryable,
    ...(error.status !== undefined && { status: error.status }),
    ...(error.details !== undefined && { details: error.details }),
  });
}

/** Consecutive plans whose requests fit one $batch. */
function chunkByRequestCount<T extends { plan: WritePlan }>(planned: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let requests = 0;
  for (const item of planned) {
    const size = item.plan.requests.length;
    if (requests + size > MAX_BATCH_REQUESTS) {
      chunks.push(current);
      current = [];
      requests = 0;
    }
    current.push(item);
    requests += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
