/**
 * Creates a signed CRM order in the ERP exactly once. The source order id is the idempotency key,
 * kept twice: as the ERP order's external document number and as a link in the sync store. A repeated
 * order finds its link; an order whose link write was lost (a crash between the two writes) is found
 * by its external document number and linked then. A list goes through the same steps, its new orders
 * created together in the ERP's batch form. Nothing here knows Node-RED.
 */
import { createHash } from 'node:crypto';
import { parseSettingJson, SyncError, toSyncError } from '../errors';
import type { Lang } from '../i18n';
import { clipText, validationError } from '../model/describe';
import type { Order, OrderLine } from '../model/types.generated';
import { ModelValidator } from '../model/validator';
import type { OrderDraft, OrderPort, SystemDriver, SystemRecord, WriteResult } from '../ports';
import type { LinkGroup, SyncStore } from '../store/ports';

const ORDER_ENTITY = 'order';
const ITEM_ENTITY = 'item';
const CUSTOMER_ENTITY = 'customer';

export type OrderStatus = Order['status'];

/** Written as a record so the compiler notices a status added to the schema. */
const STATUS_NAMES: Readonly<Record<OrderStatus, true>> = {
  draft: true,
  submitted: true,
  signed: true,
  won: true,
  lost: true,
  cancelled: true,
  open: true,
  released: true,
};

const ORDER_STATUSES = Object.keys(STATUS_NAMES) as OrderStatus[];

/** Only signed orders go to the ERP unless the node says otherwise. */
export const DEFAULT_TRANSFER_STATUSES: readonly OrderStatus[] = ['signed', 'won'];

/** Business Central's External Document No. is a Code[35] field: at most 35 characters, kept in capitals. */
const EXTERNAL_DOCUMENT_NUMBER_LENGTH = 35;
const DERIVED_KEY_PREFIX = 'CRM-';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ItemNumbers {
  /** CRM item code → ERP item number, edited in the node; it wins over links. */
  table: Readonly<Record<string, string>>;
  /** Look item numbers up in the links of entity `item`. */
  useLinks: boolean;
  /** An item neither the table nor a link translates: keep its number, or reject the order. */
  unknown: 'keep' | 'reject';
}

export interface WriteBack {
  /** The source system's driver; its orders must be able to keep the ERP number. */
  crm: SystemDriver;
  /** The field on the CRM order; the driver's default when absent. */
  field?: string;
}

export interface CreateOrderOptions {
  /** The system the orders come from, e.g. `crm`. */
  source: string;
  /** Orders with another status are rejected. */
  statuses: readonly OrderStatus[];
  items: ItemNumbers;
  /** Send the CRM's unit prices (and its currency); otherwise the ERP prices the lines. */
  useSourcePrices: boolean;
  /** Language of validation messages. */
  lang: Lang;
  writeBack?: WriteBack;
}

export interface CreateOrderResult {
  result: 'created' | 'existing';
  sourceId: string;
  /** The ERP order number. */
  number: string;
  /** The ERP order's status; null when the ERP no longer has it as an order (posted or deleted). */
  status: OrderStatus | null;
  /** The link's ids per system. */
  ids: Record<string, string>;
  linkId: string;
  /** The idempotency key as kept in the ERP. */
  externalDocumentNumber: string;
  /** Set when the ERP number was written back to the CRM order. */
  writtenBack?: true;
}

function rejected(message: string, system: string): SyncError {
  return new SyncError({ code: 'REJECTED', system, message });
}

function configError(message: string, system: string): SyncError {
  return new SyncError({ code: 'CONFIG', system, message });
}

/** A failure after the ERP order exists: the same code, a message that says so, and the result so far. */
function afterErpWrite(error: unknown, system: string, message: string, result?: CreateOrderResult): SyncError {
  const cause = toSyncError(error, system);
  return new SyncError({
    code: cause.code,
    system: cause.system,
    retryable: cause.retryable,
    ...(cause.status !== undefined && { status: cause.status }),
    message: `${message}: ${cause.message}`,
    details: { ...(result && { result }), ...(cause.details !== undefined && { cause: cause.details }) },
    cause,
  });
}

