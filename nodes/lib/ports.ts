/**
 * The small interfaces ("ports") every system driver implements, in canonical terms. A driver
 * leaves out what its system cannot do and says so in its capabilities, so a node can tell the
 * user plainly instead of failing half-way.
 */
import type { CustomerField } from './sync/ownership';
import type { SyncError } from './errors';
import type { Customer, InvoiceStatus, Order, OrderLine } from './model/types.generated';

/** A record as one system holds it: its id there, its concurrency tag and its canonical content. */
export interface SystemRecord<T> {
  /** The record's id in this system (a GUID in BC and Dataverse, the key in SQL). */
  id: string;
  /** The human-facing number, where the system has one (BC customer number, Dataverse accountnumber). */
  number?: string;
  /** Opaque concurrency tag for a later update (an OData ETag, a rowversion). */
  etag?: string;
  /** When the system last changed the record (ISO 8601). */
  modifiedAt?: string;
  data: T;
}

/** Fields a customer can be found by when no link exists yet. */
export type NaturalKey = 'taxId' | 'email' | 'namePostCode';

/** One write of a batch. */
export type CustomerWrite =
  | { op: 'create'; customer: Customer }
  | { op: 'update'; id: string; changes: Partial<Customer>; etag?: string }
  | { op: 'upsertByNumber'; number: string; customer: Partial<Customer> };

/** The result of one write of a batch, in the order of the writes: a failure fails that write only. */
export type WriteResult<T> = { ok: true; record: SystemRecord<T>; created: boolean } | { ok: false; error: SyncError };

/**
 * A change feed: pages of the records changed at or after `since` (undefined = every record, for an
 * initial load), oldest change first, each with its `modifiedAt`. Inclusive, because systems stamp
 * changes in coarse units and a later change may share the watermark's time; the reader leaves out
 * what it delivered before. A feed whose positions are unique (a rowversion) may be exclusive. The same shape for
 * every entity, so orders and invoices can offer one too.
 */
export type ChangedSince<T> = (since: string | undefined, pageSize: number) => AsyncGenerator<Array<SystemRecord<T>>>;

export interface CustomerPort {
  getById(id: string): Promise<SystemRecord<Customer> | undefined>;
  /** By the system's customer number, or by its alternate key (e.g. the ERP number on a CRM account). */
  getByNumber(number: string): Promise<SystemRecord<Customer> | undefined>;
  /** Candidates sharing the natural key; more than one means the match is ambiguous. */
  findByNaturalKey(key: NaturalKey, customer: Customer): Promise<Array<SystemRecord<Customer>>>;
  /**
   * Every record whose natural key equals that of one of `customers`, in as few requests as the API allows;
   * the caller assigns them to the customers. Undefined where the API cannot look this key up for several
   * customers at once. Customers lacking the key's values are left out of the query.
   */
  findAnyByNaturalKey?(
    key: NaturalKey,
    customers: readonly Customer[],
  ): Promise<Array<SystemRecord<Customer>> | undefined>;
  create(customer: Customer): Promise<SystemRecord<Customer>>;
  /** Writes only the given fields; `etag` guards against overwriting someone else's change (CONFLICT when stale). */
  update(id: string, changes: Partial<Customer>, etag?: string): Promise<SystemRecord<Customer>>;
  /** Create or update by the system's own key in one idempotent call, where the API has it. */
  upsertByNumber?(
    number: string,
    customer: Partial<Customer>,
  ): Promise<{ record: SystemRecord<Customer>; created: boolean }>;
  /** Several writes in the API's batch form (up to `capabilities.batchSize` per call), each with its own result. */
  writeBatch?(writes: CustomerWrite[]): Promise<Array<WriteResult<Customer>>>;
  /** The customers changed after a watermark, where the API can filter and order by modification time. */
  changedSince?: ChangedSince<Customer>;
}

