import { randomBytes, randomUUID } from 'node:crypto';
import { ERROR_CODES, SyncError } from '../errors';
import { quoteValue } from '../model/describe';
import { LATEST_VERSION, MIGRATIONS, versionTableStatement } from './migrations';
import type {
  DeadLetter,
  DeadLetterFilter,
  DeadLetterInput,
  DeadLetterPage,
  LinkGroup,
  LinkOptions,
  LinkOutcome,
  LinkPage,
  LinkRequest,
  SyncStore,
  WrittenState,
} from './ports';
import type { SqlBackend, SqlParams, SqlRunner } from './sql-backend';

interface LinkRow {
  entity: string;
  link_id: string;
  system: string;
  record_id: string;
  created_at: string | Date;
  updated_at: string | Date;
}

const ENTITY_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;
const SYSTEM_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,39}$/;
const MAX_RECORD_ID = 200;
const MAX_LINK_ID = 100;
const MAX_SYSTEMS_PER_LINK = 100;
const MAX_WATERMARK_NAME = 200;
const MAX_WATERMARK_VALUE = 100;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T/;
export const MAX_PAGE_SIZE = 1000;
const OPERATION_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;
const MAX_DEAD_LETTER_KEY = 300;
const MAX_REASON = 4000;
const MAX_NODE_ID = 100;
const MAX_NODE_NAME = 200;
/** Keys per DELETE when resolving, well under SQL Server's 2,100 parameters. */
const RESOLVE_CHUNK = 500;
const DEAD_LETTER_COLUMNS =
  'id, entity, operation, source_system, idempotency_key, payload, msg_properties, error_code, reason, attempts, first_failed_at, last_failed_at, node_id, node_name';

interface DeadLetterRow {
  id: string;
  entity: string;
  operation: string;
  source_system: string;
  idempotency_key: string;
  payload: string;
  msg_properties: string;
  error_code: string;
  reason: string;
  attempts: number;
  first_failed_at: string | Date;
  last_failed_at: string | Date;
  node_id: string | null;
  node_name: string | null;
}

function iso(value: string | Date): string {
  return value instanceof Date ? value.toISOString() : value;
}

function storeError(code: 'VALIDATION' | 'CONFLICT' | 'NOT_FOUND', message: string, details?: unknown): SyncError {
  return new SyncError({ code, system: 'store', message, ...(details === undefined ? {} : { details }) });
}

function describeIds(ids: Record<string, string>): string {
  return Object.entries(ids)
    .map(([system, id]) => `${system}=${id}`)
    .join(', ');
}

export function checkEntity(entity: unknown): string {
  if (typeof entity !== 'string' || !ENTITY_PATTERN.test(entity)) {
    throw storeError(
      'VALIDATION',
      `entity ${quoteValue(entity)} is not valid: use lower-case letters, digits, - or _ (e.g. customer, order)`,
    );
  }
  return entity;
}

export function checkSystemName(system: unknown, entity: string): void {
  if (typeof system !== 'string' || !SYSTEM_PATTERN.test(system)) {
    throw storeError(
      'VALIDATION',
      `${entity}: system name ${quoteValue(system)} is not valid (letters, digits, . _ -)`,
    );
  }
}

export function checkSystemId(system: unknown, recordId: unknown, entity: string): void {
  checkSystemName(system, entity);
  if (typeof recordId !== 'string' || recordId.length === 0 || recordId.length > MAX_RECORD_ID) {
    throw storeError(
      'VALIDATION',
      `${entity} ${system}: the record id must be a non-empty text of at most ${MAX_RECORD_ID} characters`,
    );
  }
  // Stored as UTF-8, half a surrogate pair would turn into U+FFFD and the id into another one's.
  if (/\p{Cs}/u.test(recordId)) {
    throw storeError(
      'VALIDATION',
      `${entity} ${system}: the record id ${quoteValue(recordId)} holds half of a surrogate pair, which is no valid text`,
    );
  }
}

function checkText(value: unknown, what: string, maxLength: number): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw storeError('VALIDATION', `${what} must be a non-empty text of at most ${maxLength} characters`);
  }
}

