/**
 * Upsert of canonical customers into one target system, with the sync rules peer tools leave to
 * hand-written code: matching (link → external key → natural key → create), field ownership,
 * change detection by field hashes, echo suppression, dry runs, and batches with per-record results.
 */
import { SyncError, toSyncError } from '../errors';
import type { Lang } from '../i18n';
import { describeRecord, validationError } from '../model/describe';
import type { ProfileId } from '../model/profiles';
import type { Customer } from '../model/types.generated';
import { ModelValidator } from '../model/validator';
import type { CustomerWrite, NaturalKey, SystemDriver, SystemRecord, WriteResult } from '../ports';
import type { SyncStore, WrittenState } from '../store/ports';
import { fieldHash, fieldHashes } from './field-hashes';
import { CUSTOMER_FIELDS, fieldsLedBy, type CustomerField, type Ownership } from './ownership';

export const ENTITY = 'customer';

export interface UpsertOptions {
  /** The system the records come from; they must carry `ids[source]`. */
  source: string;
  ownership: Ownership;
  /** On create, write every field the record has, not only those the source leads. */
  createWritesAll: boolean;
  /** Tried when neither a link nor an external key finds the record. */
  naturalKey?: NaturalKey;
  /** Plan only: return the exact write and touch nothing. */
  dryRun: boolean;
  /** Prospects stay in the CRM: they are rejected with a reason instead of written. */
  skipProspects: boolean;
  lang: Lang;
}

export type UpsertResultKind = 'created' | 'updated' | 'unchanged' | 'planned' | 'rejected';

export interface UpsertResult {
  result: UpsertResultKind;
  /** The record's ids after the step: source id, target id once known. */
  ids: Record<string, string>;
  linkId?: string;
  /** How the target record was found. */
  matchedBy: 'link' | 'externalKey' | 'naturalKey' | 'none';
  /** What was (or, in a dry run, would be) written. */
  action: 'create' | 'update' | 'none';
  write?: Partial<Customer>;
  /** Why nothing was written, or why the record was rejected. */
  reason?: string;
  /** Fields the source leads and the record carries, which the target has no place for. */
  notStored?: CustomerField[];
  error?: SyncError;
}

/** The field-length profile of each driver's target system. */
export function profileForDriver(driver: string): ProfileId | undefined {
  return driver === 'bc-api' || driver === 'nav-sql' ? 'nav' : driver === 'dataverse' ? 'dataverse' : undefined;
}

function rejected(message: string, system: string): SyncError {
  return new SyncError({ code: 'REJECTED', system, message });
}

/** The id a record of this target is linked by (BC: its number; Dataverse: its GUID). */
function linkIdOf(target: SystemDriver, record: SystemRecord<Customer>): string {
  return target.linkKey === 'number' ? (record.data.ids[target.system] ?? record.number ?? record.id) : record.id;
}

async function fetchLinked(target: SystemDriver, key: string): Promise<SystemRecord<Customer> | undefined> {
  const customers = target.customers!;
  return target.linkKey === 'number' ? customers.getByNumber(key) : customers.getById(key);
}

function pick(record: Customer, fields: readonly CustomerField[]): Partial<Customer> {
  const out: Partial<Customer> = {};
  for (const field of fields) {
    if (record[field] !== undefined) (out as Record<string, unknown>)[field] = record[field];
  }
  return out;
}

/** A natural key's value as candidates are assigned by it: case and surrounding spaces do not count. */
function naturalKeyValue(key: NaturalKey, customer: Partial<Customer>): string | undefined {
  const text = (value: unknown) =>
    typeof value === 'string' && value.trim() !== '' ? value.trim().toLowerCase() : undefined;
  switch (key) {
    case 'email':
      return text(customer.email);
    case 'taxId':
      return text(customer.taxId);
    case 'namePostCode': {
      const name = text(customer.name);
      const postCode = text(customer.address?.postCode);
      return name !== undefined && postCode !== undefined ? `${name}\n${postCode}` : undefined;
    }
  }
}

function byNaturalKey(
  key: NaturalKey,
  records: ReadonlyArray<SystemRecord<Customer>>,
): Map<string, Array<SystemRecord<Customer>>> {
  const byValue = new Map<string, Array<SystemRecord<Customer>>>();
  for (const record of records) {
    const value = naturalKeyValue(key, record.data);
    if (value !== undefined) byValue.set(value, [...(byValue.get(value) ?? []), record]);
  }
  return byValue;
}

