/**
 * The Business Central API v2.0 as the ports use it: URLs under one company, paged collection reads,
 * the JSON $batch, and the look-ups that are cached for the life of the driver (the company id,
 * payment terms, the local currency).
 */
import { isSyncError, SyncError } from '../../lib/errors';
import type { BeforeRetryDecision, HttpClient, HttpLog, HttpLogLevel, HttpResponse, RequestOptions } from '../http';
import { errorFromResponse } from '../http';
import { paymentTermsTable, type BcRecord, type PaymentTermsTable } from './mapping';
import { isGuid, keyed, quote } from './odata';

export interface BcApiSettings {
  /** The connection's base URL (scheme, host, port and any path before `/v2.0`). */
  baseUrl: string;
  tenant?: string | undefined;
  environment: string;
  /** The company's name or id, as configured. */
  company: string;
  /** Page size asked for with `Prefer: odata.maxpagesize`. */
  maxPageSize: number;
  /** Overrides the company's local currency (BC's blank currency code). */
  localCurrency?: string | undefined;
  log?: HttpLog | undefined;
}

export interface BcCompany {
  id: string;
  name: string;
}

export interface ListQuery {
  filter?: string;
  expand?: string;
}

/** One write, alone or in a $batch; `path` is relative to the API root, like every path here. */
export interface BatchOperation {
  method: 'POST' | 'PATCH';
  path: string;
  body: BcRecord;
  headers?: Record<string, string>;
}

export type BatchOutcome = { ok: true; status: number; body: BcRecord } | { ok: false; error: SyncError };

/** The documented limit of operations in one $batch. */
export const MAX_BATCH_OPERATIONS = 100;

/** When BC does not say (the company information is not readable), invoices in the local currency say EUR. */
const DEFAULT_LOCAL_CURRENCY = 'EUR';

/** After these, the next chunk of a batch would fail the same way. */
const FATAL_CODES: ReadonlySet<string> = new Set(['AUTH', 'CONFIG']);

/** Caches a look-up; a failed one is tried again next time. */
function cached<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    }));
}

/** For `beforeRetry`: the record the lost request created is its answer; none found, send it again. */
export function answerOrRetry(existing: BcRecord | undefined): BeforeRetryDecision<BcRecord> {
  return existing === undefined ? 'retry' : { response: { status: 201, headers: {}, data: existing } };
}

