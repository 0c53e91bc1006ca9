import { configError, type ConnectionConfig } from '../connection';
import { SqlDatabase, type SqlLog, type SqlServerOptions } from './database';

/** The pool of a SQL Server connection node: one per node, shared by every node that uses it. */
export function sqlDatabaseFor(config: ConnectionConfig, log?: SqlLog): SqlDatabase {
  return new SqlDatabase(sqlServerOptionsFor(config, log));
}

/** A connection's SQL Server settings in the SQL layer's terms; the connection timeout applies to each statement. */
export function sqlServerOptionsFor(config: ConnectionConfig, log?: SqlLog): SqlServerOptions {
  const settings = config.sql;
  if (!settings) throw configError(config.system, 'the SQL Server settings are missing');
  return {
    system: config.system,
    server: settings.server,
    ...(settings.port !== undefined ? { port: settings.port } : {}),
    ...(settings.instanceName ? { instanceName: settings.instanceName } : {}),
    database: settings.database,
    authentication:
      settings.authentication === 'ntlm'
        ? { type: 'ntlm', domain: settings.domain ?? '', user: settings.user, password: settings.password }
        : { type: 'sql', user: settings.user, password: settings.password },
    encrypt: settings.encrypt,
    trustServerCertificate: settings.trustServerCertificate,
    poolMax: settings.poolMax,
    connectTimeoutMs: settings.connectTimeoutMs,
    requestTimeoutMs: config.timeoutMs,
    ...(log ? { log } : {}),
  };
}
