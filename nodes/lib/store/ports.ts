import type { ErrorCode } from '../errors';

/** A business identity and its record id in each linked system. */
export interface LinkGroup {
  entity: string;
  linkId: string;
  /** Record id per system name. */
  ids: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface LinkRequest {
  entity: string;
  /** Record id per system name; at least one. */
  ids: Record<string, string>;
  /** Use this link id (e.g. a CRM GUID); a new UUID otherwise. */
  linkId?: string;
}

export interface LinkOptions {
  /** Move ids that are linked elsewhere instead of failing with CONFLICT. */
  replace: boolean;
}

export interface LinkOutcome {
  link: LinkGroup;
  /** A new link was made (no id of the request was linked before). */
  created: boolean;
  /** Something was written (false when every id was already linked exactly so). */
  changed: boolean;
  /** Record ids that `replace` moved away from another link or overwrote: `{ system, recordId, fromLinkId }`. */
  moved: Array<{ system: string; recordId: string; fromLinkId: string }>;
}

export interface LinkPage {
  links: LinkGroup[];
  /** Pass as `after` to get the next page; absent on the last page. */
  next?: string;
}

/**
 * What the sync last wrote to one system of a link: a short hash per canonical field, never the
 * values themselves (no copy of personal or financial data is kept).
 */
export interface WrittenState {
  fieldHashes: Record<string, string>;
  writtenAt: string;
}

/** A record that failed for good, as a writer node hands it over to be kept. */
export interface DeadLetterInput {
  /** The entity written, e.g. `customer`, `order`. */
  entity: string;
  /** What wrote it: the writer node's kind, e.g. `upsert-customer`, `create-order`. */
  operation: string;
  /** The system the record came from, e.g. `crm`. */
  source: string;
  /**
   * The record's idempotency key within the operation (customer: `<source>:<source id>`, order: the source
   * order id). A record failing again under the same key updates its dead letter instead of adding one.
   */
  key: string;
  /** The record as it was sent to the writer. */
  payload: unknown;
  /** Other message properties restored on replay, e.g. `topic`. */
  message?: Record<string, unknown>;
  code: ErrorCode;
  reason: string;
  nodeId?: string;
  nodeName?: string;
}

export interface DeadLetter extends DeadLetterInput {
  /** Time-ordered: sorting by id sorts by first failure. */
  id: string;
  message: Record<string, unknown>;
  /** How often the record failed under this key. */
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
}

/** Narrows a list or a discard; every field given must match. */
export interface DeadLetterFilter {
  entity?: string;
  operation?: string;
  source?: string;
  code?: ErrorCode;
}

export interface DeadLetterPage {
  deadLetters: DeadLetter[];
  /** Pass as `after` to get the next page; absent on the last page. */
  next?: string;
}

/** The durable state of a sync: links, written hashes, watermarks and dead letters. */
export interface SyncStore {
  readonly backend: 'sqlite' | 'mssql';
  /** Human-readable location without secrets (a file path, or server/database/schema). */
  readonly location: string;
  link(request: LinkRequest, options: LinkOptions): Promise<LinkOutcome>;
  lookup(entity: string, system: string, recordId: string): Promise<LinkGroup | undefined>;
  getLink(entity: string, linkId: string): Promise<LinkGroup | undefined>;
  /** Removes one system's id from its link; returns the link as it was, or undefined when the id was not linked. */
  unlinkRecord(entity: string, system: string, recordId: string): Promise<LinkGroup | undefined>;
  /** Removes a whole link; returns it as it was. */
  unlinkAll(entity: string, linkId: string): Promise<LinkGroup | undefined>;
  list(entity: string, options: { limit: number; after?: string; system?: string }): Promise<LinkPage>;
  /** What was last written to `system` for the link, if anything. */
  writtenState(entity: string, linkId: string, system: string): Promise<WrittenState | undefined>;
  /**
   * After a successful write to `system`: links the ids and records the written field hashes in one
   * transaction, so a link never exists without its state or the other way round.
   */
  commitWrite(
    link: LinkRequest,
    written: { system: string; fieldHashes: Record<string, string> },
    options: LinkOptions,
  ): Promise<LinkOutcome>;
  /** How far the change feed `name` has been read (e.g. `crm.customer`); undefined before its first read. */
  getWatermark(name: string): Promise<string | undefined>;
  /**
   * Moves the watermark forward, in one transaction; a value older than the stored one is ignored, so a
   * late or repeated write never moves it back. ISO 8601 times compare as times, anything else as text.
   */
  setWatermark(name: string, value: string): Promise<void>;
  /** Forgets the watermark: the next read is an initial load again. */
  clearWatermark(name: string): Promise<void>;
  /**
   * Keeps a record that failed for good. The same operation and key again update that dead letter (payload,
   * reason, last failure) and count the attempt; its id and first failure stay.
   */
  putDeadLetter(input: DeadLetterInput): Promise<DeadLetter>;
  getDeadLetter(id: string): Promise<DeadLetter | undefined>;
  /** One page of dead letters in the order they first failed. */
  listDeadLetters(options: DeadLetterFilter & { limit: number; after?: string }): Promise<DeadLetterPage>;
  /** After records went through: removes their dead letters, if any; returns how many there were. */
  resolveDeadLetters(operation: string, keys: readonly string[]): Promise<number>;
  /** Removes one dead letter; returns it as it was, or undefined when there is none with that id. */
  discardDeadLetter(id: string): Promise<DeadLetter | undefined>;
  /** Removes every dead letter the filter matches (an empty filter: all); returns how many. */
  discardDeadLetters(filter: DeadLetterFilter): Promise<number>;
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}