/**
 * Whether `candidate` lies after `current`. Systems write times with and without fractions of a second
 * (`…:05Z`, `…:05.123Z`), which text order gets wrong, so ISO 8601 times compare as instants; other
 * watermarks (e.g. a rowversion in fixed-width hex) as text. A watermark may carry a qualifier after
 * `#` (what was read at that instant): at the same instant, a different qualifier replaces the old one.
 */
export function isLaterWatermark(candidate: string, current: string): boolean {
  const [candidateAt, currentAt] = [candidate.split('#')[0]!, current.split('#')[0]!];
  if (ISO_DATE_TIME.test(candidateAt) && ISO_DATE_TIME.test(currentAt)) {
    const [later, earlier] = [Date.parse(candidateAt), Date.parse(currentAt)];
    // Equal to the millisecond, the finest unit of Date: text order compares any finer fraction.
    if (!Number.isNaN(later) && !Number.isNaN(earlier) && later !== earlier) return later > earlier;
  }
  if (candidateAt !== currentAt) return candidateAt > currentAt;
  return candidate !== current;
}

function truncated(text: string, maxLength: number): string {
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

let lastIdTime = 0;
let idSequence = 0;

/**
 * A UUID of version 7: the time in milliseconds first, then a counter within the millisecond, then random
 * bits, so ids sort in the order they were made (within one process) and keyset paging follows time.
 */
export function timeOrderedId(now = Date.now()): string {
  if (now > lastIdTime) {
    lastIdTime = now;
    idSequence = 0;
  } else if (++idSequence > 0xfff) {
    lastIdTime++;
    idSequence = 0;
  }
  const random = randomBytes(8);
  random[0] = (random[0]! & 0x3f) | 0x80; // the RFC 9562 variant
  const hex = lastIdTime.toString(16).padStart(12, '0') + '7' + idSequence.toString(16).padStart(3, '0');
  const tail = random.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${tail.slice(0, 4)}-${tail.slice(4)}`;
}

function checkOperation(operation: unknown): string {
  if (typeof operation !== 'string' || !OPERATION_PATTERN.test(operation)) {
    throw storeError(
      'VALIDATION',
      `dead letter: operation ${quoteValue(operation)} is not valid: use lower-case letters, digits, - or _ (e.g. create-order)`,
    );
  }
  return operation;
}

function checkErrorCode(code: unknown): void {
  if (!(ERROR_CODES as readonly unknown[]).includes(code)) {
    throw storeError(
      'VALIDATION',
      `dead letter: error code ${quoteValue(code)} is not one of ${ERROR_CODES.join(', ')}`,
    );
  }
}

/** JSON text of a value, or VALIDATION naming it when it has none (undefined, a function, a cycle, a BigInt). */
function jsonOf(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw storeError('VALIDATION', `${what} cannot be kept as JSON: ${(error as Error).message}`);
  }
  if (text === undefined) throw storeError('VALIDATION', `${what} cannot be kept as JSON: it is ${typeof value}`);
  return text;
}

function checkDeadLetterFilter(filter: DeadLetterFilter): void {
  if (filter.entity !== undefined) checkEntity(filter.entity);
  if (filter.operation !== undefined) checkOperation(filter.operation);
  if (filter.source !== undefined) checkSystemName(filter.source, 'dead letter');
  if (filter.code !== undefined) checkErrorCode(filter.code);
}

/** The WHERE conditions of a dead-letter filter, with their parameters. */
function deadLetterConditions(filter: DeadLetterFilter): { conditions: string[]; params: SqlParams } {
  checkDeadLetterFilter(filter);
  const conditions: string[] = [];
  const params: SqlParams = {};
  const columns = { entity: 'entity', operation: 'operation', source: 'source_system', code: 'error_code' } as const;
  for (const [field, column] of Object.entries(columns)) {
    const value = filter[field as keyof DeadLetterFilter];
    if (value === undefined) continue;
    conditions.push(`${column} = @${field}`);
    params[field] = value;
  }
  return { conditions, params };
}

function deadLetterOf(row: DeadLetterRow): DeadLetter {
  const letter: DeadLetter = {
    id: row.id,
    entity: row.entity,
    operation: row.operation,
    source: row.source_system,
    key: row.idempotency_key,
    payload: JSON.parse(row.payload) as unknown,
    message: JSON.parse(row.msg_properties) as Record<string, unknown>,
    code: row.error_code as DeadLetter['code'],
    reason: row.reason,
    attempts: Number(row.attempts),
    firstFailedAt: iso(row.first_failed_at),
    lastFailedAt: iso(row.last_failed_at),
  };
  if (row.node_id !== null) letter.nodeId = row.node_id;
  if (row.node_name !== null) letter.nodeName = row.node_name;
  return letter;
}

function checkRequest(request: LinkRequest): void {
  checkEntity(request.entity);
  const ids = request.ids as unknown;
  if (ids === null || typeof ids !== 'object' || Array.isArray(ids) || Object.keys(ids).length === 0) {
    throw storeError('VALIDATION', `${request.entity}: ids must be an object with at least one system's record id`);
  }
  // Each id is a row written in one transaction; a link across thousands of systems is a mistake.
  const systems = Object.keys(ids).length;
  if (systems > MAX_SYSTEMS_PER_LINK) {
    throw storeError(
      'VALIDATION',
      `${request.entity}: a link holds the ids of at most ${MAX_SYSTEMS_PER_LINK} systems, not ${systems}`,
    );
  }
  for (const [system, recordId] of Object.entries(ids)) checkSystemId(system, recordId, request.entity);
  if (
    request.linkId !== undefined &&
    (typeof request.linkId !== 'string' || request.linkId.length === 0 || request.linkId.length > MAX_LINK_ID)
  ) {
    throw storeError(
      'VALIDATION',
      `${request.entity}: linkId must be a non-empty text of at most ${MAX_LINK_ID} characters`,
    );
  }
}