/**
 * The external document number of a source order id: the id itself when a Code[35] field keeps it
 * unchanged; a GUID as its 32 hex digits; anything else as `CRM-` and 31 hex digits of its SHA-256.
 * Stable, so a repeated order always finds its ERP order again.
 */
export function externalDocumentKey(sourceId: string): string {
  const kept = sourceId.length <= EXTERNAL_DOCUMENT_NUMBER_LENGTH && sourceId === sourceId.trim().toUpperCase();
  if (kept) return sourceId;
  if (GUID.test(sourceId)) return sourceId.replace(/-/g, '').toUpperCase();
  const digest = createHash('sha256').update(sourceId, 'utf8').digest('hex').toUpperCase();
  return DERIVED_KEY_PREFIX + digest.slice(0, EXTERNAL_DOCUMENT_NUMBER_LENGTH - DERIVED_KEY_PREFIX.length);
}

/** The translation table as the editor stores it: a JSON object of CRM code → ERP item number. */
export function parseItemTable(text: string | undefined, system: string): Record<string, string> {
  if (text === undefined || text.trim() === '') return {};
  const parsed = parseSettingJson(text, 'the item table is', system);
  const shape = 'the item table must map CRM item codes to ERP item numbers, e.g. {"BIKE-RED": "1896-S"}';
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw configError(shape, system);
  for (const [code, number] of Object.entries(parsed)) {
    if (typeof number !== 'string' || number.trim() === '') {
      throw configError(`${shape}; "${code}" has no ERP item number`, system);
    }
  }
  return parsed as Record<string, string>;
}

/** The statuses ticked in the editor; unknown names are a CONFIG error, none at all too. */
export function parseStatuses(value: unknown, system: string): OrderStatus[] {
  const names = Array.isArray(value) ? value : [];
  const unknown = names.filter((name) => !ORDER_STATUSES.includes(name as OrderStatus));
  if (unknown.length > 0 || names.length === 0) {
    throw configError(
      unknown.length > 0
        ? `unknown order status ${unknown.map((name) => JSON.stringify(name)).join(', ')}; known: ${ORDER_STATUSES.join(', ')}`
        : 'no order status is selected to go to the ERP',
      system,
    );
  }
  return names as OrderStatus[];
}

/** The id a record is linked by: BC links orders by number, a GUID-keyed system by id. */
function linkedIdOf(erp: SystemDriver, record: SystemRecord<Order>): string {
  return erp.linkKey === 'number' ? (record.number ?? record.id) : record.id;
}

/** Refuses settings that could never work before anything is read or written. */
function orderPortOf(erp: SystemDriver, options: CreateOrderOptions): OrderPort {
  if (!erp.orders || !erp.capabilities.orders.create) {
    throw configError(`${erp.system} (${erp.driver}) cannot create orders`, erp.system);
  }
  if (options.source === erp.system) {
    throw configError(`the orders come from ${erp.system}, the system they are to be created in`, erp.system);
  }
  const { crm, field } = options.writeBack ?? {};
  if (crm && crm.system !== options.source) {
    throw configError(
      `the ERP number is written back to the order's own system ${options.source}, but the CRM connection is ${crm.system}`,
      crm.system,
    );
  }
  if (crm && !crm.orders?.setExternalNumber) {
    throw configError(`${crm.system} (${crm.driver}) cannot keep the ERP order number on its orders`, crm.system);
  }
  // Letters, digits and _, as Dataverse columns and the field names of most APIs have them.
  if (crm && field !== undefined && !FIELD_NAME.test(field)) {
    throw configError(`"${field}" is not a field name (letters, digits and _, not starting with a digit)`, crm.system);
  }
  return erp.orders;
}

