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

/** The durable state of a sync: links, written hashes and watermarks; dead letters come with a later migration. */
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
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}