function groupRows(rows: LinkRow[]): LinkGroup[] {
  const groups = new Map<string, LinkGroup>();
  for (const row of rows) {
    let group = groups.get(row.link_id);
    if (!group) {
      group = {
        entity: row.entity,
        linkId: row.link_id,
        ids: {},
        createdAt: iso(row.created_at),
        updatedAt: iso(row.updated_at),
      };
      groups.set(row.link_id, group);
    }
    group.ids[row.system] = row.record_id;
    if (iso(row.created_at) < group.createdAt) group.createdAt = iso(row.created_at);
    if (iso(row.updated_at) > group.updatedAt) group.updatedAt = iso(row.updated_at);
  }
  return [...groups.values()];
}

/**
 * The sync store on any SQL database. All link rules live here, once:
 * (entity, system, record id) is unique, and so is (entity, link id, system).
 */
export class RelationalStore implements SyncStore {
  readonly backend: 'sqlite' | 'mssql';
  readonly location: string;
  private readonly links: string;
  private readonly state: string;
  private readonly watermarks: string;
  private readonly deadLetters: string;

  private constructor(private readonly db: SqlBackend) {
    this.backend = db.dialect.name;
    this.location = db.location;
    this.links = db.dialect.table('links');
    this.state = db.dialect.table('sync_state');
    this.watermarks = db.dialect.table('watermarks');
    this.deadLetters = db.dialect.table('dead_letters');
  }

  /** Opens a store and brings its schema to the latest version. */
  static async open(db: SqlBackend): Promise<RelationalStore> {
    const store = new RelationalStore(db);
    try {
      await store.migrate();
    } catch (error) {
      await db.close();
      throw error;
    }
    return store;
  }

  private async migrate(): Promise<void> {
    const d = this.db.dialect;
    await this.db.exclusiveTransaction(async (tx) => {
      const exists = await tx.all(d.tableExists('schema_version'));
      if (exists.length === 0) await tx.run(versionTableStatement(d));
      const current = await this.readVersion(tx);
      if (current > LATEST_VERSION) {
        throw new SyncError({
          code: 'CONFIG',
          system: 'store',
          message: `the sync store at ${this.location} has schema version ${current}, newer than this package knows (${LATEST_VERSION}); update the package`,
        });
      }
      for (const migration of MIGRATIONS.filter((m) => m.version > current)) {
        for (const statement of migration.statements(d)) await tx.run(statement);
      }
      if (current === 0) {
        await tx.run(`INSERT INTO ${d.table('schema_version')} (id, version, updated_at) VALUES (1, @version, @now)`, {
          version: LATEST_VERSION,
          now: new Date(),
        });
      } else if (current < LATEST_VERSION) {
        await tx.run(`UPDATE ${d.table('schema_version')} SET version = @version, updated_at = @now WHERE id = 1`, {
          version: LATEST_VERSION,
          now: new Date(),
        });
      }
    });
  }