/** Lets one order through at a time per key, so a double click cannot create an order twice in this process. */
const ordersInProgress = new Map<string, Promise<unknown>>();

/**
 * Runs `work` once no earlier work holds any of the keys, holding all of them meanwhile. Keys are taken in
 * one step, so two batches sharing keys simply run one after the other.
 */
async function holdingKeys<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
  const previous = keys.map((key) => (ordersInProgress.get(key) ?? Promise.resolve()).catch(() => undefined));
  const current = Promise.all(previous).then(work);
  for (const key of keys) ordersInProgress.set(key, current);
  try {
    return await current;
  } finally {
    for (const key of keys) if (ordersInProgress.get(key) === current) ordersInProgress.delete(key);
  }
}

function lockKey(erp: SystemDriver, key: string): string {
  return `${erp.system}\u0000${key}`;
}

/** Look-ups of a batch that run at once; the HTTP layer's governor still limits what reaches a system. */
const PARALLEL_LOOKUPS = 8;

/** `work` for every item, at most `limit` at a time, results in item order. */
async function eachLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const position = next++;
      results[position] = await work(items[position]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * ERP orders looked up together by external document number, for every key asked (upper case): the order,
 * or undefined when the ERP has none.
 */
type OrdersByKey = ReadonlyMap<string, SystemRecord<Order> | undefined>;

/** One order on its way, with what every step needs. */
class OrderTransfer {
  readonly key: string;
  /** `order SO-1`, or `record 2 (order SO-1)` in a list. */
  readonly label: string;
  private linkRead: Promise<LinkGroup | undefined> | undefined;

  constructor(
    private readonly erp: SystemDriver,
    private readonly orders: OrderPort,
    private readonly store: SyncStore,
    private readonly options: CreateOrderOptions,
    private readonly order: Order,
    private readonly index: number | undefined,
  ) {
    this.key = externalDocumentKey(order.sourceId);
    const name = `order ${clipText(order.sourceId, 100)}`;
    this.label = index === undefined ? name : `record ${index} (${name})`;
  }

  checkStatus(): void {
    const { statuses } = this.options;
    if (!statuses.includes(this.order.status)) {
      throw rejected(
        `${this.label} has status ${this.order.status}; only ${statuses.join(', ')} go to the ERP`,
        this.erp.system,
      );
    }
  }

  async run(): Promise<CreateOrderResult> {
    const step = await this.prepare();
    return 'existing' in step ? step.existing : this.created(await this.orders.create(step.draft));
  }

  /** Whether prepare will look the ERP order up by its key: not linked yet, or linked by a number only the key finds. */
  async needsKeyLookup(): Promise<boolean> {
    try {
      const linked = (await this.readLink())?.ids[this.erp.system] !== undefined;
      return !linked || this.erp.linkKey === 'number';
    } catch {
      // prepare reads the link again and fails the order with the store's error.
      return false;
    }
  }

  /**
   * Everything before the ERP write: the order's link, else an unlinked ERP order with its key (linked
   * now), else the draft to create. `byKey` holds the ERP orders of a list, looked up together.
   */
  async prepare(byKey?: OrdersByKey): Promise<{ existing: CreateOrderResult } | { draft: OrderDraft }> {
    const link = await this.readLink();
    const linkedId = link?.ids[this.erp.system];
    if (link && linkedId !== undefined)
      return { existing: this.result('existing', link, await this.fetchLinked(linkedId, byKey), linkedId) };

    const customerNumber = await this.customerNumber();
    const found = await this.findByKey(byKey);
    if (found) {
      this.checkSameCustomer(found, customerNumber);
      return { existing: this.result('existing', await this.link(found), found, linkedIdOf(this.erp, found)) };
    }
    return { draft: this.checkedDraft(customerNumber, await this.erpLines()) };
  }

  /** Links the ERP order the draft became. */
  async created(record: SystemRecord<Order>): Promise<CreateOrderResult> {
    return this.result('created', await this.link(record), record, linkedIdOf(this.erp, record));
  }

  private readLink(): Promise<LinkGroup | undefined> {
    this.linkRead ??= this.store.lookup(ORDER_ENTITY, this.options.source, this.order.sourceId);
    return this.linkRead;
  }

  private findByKey(byKey: OrdersByKey | undefined): Promise<SystemRecord<Order> | undefined> {
    const known = byKey?.has(this.key);
    return known ? Promise.resolve(byKey!.get(this.key)) : this.orders.findByExternalDocumentNumber(this.key);
  }

  /** BC keeps no order by number in the port: the key finds it, and its number must be the linked one. */
  private async fetchLinked(
    linkedId: string,
    byKey: OrdersByKey | undefined,
  ): Promise<SystemRecord<Order> | undefined> {
    if (this.erp.linkKey === 'id') return this.orders.getById(linkedId);
    const found = await this.findByKey(byKey);
    return found && linkedIdOf(this.erp, found) === linkedId ? found : undefined;
  }

  /** The ERP customer: named on the order, else through the customer's link. */
  private async customerNumber(): Promise<string> {
    const { source } = this.options;
    const erpSystem = this.erp.system;
    const customer = this.order.customer;
    const named = customer.ids?.[erpSystem] ?? customer.number;
    if (named !== undefined) return named;
    const sourceCustomerId = customer.ids?.[source];
    if (sourceCustomerId === undefined) {
      throw rejected(
        `${this.label} names its customer by neither a ${source} id nor an ${erpSystem} number`,
        erpSystem,
      );
    }
    const linked = (await this.store.lookup(CUSTOMER_ENTITY, source, sourceCustomerId))?.ids[erpSystem];
    if (linked === undefined) {
      throw rejected(
        `customer ${source}=${clipText(sourceCustomerId, 200)} of ${this.label} is not linked to ${erpSystem}; sync the customer first`,
        erpSystem,
      );
    }
    return linked;
  }

  /**
   * An ERP order found by the key but not linked is ours only if it is for the same customer: someone may
   * have typed the same text as a customer's reference. A customer given by its ERP record id cannot be compared.
   */
  private checkSameCustomer(found: SystemRecord<Order>, customerNumber: string): void {
    const known = [found.data.customer.number, ...Object.values(found.data.customer.ids ?? {})];
    const same = known.some((value) => value?.toUpperCase() === customerNumber.toUpperCase());
    if (!same && !GUID.test(customerNumber)) {
      const erpOrder = found.number ?? found.id;
      throw new SyncError({
        code: 'CONFLICT',
        system: this.erp.system,
        message:
          `${this.label}: ${this.erp.system} order ${erpOrder} already has the external document number ${this.key} ` +
          `but is for customer ${found.data.customer.number ?? '?'}, not ${customerNumber}; nothing was written`,
        details: { externalDocumentNumber: this.key, erpOrder },
      });
    }
  }

  /** The lines with ERP item numbers: the node's table first, then the item links. */
  private async erpLines(): Promise<OrderLine[]> {
    const { table, useLinks, unknown } = this.options.items;
    const translating = useLinks || Object.keys(table).length > 0;
    const linked = new Map<string, string | undefined>();
    const untranslated: string[] = [];
    const lines: OrderLine[] = [];
    for (const [index, line] of this.order.lines.entries()) {
      let itemNumber = table[line.itemNumber];
      if (itemNumber === undefined && useLinks) {
        if (!linked.has(line.itemNumber)) {
          const link = await this.store.lookup(ITEM_ENTITY, this.options.source, line.itemNumber);
          linked.set(line.itemNumber, link?.ids[this.erp.system]);
        }
        itemNumber = linked.get(line.itemNumber);
      }
      if (itemNumber === undefined && translating && unknown === 'reject') {
        untranslated.push(`lines[${index}] "${line.itemNumber}"`);
      }
      lines.push({ ...line, itemNumber: itemNumber ?? line.itemNumber });
    }
    if (untranslated.length > 0) {
      const inTable = Object.keys(table).length > 0;
      const why =
        inTable && useLinks ? 'neither in the item table nor linked' : inTable ? 'not in the item table' : 'not linked';
      throw rejected(
        `${this.label}: no ${this.erp.system} item number for ${untranslated.join(', ')} (${why}); nothing was written`,
        this.erp.system,
      );
    }
    return lines;
  }

  /** The draft as it goes to the ERP, checked against the NAV / BC field lengths. */
  private checkedDraft(customerNumber: string, lines: OrderLine[]): OrderDraft {
    const { order } = this;
    const { useSourcePrices, lang } = this.options;
    // The ERP's lengths apply to what it receives: the translated item numbers.
    const asSent = { ...order, lines };
    const check = ModelValidator.instance().validate('order', asSent, { lang, profile: 'nav' });
    if (!check.valid) throw validationError('order', asSent, check.problems, lang, this.index);
    return {
      customerNumber,
      externalDocumentNumber: this.key,
      orderDate: order.orderDate,
      ...(order.requestedDeliveryDate !== undefined && { requestedDeliveryDate: order.requestedDeliveryDate }),
      // CRM prices are in the CRM's currency; ERP prices in the currency the ERP keeps for the customer.
      ...(useSourcePrices && order.currency !== undefined && { currency: order.currency }),
      lines,
      useSourcePrices,
    };
  }

  private async link(record: SystemRecord<Order>): Promise<LinkGroup> {
    const erpId = linkedIdOf(this.erp, record);
    const ids = { [this.options.source]: this.order.sourceId, [this.erp.system]: erpId };
    try {
      return (await this.store.link({ entity: ORDER_ENTITY, ids }, { replace: false })).link;
    } catch (error) {
      // The external document number finds the order again: a repeat links it and creates nothing.
      throw afterErpWrite(
        error,
        'store',
        `${this.label} is ${this.erp.system} order ${erpId}, but linking the two failed; send the order again to link it`,
      );
    }
  }

  private result(
    result: CreateOrderResult['result'],
    link: LinkGroup,
    record: SystemRecord<Order> | undefined,
    linkedId: string,
  ): CreateOrderResult {
    return {
      result,
      sourceId: this.order.sourceId,
      number: record?.number ?? linkedId,
      status: record?.data.status ?? null,
      ids: link.ids,
      linkId: link.linkId,
      externalDocumentNumber: this.key,
    };
  }
}

/** The ERP order exists and is linked: sending the order again repeats only the write-back. */
function writeBackFailed(
  error: unknown,
  target: WriteBack,
  result: CreateOrderResult,
  label: string,
  erpSystem: string,
): SyncError {
  const message = `${label} is ${erpSystem} order ${result.number}, but writing that number back to ${target.crm.system} failed`;
  return afterErpWrite(error, target.crm.system, message, result);
}

async function writeBack(
  target: WriteBack,
  result: CreateOrderResult,
  label: string,
  erpSystem: string,
): Promise<CreateOrderResult> {
  try {
    await target.crm.orders!.setExternalNumber!(result.sourceId, result.number, target.field);
  } catch (error) {
    throw writeBackFailed(error, target, result, label, erpSystem);
  }
  return { ...result, writtenBack: true };
}

/** The write-backs of a list: together where the CRM's driver can, else one by one. */
async function writeBackAll(
  target: WriteBack,
  written: ReadonlyArray<{ result: CreateOrderResult; label: string }>,
  erpSystem: string,
): Promise<OrderOutcome[]> {
  const port = target.crm.orders!;
  if (port.setExternalNumbers === undefined || written.length < 2) {
    return eachLimited(written, PARALLEL_LOOKUPS, ({ result, label }) =>
      settle(writeBack(target, result, label, erpSystem), erpSystem),
    );
  }
  const entries = written.map(({ result }) => ({ id: result.sourceId, number: result.number }));
  const answers = await port.setExternalNumbers(entries, target.field).catch((error: unknown) => {
    const failure = toSyncError(error, target.crm.system);
    return entries.map(() => ({ ok: false as const, error: failure }));
  });
  return written.map(({ result, label }, position) => {
    const answer = answers[position]!;
    return answer.ok
      ? { ok: true, result: { ...result, writtenBack: true } }
      : { ok: false, error: writeBackFailed(answer.error, target, result, label, erpSystem) };
  });
}

/**
 * Creates one canonical order in the ERP, or returns the ERP order it already became. Throws a SyncError:
 * VALIDATION (the order is not a valid canonical order for NAV / BC), REJECTED (a rule of the node said no;
 * nothing was written), CONFIG, or what the ERP, the store or the write-back answered.
 * `index` names the record's place in a list in messages.
 */
export async function createOrder(
  erp: SystemDriver,
  store: SyncStore,
  options: CreateOrderOptions,
  input: unknown,
  index?: number,
): Promise<CreateOrderResult> {
  const orders = orderPortOf(erp, options);
  const transfer = checkedTransfer(erp, orders, store, options, input, index);
  const result = await holdingKeys([lockKey(erp, transfer.key)], () => transfer.run());
  return options.writeBack ? writeBack(options.writeBack, result, transfer.label, erp.system) : result;
}

/** The outcome of one order of a list. */
export type OrderOutcome = { ok: true; result: CreateOrderResult } | { ok: false; error: SyncError };

/**
 * Creates a list of canonical orders, with one outcome per order in list order; a failure fails that
 * order only. The orders go through the same steps as one order alone, but the ERP writes travel
 * together in the ERP's batch form where its driver has one (Business Central: `$batch` of up to 100
 * deep inserts). Every order is looked up by its link and its external document number before anything
 * is created, so a list sent twice creates nothing the second time. An order repeated within the list
 * waits for the first one and then answers `existing`. Throws only for settings that fail every order
 * (CONFIG).
 */
export async function createOrders(
  erp: SystemDriver,
  store: SyncStore,
  options: CreateOrderOptions,
  inputs: readonly unknown[],
): Promise<OrderOutcome[]> {
  const orders = orderPortOf(erp, options);
  const outcomes: Array<OrderOutcome | undefined> = inputs.map(() => undefined);
  const together: Array<{ index: number; transfer: OrderTransfer }> = [];
  const repeated: number[] = [];
  const keys = new Set<string>();
  for (const [index, input] of inputs.entries()) {
    try {
      const transfer = checkedTransfer(erp, orders, store, options, input, index);
      if (keys.has(transfer.key)) repeated.push(index);
      else together.push({ index, transfer });
      keys.add(transfer.key);
    } catch (error) {
      outcomes[index] = { ok: false, error: toSyncError(error, erp.system) };
    }
  }
  const transfers = together.map(({ transfer }) => transfer);
  const written = await holdingKeys(
    transfers.map((transfer) => lockKey(erp, transfer.key)),
    () => createTogether(orders, transfers, erp.system),
  );
  const toWriteBack: Array<{ index: number; result: CreateOrderResult; label: string }> = [];
  for (const [position, outcome] of written.entries()) {
    const { index, transfer } = together[position]!;
    if (outcome.ok && options.writeBack) toWriteBack.push({ index, result: outcome.result, label: transfer.label });
    else outcomes[index] = outcome;
  }
  if (options.writeBack) {
    const writtenBack = await writeBackAll(options.writeBack, toWriteBack, erp.system);
    for (const [position, { index }] of toWriteBack.entries()) outcomes[index] = writtenBack[position];
  }
  for (const index of repeated) {
    outcomes[index] = await settle(createOrder(erp, store, options, inputs[index], index), erp.system);
  }
  return outcomes.map((outcome) => outcome!);
}

/** Validates the input as a canonical order and applies the status rule. */
function checkedTransfer(
  erp: SystemDriver,
  orders: OrderPort,
  store: SyncStore,
  options: CreateOrderOptions,
  input: unknown,
  index: number | undefined,
): OrderTransfer {
  const check = ModelValidator.instance().validate('order', input, { lang: options.lang });
  if (!check.valid) throw validationError('order', input, check.problems, options.lang, index);
  const transfer = new OrderTransfer(erp, orders, store, options, input as Order, index);
  transfer.checkStatus();
  return transfer;
}

async function settle(work: Promise<CreateOrderResult>, system: string): Promise<OrderOutcome> {
  try {
    return { ok: true, result: await work };
  } catch (error) {
    return { ok: false, error: toSyncError(error, system) };
  }
}

/**
 * The ERP orders of the transfers that will look theirs up by key, in a request or two instead of one per
 * order. Undefined when the ERP's driver cannot, or when the look-up fails: each order then looks itself
 * up and fails, if at all, with its own error.
 */
async function ordersByKey(orders: OrderPort, transfers: readonly OrderTransfer[]): Promise<OrdersByKey | undefined> {
  if (orders.findAnyByExternalDocumentNumber === undefined) return undefined;
  const keys: string[] = [];
  for (const transfer of transfers) if (await transfer.needsKeyLookup()) keys.push(transfer.key);
  if (keys.length < 2) return undefined;
  const found = await orders.findAnyByExternalDocumentNumber(keys).catch(() => undefined);
  if (found === undefined) return undefined;
  const byKey = new Map<string, SystemRecord<Order> | undefined>(keys.map((key) => [key, undefined]));
  for (const record of found) {
    const key = record.data.externalDocumentNumber?.toUpperCase();
    if (key !== undefined && byKey.has(key) && byKey.get(key) === undefined) byKey.set(key, record);
  }
  return byKey;
}

/** Prepares every transfer, then creates the drafts in one batch (or one by one without a batch API) and links them. */
async function createTogether(
  orders: OrderPort,
  transfers: readonly OrderTransfer[],
  system: string,
): Promise<OrderOutcome[]> {
  const byKey = await ordersByKey(orders, transfers);
  const steps = await eachLimited(transfers, PARALLEL_LOOKUPS, async (transfer) => {
    try {
      return await transfer.prepare(byKey);
    } catch (error) {
      return { failed: toSyncError(error, system) };
    }
  });
  const outcomes: OrderOutcome[] = [];
  const pending: Array<{ position: number; draft: OrderDraft }> = [];
  for (const [position, step] of steps.entries()) {
    if ('failed' in step) outcomes[position] = { ok: false, error: step.failed };
    else if ('existing' in step) outcomes[position] = { ok: true, result: step.existing };
    else pending.push({ position, draft: step.draft });
  }
  const written = await createDrafts(
    orders,
    pending.map(({ draft }) => draft),
    system,
  );
  await eachLimited([...pending.entries()], PARALLEL_LOOKUPS, async ([at, { position }]) => {
    const write = written[at]!;
    outcomes[position] = write.ok
      ? await settle(transfers[position]!.created(write.record), system)
      : { ok: false, error: write.error };
  });
  return outcomes;
}

/** One result per draft: a batch where the driver has one, else one create after the other. */
async function createDrafts(
  orders: OrderPort,
  drafts: readonly OrderDraft[],
  system: string,
): Promise<Array<WriteResult<Order>>> {
  const failed = (error: unknown): WriteResult<Order> => ({ ok: false, error: toSyncError(error, system) });
  if (orders.createBatch && drafts.length > 1) {
    try {
      return await orders.createBatch([...drafts]);
    } catch (error) {
      return drafts.map(() => failed(error));
    }
  }
  return eachLimited<OrderDraft, WriteResult<Order>>(drafts, 1, async (draft) => {
    try {
      return { ok: true, record: await orders.create(draft), created: true };
    } catch (error) {
      return failed(error);
    }
  });
}