/** What an ERP order carries beyond the canonical order: resolved customer and line numbers. */
export interface OrderDraft {
  /** The ERP customer number or id the order is for. */
  customerNumber: string;
  /** Kept as the ERP's external document number: the idempotency key of an order. */
  externalDocumentNumber: string;
  orderDate: string;
  requestedDeliveryDate?: string;
  currency?: string;
  lines: OrderLine[];
  /** Send unit prices from the CRM; otherwise the ERP prices the lines. */
  useSourcePrices: boolean;
}

export interface OrderPort {
  create(order: OrderDraft): Promise<SystemRecord<Order>>;
  /**
   * Several creates in the API's batch form (up to `capabilities.batchSize` per request), each with its
   * own result in the order of the drafts: a failure fails that draft only. A draft whose answer was lost
   * is looked up by its external document number, never sent twice.
   */
  createBatch?(orders: OrderDraft[]): Promise<Array<WriteResult<Order>>>;
  getById(id: string): Promise<SystemRecord<Order> | undefined>;
  findByExternalDocumentNumber(externalDocumentNumber: string): Promise<SystemRecord<Order> | undefined>;
  /**
   * Every order whose external document number is one of `externalDocumentNumbers`, in as few requests as
   * the API allows; the caller assigns them to the keys. Drivers without it are asked one key at a time.
   */
  findAnyByExternalDocumentNumber?(externalDocumentNumbers: readonly string[]): Promise<Array<SystemRecord<Order>>>;
  /** The orders changed since a watermark, where the API can filter and order by modification time. */
  changedSince?: ChangedSince<Order>;
  /**
   * Keeps another system's number for the order on the record, e.g. the ERP order number on the CRM
   * order; `field` replaces the driver's default field. Only drivers whose system can hold it.
   */
  setExternalNumber?(id: string, number: string, field?: string): Promise<void>;
  /** setExternalNumber for several orders in as few requests as the API allows; one outcome per entry, in order. */
  setExternalNumbers?(
    entries: ReadonlyArray<{ id: string; number: string }>,
    field?: string,
  ): Promise<Array<{ ok: true } | { ok: false; error: SyncError }>>;
}

export interface InvoicePort {
  byCustomer(customerNumber: string): Promise<InvoiceStatus[]>;
  byOrder(orderNumber: string): Promise<InvoiceStatus[]>;
  byNumber(invoiceNumber: string): Promise<InvoiceStatus | undefined>;
  /** The invoices changed since a watermark, where the API can filter and order by modification time. */
  changedSince?: ChangedSince<InvoiceStatus>;
}

export interface Capabilities {
  customers: {
    read: boolean;
    write: boolean;
    upsertByNumber: boolean;
    naturalKeys: NaturalKey[];
    /** The canonical fields this system stores; a sync leaves the others out and says so. */
    fields: readonly CustomerField[];
  };
  orders: { read: boolean; create: boolean };
  invoices: { read: boolean };
  /** Largest number of writes one batch request may carry (1 = no batch API). */
  batchSize: number;
}

/** One check of a "Test connection": what works and what is missing. */
export interface ConnectionCheck {
  name: string;
  ok: boolean;
  message: string;
}

export interface SystemDriver {
  /** The system name set on the connection (crm, erp, nav-de, …). */
  readonly system: string;
  readonly driver: string;
  /**
   * Which value of a record is its id in links (`ids[system]`): the record id (a Dataverse GUID) or
   * its number (a Business Central customer number), and so how a linked record is fetched again.
   */
  readonly linkKey: 'id' | 'number';
  /** Whose id `getByNumber` takes: this system's own number, or another system's id kept on the record (the ERP number on a CRM account). */
  readonly numberSystem: string;
  readonly capabilities: Capabilities;
  readonly customers?: CustomerPort;
  readonly orders?: OrderPort;
  readonly invoices?: InvoicePort;
  testConnection(): Promise<ConnectionCheck[]>;
  close(): Promise<void>;
}