  private async readVersion(runner: SqlRunner): Promise<number> {
    const rows = await runner.all<{ version: number }>(
      `SELECT version FROM ${this.db.dialect.table('schema_version')} WHERE id = 1`,
    );
    return rows[0]?.version ?? 0;
  }

  schemaVersion(): Promise<number> {
    return this.readVersion(this.db);
  }

  private async rowsOfLink(runner: SqlRunner, entity: string, linkId: string): Promise<LinkRow[]> {
    return runner.all<LinkRow>(
      `SELECT entity, link_id, system, record_id, created_at, updated_at FROM ${this.links} WHERE entity = @entity AND link_id = @linkId`,
      { entity, linkId },
    );
  }

  private async rowOfRecord(runner: SqlRunner, entity: string, system: string, recordId: string) {
    const rows = await runner.all<LinkRow>(
      `SELECT entity, link_id, system, record_id, created_at, updated_at FROM ${this.links} WHERE entity = @entity AND system = @system AND record_id = @recordId`,
      { entity, system, recordId },
    );
    return rows[0];
  }

  async link(request: LinkRequest, options: LinkOptions): Promise<LinkOutcome> {
    checkRequest(request);
    return this.db.transaction((tx) => this.linkIn(tx, request, options, new Date()));
  }

  async commitWrite(
    request: LinkRequest,
    written: { system: string; fieldHashes: Record<string, string> },
    options: LinkOptions,
  ): Promise<LinkOutcome> {
    checkRequest(request);
    checkSystemName(written.system, request.entity);
    return this.db.transaction(async (tx) => {
      const now = new Date();
      const outcome = await this.linkIn(tx, request, options, now);
      const key = { entity: request.entity, linkId: outcome.link.linkId, system: written.system };
      const previous = await this.readState(tx, key.entity, key.linkId, key.system);
      // Fields not written this time keep their earlier hashes.
      const fieldHashes = JSON.stringify({ ...(previous?.fieldHashes ?? {}), ...written.fieldHashes });
      if (previous) {
        await tx.run(
          `UPDATE ${this.state} SET field_hashes = @fieldHashes, written_at = @now WHERE entity = @entity AND link_id = @linkId AND system = @system`,
          { ...key, fieldHashes, now },
        );
      } else {
        await tx.run(
          `INSERT INTO ${this.state} (entity, link_id, system, field_hashes, written_at) VALUES (@entity, @linkId, @system, @fieldHashes, @now)`,
          { ...key, fieldHashes, now },
        );
      }
      return outcome;
    });
  }

  async writtenState(entity: string, linkId: string, system: string): Promise<WrittenState | undefined> {
    checkEntity(entity);
    return this.readState(this.db, entity, linkId, system);
  }

  private async readState(runner: SqlRunner, entity: string, linkId: string, system: string) {
    const rows = await runner.all<{ field_hashes: string; written_at: string | Date }>(
      `SELECT field_hashes, written_at FROM ${this.state} WHERE entity = @entity AND link_id = @linkId AND system = @system`,
      { entity, linkId, system },
    );
    const row = rows[0];
    return row
      ? { fieldHashes: JSON.parse(row.field_hashes) as Record<string, string>, writtenAt: iso(row.written_at) }
      : undefined;
  }

  async getWatermark(name: string): Promise<string | undefined> {
    checkText(name, 'the watermark name', MAX_WATERMARK_NAME);
    return this.readWatermark(this.db, name);
  }

  async setWatermark(name: string, value: string): Promise<void> {
    checkText(name, 'the watermark name', MAX_WATERMARK_NAME);
    checkText(value, `the value of watermark ${name}`, MAX_WATERMARK_VALUE);
    await this.db.transaction(async (tx) => {
      const current = await this.readWatermark(tx, name);
      const params = { name, value, now: new Date() };
      if (current === undefined) {
        await tx.run(`INSERT INTO ${this.watermarks} (name, value, updated_at) VALUES (@name, @value, @now)`, params);
      } else if (isLaterWatermark(value, current)) {
        await tx.run(`UPDATE ${this.watermarks} SET value = @value, updated_at = @now WHERE name = @name`, params);
      }
    });
  }