/** A write whose answer was lost (a reset connection): the target may or may not have carried it out. */
function outcomeUnknown(error: SyncError): boolean {
  const details = error.details as Record<string, unknown> | undefined;
  return details?.['outcomeUnknown'] === true;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Natural-key candidates looked up for a whole batch, by naturalKeyValue. */
type Candidates = ReadonlyMap<string, Array<SystemRecord<Customer>>>;

/** A record's planned step, before anything is written. */
interface Plan {
  index: number;
  record: Customer;
  sourceId: string;
  label: string;
  result: UpsertResult;
  /** Set when something is to be written. */
  write?: CustomerWrite;
  /** The link's target slot holds a record that no longer exists: relink with replace. */
  staleLink: boolean;
  /** Nothing to write, but the record was found without a (valid) link: the link is written alone. */
  linkOnly?: boolean;
}

export class CustomerUpsert {
  private readonly validator = ModelValidator.instance();

  constructor(
    private readonly target: SystemDriver,
    private readonly store: SyncStore,
    private readonly options: UpsertOptions,
  ) {
    if (!target.customers || !target.capabilities.customers.write) {
      throw new SyncError({
        code: 'CONFIG',
        system: target.system,
        message: `${target.system} (${target.driver}) cannot write customers`,
      });
    }
    if (options.source === target.system) {
      throw new SyncError({
        code: 'CONFIG',
        system: target.system,
        message: `the source system and the target are both ${target.system}`,
      });
    }
  }

  /** One record; failures are thrown, rejections come back as result `rejected` with the error. */
  async one(input: unknown): Promise<UpsertResult> {
    return this.alone(input, 0, false);
  }

  /**
   * Several records: each planned on its own, written in the target's batch form where it has one. A
   * record that would create or link a target record another record of the list also claims (the same
   * source id, the same natural key) waits and goes alone after the batch, so it meets what the first one
   * wrote, as it would in two messages: a list never creates a customer twice.
   */
  async many(inputs: unknown[]): Promise<Array<UpsertResult | SyncError>> {
    const outcomes: Array<UpsertResult | SyncError | Plan> = [];
    const candidates = await this.naturalKeyCandidates(inputs);
    for (const [index, input] of inputs.entries()) {
      try {
        outcomes.push(await this.plan(input, index, true, candidates));
      } catch (error) {
        outcomes.push(toSyncError(error, this.target.system));
      }
    }
    const later = this.claimedTwice(outcomes.filter(isPlan));
    const toWrite = outcomes.filter(
      (o): o is Plan & { write: CustomerWrite } => isPlan(o) && o.write !== undefined && !later.has(o),
    );
    const written = await this.writeMany(toWrite.map((p) => p.write));
    await this.findLostCreates(toWrite, written);
    const results = new Map<Plan, UpsertResult | SyncError>();
    for (const plan of outcomes.filter((o): o is Plan => isPlan(o) && o.linkOnly === true && !later.has(o))) {
      results.set(plan, await this.linkOnly(plan).catch((error: unknown) => toSyncError(error, this.target.system)));
    }
    for (const [i, plan] of toWrite.entries()) {
      try {
        results.set(plan, await this.execute(plan, written[i]!));
      } catch (error) {
        results.set(plan, toSyncError(error, this.target.system));
      }
    }
    for (const plan of later) {
      const input = inputs[plan.index];
      results.set(
        plan,
        await this.alone(input, plan.index, true).catch((e: unknown) => toSyncError(e, this.target.system)),
      );
    }
    return outcomes.map((o) => (isPlan(o) ? (results.get(o) ?? o.result) : o));
  }

  /**
   * Creates whose answer was lost may have happened. With a natural key they are looked up together: a
   * record found now, where planning found none, is the one the batch created, and counts as created.
   * Those not found stay failed (retryable) and are not sent again blindly. Replaces entries of `written`.
   */
  private async findLostCreates(
    plans: ReadonlyArray<Plan & { write: CustomerWrite }>,
    written: Array<WriteResult<Customer>>,
  ): Promise<void> {
    const { naturalKey } = this.options;
    const customers = this.target.customers!;
    const usable =
      naturalKey !== undefined &&
      customers.findAnyByNaturalKey !== undefined &&
      this.target.capabilities.customers.naturalKeys.includes(naturalKey);
    if (!usable) return;
    const lost = [...plans.entries()].filter(([position, plan]) => {
      const write = written[position]!;
      const value = naturalKeyValue(naturalKey, plan.record);
      return !write.ok && outcomeUnknown(write.error) && plan.write.op === 'create' && value !== undefined;
    });
    if (lost.length === 0) return;
    const found = await customers.findAnyByNaturalKey!(
      naturalKey,
      lost.map(([, plan]) => plan.record),
    ).catch(() => undefined);
    if (found === undefined) return;
    const byValue = byNaturalKey(naturalKey, found);
    for (const [position, plan] of lost) {
      const matches = byValue.get(naturalKeyValue(naturalKey, plan.record)!) ?? [];
      if (matches.length === 1) written[position] = { ok: true, record: matches[0]!, created: true };
    }
  }

  /** Plans and carries out one record; `inBatch` names it by its place in the list. */
  private async alone(input: unknown, index: number, inBatch: boolean): Promise<UpsertResult> {
    const plan = await this.plan(input, index, inBatch);
    if (plan.linkOnly) return this.linkOnly(plan);
    if (plan.result.result === 'rejected' || !plan.write) return plan.result;
    return this.execute(plan, await this.writeOne(plan.write));
  }

  /**
   * The plans, in list order, that would create or link a target record by the same source id or natural
   * key as an earlier plan of the list that also creates or links one. Planned together they would both
   * create; one after the other, the second finds the first.
   */
  private claimedTwice(plans: readonly Plan[]): Set<Plan> {
    const { naturalKey } = this.options;
    const claimed = new Set<string>();
    const later = new Set<Plan>();
    for (const plan of plans) {
      const binding =
        plan.result.result !== 'rejected' &&
        (plan.write?.op === 'create' ||
          ((plan.write !== undefined || plan.linkOnly === true) && plan.result.matchedBy !== 'link'));
      if (!binding) continue;
      const value = naturalKey === undefined ? undefined : naturalKeyValue(naturalKey, plan.record);
      const claims = [`id\u0000${plan.sourceId}`, ...(value === undefined ? [] : [`key\u0000${value}`])];
      if (claims.some((claim) => claimed.has(claim))) later.add(plan);
      for (const claim of claims) claimed.add(claim);
    }
    return later;
  }

  private async writeOne(write: CustomerWrite): Promise<WriteResult<Customer>> {
    const customers = this.target.customers!;
    if (write.op === 'create') return { ok: true, record: await customers.create(write.customer), created: true };
    if (write.op === 'update') {
      return { ok: true, record: await customers.update(write.id, write.changes, write.etag), created: false };
    }
    const upserted = await customers.upsertByNumber!(write.number, write.customer);
    return { ok: true, record: upserted.record, created: upserted.created };
  }

  private async writeMany(writes: CustomerWrite[]): Promise<Array<WriteResult<Customer>>> {
    const customers = this.target.customers!;
    if (writes.length > 1 && customers.writeBatch && this.target.capabilities.batchSize > 1) {
      return customers.writeBatch(writes);
    }
    const results: Array<WriteResult<Customer>> = [];
    for (const write of writes) {
      try {
        results.push(await this.writeOne(write));
      } catch (error) {
        results.push({ ok: false, error: toSyncError(error, this.target.system) });
      }
    }
    return results;
  }

  /**
   * The natural-key candidates of the records that will need them (neither linked nor carrying the
   * target's key), looked up together: a batch costs a request or two instead of one per record. Undefined
   * when the target cannot do that; the records are then looked up one by one, as are those left out.
   */
  private async naturalKeyCandidates(inputs: readonly unknown[]): Promise<Candidates | undefined> {
    const { naturalKey, source } = this.options;
    const target = this.target;
    const customers = target.customers!;
    const usable =
      naturalKey !== undefined &&
      customers.findAnyByNaturalKey !== undefined &&
      target.capabilities.customers.naturalKeys.includes(naturalKey) &&
      target.numberSystem !== source;
    if (!usable) return undefined;
    const wanted: Customer[] = [];
    for (const input of inputs) {
      if (!isObject(input) || !isObject(input.ids) || input.ids[target.system] !== undefined) continue;
      const sourceId = input.ids[source];
      if (typeof sourceId !== 'string' || naturalKeyValue(naturalKey, input) === undefined) continue;
      const link = await this.store.lookup(ENTITY, source, sourceId);
      if (link?.ids[target.system] === undefined) wanted.push(input as unknown as Customer);
    }
    if (wanted.length < 2) return undefined;
    // A failed lookup is not the batch's end: each record is then looked up alone, and fails with its own error.
    const found = await customers.findAnyByNaturalKey!(naturalKey, wanted).catch(() => undefined);
    if (found === undefined) return undefined;
    const byValue = byNaturalKey(naturalKey, found);
    const candidates = new Map<string, Array<SystemRecord<Customer>>>();
    for (const customer of wanted) {
      const value = naturalKeyValue(naturalKey, customer)!;
      candidates.set(value, byValue.get(value) ?? []);
    }
    return candidates;
  }

  /** Validation, matching and the planned write; nothing is written here. */
  private async plan(input: unknown, index: number, inBatch: boolean, candidates?: Candidates): Promise<Plan> {
    const { source, lang } = this.options;
    const target = this.target;
    const profile = profileForDriver(target.driver);
    const check = this.validator.validate('customer', input, { lang, ...(profile ? { profile } : {}) });
    if (!check.valid) throw validationError('customer', input, check.problems, lang, inBatch ? index : undefined);
    const record = input as Customer;
    const label = describeRecord('customer', record, lang, inBatch ? index : undefined);
    const sourceId = record.ids[source];
    if (sourceId === undefined) {
      throw new SyncError({
        code: 'VALIDATION',
        system: 'input',
        message: `${label} has no ids.${source}: the id of the system it comes from is needed to link it`,
      });
    }
    const result: UpsertResult = {
      result: 'unchanged',
      ids: { [source]: sourceId },
      matchedBy: 'none',
      action: 'none',
    };
    const plan: Plan = { index, record, sourceId, label, result, staleLink: false };
    const reject = (reason: string) => {
      result.result = 'rejected';
      result.reason = reason;
      result.error = rejected(`${label}: ${reason}`, target.system);
      return plan;
    };
    if (this.options.skipProspects && record.lifecycle === 'prospect') {
      return reject(`it is a prospect; only customers go to ${target.system}`);
    }

    const found = await this.match(plan, candidates);
    if (typeof found === 'string') return reject(found);
    const existing = found?.record;
    const linkId = found?.linkId;
    if (linkId) result.linkId = linkId;
    if (existing) result.ids[target.system] = linkIdOf(target, existing);

    const stored = target.capabilities.customers.fields;
    const led = fieldsLedBy(this.options.ownership, source);
    const owned = led.filter((field) => stored.includes(field));
    const notStored = led.filter((field) => !stored.includes(field) && record[field] !== undefined);
    if (notStored.length > 0) result.notStored = notStored;
    if (!existing) {
      const fields = this.options.createWritesAll ? CUSTOMER_FIELDS.filter((field) => stored.includes(field)) : owned;
      const write = { ...pick(record, fields), ids: record.ids, name: record.name } as Customer;
      result.action = 'create';
      result.write = write;
      plan.write = { op: 'create', customer: write };
    } else {
      const changes = pick(record, owned);
      const [toTarget, toSource] = linkId
        ? await Promise.all([this.state(linkId, target.system), this.state(linkId, source)])
        : [undefined, undefined];
      let echoed = 0;
      for (const field of Object.keys(changes) as CustomerField[]) {
        const hash = fieldHash(changes[field]);
        // Unchanged: this value is what we last wrote to the target, or what the target holds anyway.
        if (toTarget?.fieldHashes[field] === hash || fieldHash(existing.data[field]) === hash) delete changes[field];
        // Echo: the source holds this value because we wrote it there; it is not a change made in the source.
        else if (toSource?.fieldHashes[field] === hash) {
          delete changes[field];
          echoed++;
        }
      }
      // A target that keeps the source's id (the ERP number on a CRM account) gets it when it lacks it,
      // e.g. after a match by e-mail, so the next lookup by that key finds the record.
      const keyMissing = target.numberSystem === source && existing.number !== plan.sourceId;
      if (Object.keys(changes).length === 0 && !keyMissing) {
        result.reason = echoed > 0 ? 'echo of our own write' : 'no owned field changed since the last write';
        if ((!linkId || plan.staleLink) && !this.options.dryRun) plan.linkOnly = true;
        return plan;
      }
      if (keyMissing) changes.ids = { [source]: plan.sourceId };
      result.action = 'update';
      result.write = changes;
      plan.write = { op: 'update', id: existing.id, changes, ...(existing.etag ? { etag: existing.etag } : {}) };
    }
    if (this.options.dryRun) {
      result.result = 'planned';
      delete plan.write;
    }
    return plan;
  }

  private state(linkId: string, system: string): Promise<WrittenState | undefined> {
    return this.store.writtenState(ENTITY, linkId, system);
  }

  /**
   * Finds the target record: through the link, the target's own id on the record, the source id the
   * target keeps (the ERP number on a CRM account), or the natural key. A string means: reject, because.
   */
  private async match(
    plan: Plan,
    candidates?: Candidates,
  ): Promise<{ record: SystemRecord<Customer>; linkId?: string } | string | undefined> {
    const { source } = this.options;
    const target = this.target;
    const customers = target.customers!;
    const link = await this.store.lookup(ENTITY, source, plan.sourceId);
    const linkedKey = link?.ids[target.system];
    if (link && linkedKey !== undefined) {
      const record = await fetchLinked(target, linkedKey);
      plan.result.matchedBy = 'link';
      if (record) return { record, linkId: link.linkId };
      plan.staleLink = true; // linked record deleted in the target: find or create anew, then relink
    }
    let found: SystemRecord<Customer> | undefined;
    const ownKey = plan.record.ids[target.system];
    if (ownKey !== undefined) found = await fetchLinked(target, ownKey);
    else if (target.numberSystem === source) found = await customers.getByNumber(plan.sourceId);
    if (found) plan.result.matchedBy = 'externalKey';
    const naturalKey = this.options.naturalKey;
    if (!found && naturalKey && target.capabilities.customers.naturalKeys.includes(naturalKey)) {
      const value = naturalKeyValue(naturalKey, plan.record);
      const sharing =
        (value !== undefined ? candidates?.get(value) : undefined) ??
        (await customers.findByNaturalKey(naturalKey, plan.record));
      if (sharing.length > 1) {
        const keys = sharing.map((c) => linkIdOf(target, c)).join(', ');
        return `${sharing.length} customers in ${target.system} share its ${naturalKey} (${keys}); link it by hand`;
      }
      found = sharing[0];
      if (found) plan.result.matchedBy = 'naturalKey';
    }
    if (!found) return undefined;
    const foundKey = linkIdOf(target, found);
    const owner = await this.store.lookup(ENTITY, target.system, foundKey);
    const ownerSourceId = owner?.ids[source];
    if (owner && ownerSourceId !== undefined && ownerSourceId !== plan.sourceId) {
      return `${target.system} ${foundKey} is already linked to ${source} ${ownerSourceId}`;
    }
    return { record: found, ...(owner ? { linkId: owner.linkId } : link ? { linkId: link.linkId } : {}) };
  }

  /** A record found unchanged by its external or natural key: it is linked, so the next match is by link. */
  private async linkOnly(plan: Plan): Promise<UpsertResult> {
    const { result } = plan;
    const targetKey = result.ids[this.target.system]!;
    const outcome = await this.store.link(
      { entity: ENTITY, ids: { [this.options.source]: plan.sourceId, [this.target.system]: targetKey } },
      { replace: plan.staleLink },
    );
    result.linkId = outcome.link.linkId;
    return result;
  }

  /** After the write: link and field hashes in one transaction, then the result. */
  private async execute(plan: Plan, written: WriteResult<Customer>): Promise<UpsertResult> {
    const { result } = plan;
    if (!written.ok) throw written.error;
    const target = this.target;
    const targetKey = linkIdOf(target, written.record);
    const hashes = fieldHashes(result.write as Record<string, unknown>);
    delete hashes.ids;
    const outcome = await this.store.commitWrite(
      { entity: ENTITY, ids: { [this.options.source]: plan.sourceId, [target.system]: targetKey } },
      { system: target.system, fieldHashes: hashes },
      { replace: plan.staleLink },
    );
    result.result = written.created ? 'created' : 'updated';
    result.ids = { ...result.ids, [target.system]: targetKey };
    result.linkId = outcome.link.linkId;
    return result;
  }
}

function isPlan(value: unknown): value is Plan {
  return value !== null && typeof value === 'object' && 'sourceId' in value && 'result' in value;
}
