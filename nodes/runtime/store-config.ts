import { isAbsolute, join } from 'node:path';
import type { Node, NodeDef } from 'node-red';
import { SyncError } from '../lib/errors';
import type { StoreConfig, SyncStore } from '../lib/store';

export interface StoreNodeDef extends NodeDef {
  backend: 'sqlite' | 'mssql';
  file: string;
  synchronous: 'full' | 'normal';
  server: string;
  port: string;
  database: string;
  schema: string;
  encrypt: boolean;
  trustServerCertificate: boolean;
}

export interface StoreCredentials {
  user?: string;
  password?: string;
}

export interface StoreNode extends Node<StoreCredentials> {
  /** The open store; opened on first use and shared by every node that uses this config node. */
  getStore(): Promise<SyncStore>;
}

export const DEFAULT_STORE_FILE = 'crmerp-sync.db';

export function storeConfigFrom(def: StoreNodeDef, credentials: StoreCredentials, userDir: string): StoreConfig {
  if (def.backend === 'mssql') {
    if (!def.server || !def.database) {
      throw new SyncError({
        code: 'CONFIG',
        system: 'store',
        message: 'the SQL Server sync store needs a server and a database',
      });
    }
    const port = Number.parseInt(def.port, 10);
    return {
      backend: 'mssql',
      server: def.server,
      ...(Number.isFinite(port) ? { port } : {}),
      database: def.database,
      schema: def.schema || 'crmerp',
      ...(credentials.user ? { user: credentials.user } : {}),
      ...(credentials.password ? { password: credentials.password } : {}),
      encrypt: def.encrypt !== false,
      trustServerCertificate: def.trustServerCertificate === true,
    };
  }
  const file = def.file || DEFAULT_STORE_FILE;
  return {
    backend: 'sqlite',
    file: isAbsolute(file) ? file : join(userDir, file),
    synchronous: def.synchronous === 'normal' ? 'normal' : 'full',
  };
}
