import type { SystemDriver } from '../lib/ports';
import { checkConnectionConfig, configError, type ConnectionConfig } from './connection';
import type { HttpDriverDeps } from './http-connection';
import { createBcApiDriver } from './bc-api';
import { createDataverseDriver } from './dataverse';
import { createNavSqlDriver } from './nav-sql';

/** Builds the driver a connection names. Throws CONFIG with a plain reason when the settings cannot work. */
export function createDriver(config: ConnectionConfig, deps: HttpDriverDeps = {}): SystemDriver {
  checkConnectionConfig(config);
  switch (config.driver) {
    case 'bc-api':
      return createBcApiDriver(config, deps);
    case 'dataverse':
      return createDataverseDriver(config, deps);
    case 'nav-sql':
      return createNavSqlDriver(config, deps.log ? { log: deps.log } : {});
    default:
      throw configError(config.system, `the ${config.driver} driver is not available in this version yet`);
  }
}

export type { ConnectionConfig } from './connection';
