/**
 * Driver for Dynamics NAV and Business Central on-premises through their SQL Server database, and for
 * home-grown ERPs on SQL Server (mode `custom`, see ../custom-sql). Reads go to the tables; writes go
 * through staging tables that a job on the ERP side processes. Settings: see settings.ts; the README
 * in this folder documents the staging contract.
 */
import type { Capabilities, SystemDriver } from '../../lib/ports';
import { navFamilyCapabilities } from '../nav-family';
import type { ConnectionConfig } from '../connection';
import { createCustomSqlDriver } from '../custom-sql';
import type { SqlLog, SqlSession } from '../sql/database';
import { sqlDatabaseFor } from '../sql/for-connection';
import { checkNavConnection } from './connection-check';
import { NavContext } from './context';
import { NavCustomerPort } from './customers';
import { NavInvoicePort } from './invoices';
import { NavItemReader, type ItemReader } from './items';
import { NavOrderPort } from './orders';
import { navSqlMode, navSqlSettings } from './settings';
import type { StagingEntity, StagingSchema, StagingStatus } from './staging';

/** What NAV on SQL Server can do: writes one at a time (staging rows). */
export function navSqlCapabilities(customFields: Readonly<Record<string, string>>): Capabilities {
  return navFamilyCapabilities(customFields, 1);
}

export interface SqlDriverDeps {
  log?: SqlLog;
  /** Injected by tests: the database the driver talks to instead of a pool of its own. */
  session?: SqlSession & { close(): Promise<void> };
  /** Injected by tests: how the driver waits between polls of the staging table. */
  sleep?: (ms: number) => Promise<void>;
}

/** The staging tables of a connection: their DDL, creating them, and reading back what the ERP job did. */
export interface StagingAccess {
  readonly tables: StagingSchema;
  script(): string;
  create(): Promise<void>;
  missingTables(): Promise<string[]>;
  readBack(entity: StagingEntity, keys: readonly string[]): Promise<StagingStatus[]>;
}

export interface NavSqlDriver extends SystemDriver {
  readonly items: ItemReader;
  readonly staging: StagingAccess;
}

export function createNavSqlDriver(config: ConnectionConfig, deps: SqlDriverDeps = {}): SystemDriver {
  if (navSqlMode(config) === 'custom') return createCustomSqlDriver(config, deps);
  const settings = navSqlSettings(config);
  const db = deps.session ?? sqlDatabaseFor(config, deps.log);
  const ctx = new NavContext(db, settings);
  const driver: NavSqlDriver = {
    system: config.system,
    driver: 'nav-sql',
    linkKey: 'id',
    numberSystem: config.system,
    capabilities: navSqlCapabilities(settings.customFields),
    customers: new NavCustomerPort(ctx, deps.sleep),
    orders: new NavOrderPort(ctx),
    invoices: new NavInvoicePort(ctx),
    items: new NavItemReader(ctx),
    staging: {
      tables: ctx.staging.tables,
      script: () => ctx.staging.tables.script(config.sql?.database),
      create: () => ctx.staging.create(),
      missingTables: () => ctx.staging.missingTables(),
      readBack: (entity, keys) => ctx.staging.readBack(entity, keys),
    },
    testConnection: () => checkNavConnection(ctx),
    close: () => db.close(),
  };
  return driver;
}

export function isNavSqlDriver(driver: SystemDriver): driver is NavSqlDriver {
  return driver.driver === 'nav-sql' && 'staging' in driver;
}