  async clearWatermark(name: string): Promise<void> {
    checkText(name, 'the watermark name', MAX_WATERMARK_NAME);
    await this.db.run(`DELETE FROM ${this.watermarks} WHERE name = @name`, { name });
  }

  private async readWatermark(runner: SqlRunner, name: string): Promise<string | undefined> {
    const rows = await runner.all<{ value: string }>(`SELECT value FROM ${this.watermarks} WHERE name = @name`, {
      name,
    });
    return rows[0]?.value;
  }

  async putDeadLetter(input: DeadLetterInput): Promise<DeadLetter> {
    checkEntity(input.entity);
    const operation = checkOperation(input.operation);
    checkSystemName(input.source, input.entity);
    checkText(input.key, `${input.entity} dead letter: the idempotency key`, MAX_DEAD_LETTER_KEY);
    checkErrorCode(input.code);
    const subject = `${input.entity} ${input.key}`;
    const values = {
      entity: input.entity,
      operation,
      source: input.source,
      key: input.key,
      payload: jsonOf(input.payload, `the payload of ${subject}`),
      message: jsonOf(input.message ?? {}, `the message properties of ${subject}`),
      code: input.code,
      reason: truncated(String(input.reason), MAX_REASON),
      nodeId: input.nodeId === undefined ? null : truncated(input.nodeId, MAX_NODE_ID),
      nodeName: input.nodeName === undefined || input.nodeName === '' ? null : truncated(input.nodeName, MAX_NODE_NAME),
      now: new Date(),
    };
    return this.db.transaction(async (tx) => {
      const existing = await this.deadLetterWhere(tx, 'operation = @operation AND idempotency_key = @key', {
        operation,
        key: input.key,
      });
      if (existing) {
        await tx.run(
          `UPDATE ${this.deadLetters} SET entity = @entity, source_system = @source, payload = @payload, msg_properties = @message, error_code = @code, reason = @reason, attempts = attempts + 1, last_failed_at = @now, node_id = @nodeId, node_name = @nodeName WHERE id = @id`,
          { ...values, id: existing.id },
        );
      } else {
        await tx.run(
          `INSERT INTO ${this.deadLetters} (${DEAD_LETTER_COLUMNS}) VALUES (@id, @entity, @operation, @source, @key, @payload, @message, @code, @reason, 1, @now, @now, @nodeId, @nodeName)`,
          { ...values, id: timeOrderedId() },
        );
      }
      const stored = await this.deadLetterWhere(tx, 'operation = @operation AND idempotency_key = @key', {
        operation,
        key: input.key,
      });
      if (!stored) throw new Error(`dead letter ${subject} vanished inside its own transaction`);
      return stored;
    });
  }

  async getDeadLetter(id: string): Promise<DeadLetter | undefined> {
    checkText(id, 'the dead letter id', MAX_LINK_ID);
    return this.deadLetterWhere(this.db, 'id = @id', { id });
  }