function isRecord(value: unknown): value is BcRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class BcApi {
  readonly system: string;
  /** `v2.0/{tenant}/{environment}/api/v2.0`, relative to the base URL; the tenant segment is optional. */
  readonly root: string;
  readonly company: () => Promise<BcCompany>;
  readonly paymentTerms: () => Promise<PaymentTermsTable>;
  readonly localCurrency: () => Promise<string>;

  constructor(
    readonly client: HttpClient,
    private readonly settings: BcApiSettings,
  ) {
    this.system = client.system;
    const tenant = settings.tenant ? `${encodeURIComponent(settings.tenant)}/` : '';
    this.root = `v2.0/${tenant}${encodeURIComponent(settings.environment)}/api/v2.0`;
    this.company = cached(() => this.findCompany());
    this.paymentTerms = cached(async () => paymentTermsTable(await this.list('paymentTerms')));
    this.localCurrency = cached(() => this.findLocalCurrency());
  }

  /** `companies(<id>)/<resource>`, relative to the API root. */
  async resource(resource: string): Promise<string> {
    const { id } = await this.company();
    return `companies(${id})/${resource}`;
  }

  /** `companies(<id>)/<entitySet>(<id>)`; refuses ids that are not GUIDs. */
  async record(entitySet: string, id: string): Promise<string> {
    return this.resource(keyed(entitySet, id, this.system));
  }

  get<T>(path: string, options?: RequestOptions<T>): Promise<HttpResponse<T>> {
    return this.client.get<T>(`${this.root}/${path}`, options);
  }

  /** Sends one write on its own (not in a batch). */
  send<T>(operation: BatchOperation, options: RequestOptions<T> = {}): Promise<HttpResponse<T>> {
    const { method, path, body, headers } = operation;
    return this.client.request<T>({ ...options, method, url: `${this.root}/${path}`, body, headers: { ...headers } });
  }

  /** Every record of a company's entity set that matches, page by page along `@odata.nextLink`. */
  async list(entitySet: string, query: ListQuery = {}): Promise<BcRecord[]> {
    return this.collect(await this.resource(entitySet), query);
  }

  /** One record by id; undefined when BC does not have it. */
  async getById(entitySet: string, id: string, expand?: string): Promise<BcRecord | undefined> {
    const path = await this.record(entitySet, id);
    try {
      const response = await this.get<BcRecord>(path, expand === undefined ? {} : { query: { $expand: expand } });
      return response.data;
    } catch (error) {
      if (isSyncError(error) && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /**
   * Sends writes as JSON $batch requests of up to 100 operations, each with its own outcome, in order.
   * A chunk is sent again after a lost answer only when all its operations are conditional updates
   * (If-Match), which cannot apply twice; a chunk with creates then fails with `outcomeUnknown`.
   */
  async batch(operations: readonly BatchOperation[]): Promise<BatchOutcome[]> {
    const outcomes: BatchOutcome[] = [];
    for (let start = 0; start < operations.length; start += MAX_BATCH_OPERATIONS) {
      const chunk = operations.slice(start, start + MAX_BATCH_OPERATIONS);
      const fatal = outcomes.find((outcome) => !outcome.ok && FATAL_CODES.has(outcome.error.code));
      outcomes.push(...(fatal === undefined ? await this.sendBatch(chunk) : chunk.map(() => fatal)));
    }
    return outcomes;
  }

  log(level: HttpLogLevel, message: string): void {
    this.settings.log?.(level, this.client.redactor.redactText(message));
  }

  private async sendBatch(chunk: readonly BatchOperation[]): Promise<BatchOutcome[]> {
    const requests = chunk.map((operation, index) => ({
      id: String(index + 1),
      method: operation.method,
      url: operation.path,
      headers: { 'Content-Type': 'application/json', ...operation.headers },
      body: operation.body,
    }));
    const conditional = chunk.every((operation) => operation.method === 'PATCH' && operation.headers?.['If-Match']);
    let answer: unknown;
    try {
      answer = (await this.client.post(`${this.root}/$batch`, { requests }, { idempotent: conditional })).data;
    } catch (error) {
      const failure: BatchOutcome = { ok: false, error: isSyncError(error) ? error : this.unexpected(String(error)) };
      return chunk.map(() => failure);
    }
    const responses =
      isRecord(answer) && Array.isArray(answer['responses']) ? answer['responses'].filter(isRecord) : [];
    return chunk.map((operation, index) => {
      const response = responses.find((candidate) => candidate['id'] === String(index + 1));
      if (response === undefined) {
        return { ok: false, error: this.unexpected(`the $batch answer has no result for operation ${index + 1}`) };
      }
      const status = Number(response['status']);
      const body = response['body'];
      if (status < 400) return { ok: true, status, body: isRecord(body) ? body : {} };
      const url = new URL(`${this.root}/${operation.path}`, `${this.settings.baseUrl.replace(/\/+$/, '')}/`);
      const target = { system: this.system, method: operation.method, url };
      return { ok: false, error: errorFromResponse(target, status, body, this.client.redactor) };
    });
  }

  private unexpected(reason: string): SyncError {
    return new SyncError({
      code: 'TRANSIENT',
      system: this.system,
      retryable: false,
      message: `${this.system}: ${reason}`,
    });
  }

  private async collect(path: string, query: ListQuery): Promise<BcRecord[]> {
    const found: BcRecord[] = [];
    const pages = this.client.pages<BcRecord>(`${this.root}/${path}`, {
      query: { $filter: query.filter, $expand: query.expand },
      headers: { Prefer: `odata.maxpagesize=${this.settings.maxPageSize}` },
    });
    for await (const page of pages) found.push(...page);
    return found;
  }

  /** Resolves the configured company (a name or an id) once; an unknown one is a CONFIG error naming it. */
  private async findCompany(): Promise<BcCompany> {
    const wanted = this.settings.company.trim();
    const filter = isGuid(wanted) ? `id eq ${wanted}` : `name eq ${quote(wanted)}`;
    const [match] = wanted === '' ? [] : await this.collect('companies', { filter });
    if (match !== undefined) return { id: String(match['id']), name: String(match['name']) };
    const available = (await this.collect('companies', {})).map((company) => `"${String(company['name'])}"`);
    const environment = this.settings.environment;
    throw new SyncError({
      code: 'CONFIG',
      system: this.system,
      message:
        (wanted === ''
          ? `${this.system}: no Business Central company is set`
          : `${this.system}: the company "${wanted}" does not exist in environment "${environment}"`) +
        `; available companies: ${available.join(', ') || 'none'}`,
    });
  }

  /**
   * BC writes the local currency as a blank code; what it is comes from the connection option
   * `localCurrency`, else the company information (`companyInformation.currencyCode`), else EUR.
   */
  private async findLocalCurrency(): Promise<string> {
    if (this.settings.localCurrency) return this.settings.localCurrency;
    try {
      const { data } = await this.get<unknown>(await this.resource('companyInformation'));
      const values = isRecord(data) && Array.isArray(data['value']) ? data['value'] : [data];
      const information: unknown = values[0];
      const code = isRecord(information) ? information['currencyCode'] : undefined;
      if (typeof code === 'string' && code !== '') return code;
    } catch (error) {
      const unavailable = isSyncError(error) && (error.code === 'NOT_FOUND' || error.status === 403);
      if (!unavailable) throw error;
    }
    this.log(
      'info',
      `${this.system}: Business Central does not tell its local currency here; using ${DEFAULT_LOCAL_CURRENCY} ` +
        `(set the connection option localCurrency to change it)`,
    );
    return DEFAULT_LOCAL_CURRENCY;
  }
}
