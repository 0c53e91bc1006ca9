import type { SqlDialect } from './sql-backend';

export interface Migration {
  version: number;
  description: string;
  statements(dialect: SqlDialect): string[];
}

/**
 * The store's schema, one step per version. Never edit a released step: add a new one.
 * Timestamps are UTC.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'links between record ids of different systems',
    statements: (d) => {
      const t = d.types;
      return [
        `CREATE TABLE ${d.table('links')} (
  entity ${t.text(40)} NOT NULL,
  link_id ${t.text(100)} NOT NULL,
  system ${t.text(40)} NOT NULL,
  record_id ${t.text(200)} NOT NULL,
  created_at ${t.timestamp} NOT NULL,
  updated_at ${t.timestamp} NOT NULL,
  CONSTRAINT links_pk PRIMARY KEY (entity, system, record_id),
  CONSTRAINT links_one_id_per_system UNIQUE (entity, link_id, system)
)`,
      ];
    },
  },
  {
    version: 2,
    description: 'what was last written to each system of a link, for change detection and echo suppression',
    statements: (d) => {
      const t = d.types;
      return [
        `CREATE TABLE ${d.table('sync_state')} (
  entity ${t.text(40)} NOT NULL,
  link_id ${t.text(100)} NOT NULL,
  system ${t.text(40)} NOT NULL,
  field_hashes ${t.text(4000)} NOT NULL,
  written_at ${t.timestamp} NOT NULL,
  CONSTRAINT sync_state_pk PRIMARY KEY (entity, link_id, system)
)`,
      ];
    },
  },
  {
    version: 3,
    description: 'watermarks: how far a change feed has been read, per feed',
    statements: (d) => {
      const t = d.types;
      return [
        `CREATE TABLE ${d.table('watermarks')} (
  name ${t.text(200)} NOT NULL,
  value ${t.text(100)} NOT NULL,
  updated_at ${t.timestamp} NOT NULL,
  CONSTRAINT watermarks_pk PRIMARY KEY (name)
)`,
      ];
    },
  },
  {
    version: 4,
    description: 'dead letters: records that failed for good, kept with their reason to be replayed or discarded',
    statements: (d) => {
      const t = d.types;
      return [
        `CREATE TABLE ${d.table('dead_letters')} (
  id ${t.text(36)} NOT NULL,
  entity ${t.text(40)} NOT NULL,
  operation ${t.text(40)} NOT NULL,
  source_system ${t.text(40)} NOT NULL,
  idempotency_key ${t.text(300)} NOT NULL,
  payload ${unboundedText(d)} NOT NULL,
  msg_properties ${unboundedText(d)} NOT NULL,
  error_code ${t.text(20)} NOT NULL,
  reason ${t.text(4000)} NOT NULL,
  attempts ${t.integer} NOT NULL,
  first_failed_at ${t.timestamp} NOT NULL,
  last_failed_at ${t.timestamp} NOT NULL,
  node_id ${t.text(100)} NULL,
  node_name ${t.text(200)} NULL,
  CONSTRAINT dead_letters_pk PRIMARY KEY (id),
  CONSTRAINT dead_letters_one_per_key UNIQUE (operation, idempotency_key)
)`,
      ];
    },
  },
];

/** Text without a length limit, for JSON documents: T-SQL caps sized NVARCHAR at 4,000 characters. */
function unboundedText(d: SqlDialect): string {
  return d.name === 'mssql' ? 'NVARCHAR(MAX)' : d.types.text(0);
}

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** The table that records the schema version; created before any migration runs. */
export function versionTableStatement(d: SqlDialect): string {
  return `CREATE TABLE ${d.table('schema_version')} (
  id ${d.types.integer} NOT NULL PRIMARY KEY,
  version ${d.types.integer} NOT NULL,
  updated_at ${d.types.timestamp} NOT NULL
)`;
}