  async listDeadLetters(options: DeadLetterFilter & { limit: number; after?: string }): Promise<DeadLetterPage> {
    const limit = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(options.limit)));
    const { conditions, params } = deadLetterConditions(options);
    if (options.after !== undefined) {
      conditions.push('id > @after');
      params.after = options.after;
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')} ` : '';
    const rows = await this.db.all<DeadLetterRow>(
      this.db.dialect.selectLimited(DEAD_LETTER_COLUMNS, `FROM ${this.deadLetters} ${where}ORDER BY id`, '@limit'),
      { ...params, limit },
    );
    const page: DeadLetterPage = { deadLetters: rows.map(deadLetterOf) };
    if (rows.length === limit) page.next = rows[rows.length - 1]?.id ?? '';
    return page;
  }

  async resolveDeadLetters(operation: string, keys: readonly string[]): Promise<number> {
    checkOperation(operation);
    const wanted = [...new Set(keys)].filter((key) => typeof key === 'string' && key !== '');
    let resolved = 0;
    for (let start = 0; start < wanted.length; start += RESOLVE_CHUNK) {
      const params: SqlParams = { operation };
      const placeholders = wanted.slice(start, start + RESOLVE_CHUNK).map((key, index) => {
        params[`k${index}`] = key;
        return `@k${index}`;
      });
      const { changes } = await this.db.run(
        `DELETE FROM ${this.deadLetters} WHERE operation = @operation AND idempotency_key IN (${placeholders.join(', ')})`,
        params,
      );
      resolved += changes;
    }
    return resolved;
  }

  async discardDeadLetter(id: string): Promise<DeadLetter | undefined> {
    checkText(id, 'the dead letter id', MAX_LINK_ID);
    return this.db.transaction(async (tx) => {
      const existing = await this.deadLetterWhere(tx, 'id = @id', { id });
      if (existing) await tx.run(`DELETE FROM ${this.deadLetters} WHERE id = @id`, { id });
      return existing;
    });
  }

  async discardDeadLetters(filter: DeadLetterFilter): Promise<number> {
    const { conditions, params } = deadLetterConditions(filter);
    const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
    return (await this.db.run(`DELETE FROM ${this.deadLetters}${where}`, params)).changes;
  }

  private async deadLetterWhere(runner: SqlRunner, condition: string, params: SqlParams) {
    const rows = await runner.all<DeadLetterRow>(
      `SELECT ${DEAD_LETTER_COLUMNS} FROM ${this.deadLetters} WHERE ${condition}`,
      params,
    );
    return rows[0] ? deadLetterOf(rows[0]) : undefined;
  }

  /** The link rules, inside the caller's transaction. */
  private async linkIn(tx: SqlRunner, request: LinkRequest, options: LinkOptions, now: Date): Promise<LinkOutcome> {
    const { entity } = request;
    // Which links hold the requested ids today?
    const holders = new Map<string, LinkRow>();
    for (const [system, recordId] of Object.entries(request.ids)) {
      const row = await this.rowOfRecord(tx, entity, system, recordId);
      if (row) holders.set(system, row);
    }
    const holderLinks = [...new Set([...holders.values()].map((row) => row.link_id))];
    const targetLinkId = request.linkId ?? holderLinks[0] ?? randomUUID();
    const target = groupRows(await this.rowsOfLink(tx, entity, targetLinkId))[0];
    const elsewhere = holderLinks.filter((linkId) => linkId !== targetLinkId);
    if (elsewhere.length > 0 && !options.replace) {
      const others = await Promise.all(
        elsewhere.map(async (id) => groupRows(await this.rowsOfLink(tx, entity, id))[0]),
      );
      const groups = target ? [target, ...others] : others;
      throw storeError(
        'CONFLICT',
        `${entity} ${describeIds(request.ids)} cannot be linked` +
          (target || request.linkId === undefined ? '' : ` as link ${targetLinkId}`) +
          `: the ids already belong to ${groups.length > 1 ? 'different links' : 'another link'} (` +
          groups.map((g) => (g ? `link ${g.linkId}: ${describeIds(g.ids)}` : '')).join('; ') +
          '). Unlink one of them, or set the node to replace existing links.',
        { links: groups },
      );
    }
    const created = target === undefined;
    const moved: LinkOutcome['moved'] = [];
    let changed = false;

    for (const [system, recordId] of Object.entries(request.ids)) {
      const holder = holders.get(system);
      if (holder && holder.link_id === targetLinkId) continue; // already linked exactly so
      const occupant = target?.ids[system];
      if (occupant !== undefined && occupant !== recordId) {
        if (!options.replace) {
          throw storeError(
            'CONFLICT',
            `${entity} link ${targetLinkId} (${describeIds(target?.ids ?? {})}) already has ${system}=${occupant}; ` +
              `${system}=${recordId} cannot be added. Unlink ${system}=${occupant} first, or set the node to replace existing links.`,
            { link: target, system, recordId },
          );
        }
        await tx.run(`DELETE FROM ${this.links} WHERE entity = @entity AND link_id = @linkId AND system = @system`, {
          entity,
          linkId: targetLinkId,
          system,
        });
        moved.push({ system, recordId: occupant, fromLinkId: targetLinkId });
      }
      if (holder) {
        // replace: move the id out of the link that holds it
        await tx.run(
          `DELETE FROM ${this.links} WHERE entity = @entity AND system = @system AND record_id = @recordId`,
          {
            entity,
            system,
            recordId,
          },
        );
        moved.push({ system, recordId, fromLinkId: holder.link_id });
      }
      await tx.run(
        `INSERT INTO ${this.links} (entity, link_id, system, record_id, created_at, updated_at) VALUES (@entity, @linkId, @system, @recordId, @now, @now)`,
        { entity, linkId: targetLinkId, system, recordId, now },
      );
      changed = true;
    }
    if (changed) {
      await tx.run(`UPDATE ${this.links} SET updated_at = @now WHERE entity = @entity AND link_id = @linkId`, {
        entity,
        linkId: targetLinkId,
        now,
      });
    }
    const link = groupRows(await this.rowsOfLink(tx, entity, targetLinkId))[0];
    if (!link) throw new Error(`link ${targetLinkId} vanished inside its own transaction`);
    return { link, created, changed, moved };
  }

  async lookup(entity: string, system: string, recordId: string): Promise<LinkGroup | undefined> {
    checkEntity(entity);
    checkSystemId(system, recordId, entity);
    const row = await this.rowOfRecord(this.db, entity, system, recordId);
    return row ? this.getLink(entity, row.link_id) : undefined;
  }

  async getLink(entity: string, linkId: string): Promise<LinkGroup | undefined> {
    checkEntity(entity);
    return groupRows(await this.rowsOfLink(this.db, entity, linkId))[0];
  }

  async unlinkRecord(entity: string, system: string, recordId: string): Promise<LinkGroup | undefined> {
    checkEntity(entity);
    checkSystemId(system, recordId, entity);
    return this.db.transaction(async (tx) => {
      const row = await this.rowOfRecord(tx, entity, system, recordId);
      if (!row) return undefined;
      const before = groupRows(await this.rowsOfLink(tx, entity, row.link_id))[0];
      await tx.run(`DELETE FROM ${this.links} WHERE entity = @entity AND system = @system AND record_id = @recordId`, {
        entity,
        system,
        recordId,
      });
      return before;
    });
  }

  async unlinkAll(entity: string, linkId: string): Promise<LinkGroup | undefined> {
    checkEntity(entity);
    return this.db.transaction(async (tx) => {
      const before = groupRows(await this.rowsOfLink(tx, entity, linkId))[0];
      if (before)
        await tx.run(`DELETE FROM ${this.links} WHERE entity = @entity AND link_id = @linkId`, { entity, linkId });
      return before;
    });
  }

  async list(entity: string, options: { limit: number; after?: string; system?: string }): Promise<LinkPage> {
    checkEntity(entity);
    const limit = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(options.limit)));
    const d = this.db.dialect;
    const filters = ['entity = @entity'];
    const params: Record<string, string | number> = { entity, limit };
    if (options.after !== undefined) {
      filters.push('link_id > @after');
      params.after = options.after;
    }
    if (options.system !== undefined) {
      checkSystemName(options.system, entity);
      filters.push('system = @system');
      params.system = options.system;
    }
    // Keyset paging over link ids: stable while links are added, unlike OFFSET.
    const linkIds = await this.db.all<{ link_id: string }>(
      d.selectLimited(
        'DISTINCT link_id',
        `FROM ${this.links} WHERE ${filters.join(' AND ')} ORDER BY link_id`,
        '@limit',
      ),
      params,
    );
    if (linkIds.length === 0) return { links: [] };
    const pageParams: Record<string, string> = { entity };
    const placeholders = linkIds.map((row, index) => {
      pageParams[`l${index}`] = row.link_id;
      return `@l${index}`;
    });
    const rows = await this.db.all<LinkRow>(
      `SELECT entity, link_id, system, record_id, created_at, updated_at FROM ${this.links} WHERE entity = @entity AND link_id IN (${placeholders.join(', ')}) ORDER BY link_id, system`,
      pageParams,
    );
    const page: LinkPage = { links: groupRows(rows) };
    if (linkIds.length === limit) page.next = linkIds[linkIds.length - 1]?.link_id ?? '';
    return page;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
