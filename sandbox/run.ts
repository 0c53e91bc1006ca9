/**
 * Both emulators on fixed ports, as `npm run sandbox` and `npm start` run them.
 *
 *   SANDBOX_HOST            interface to listen on (default 127.0.0.1)
 *   SANDBOX_BC_PORT         Business Central emulator port (default 8181)
 *   SANDBOX_DATAVERSE_PORT  Dataverse emulator port (default 8182)
 *   SANDBOX_PAGE_PORT       port of the page showing both systems side by side (default 8180)
 *   SANDBOX_DATA_DIR        where state is kept between runs (default .sandbox-data)
 *   SANDBOX_PERSIST=0       keep state in memory only
 *   SANDBOX_NODE_RED_URL    Node-RED whose sync store the page reads links from (default: none)
 *   SANDBOX_STORE_ID        id of that sync store node (default crmerp-store-local, as in flows/)
 */
import { join, resolve } from 'node:path';
import { startBcEmulator, type BcEmulator } from './bc';
import { startDataverseEmulator, type DataverseEmulator } from './dataverse';
import { startSandboxPage, type NodeRedStore, type SandboxPage } from './page';

/** The sync store node of flows/00-connections.json. */
export const DEFAULT_STORE_ID = 'crmerp-store-local';

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${name} must be a port number, got '${text}'`);
  }
  return value;
}

export interface Sandbox {
  bc: BcEmulator;
  dataverse: DataverseEmulator;
  /** The page showing both systems side by side. */
  page: SandboxPage;
  dataDir?: string;
  /** Label and value rows naming the URLs and credentials, for a start banner. */
  summary(): Array<[label: string, value: string]>;
  close(): Promise<void>;
}

export interface SandboxOptions {
  /** The Node-RED whose sync store the page shows the links of; default from SANDBOX_NODE_RED_URL. */
  nodeRed?: NodeRedStore;
}

function nodeRedFrom(env: NodeJS.ProcessEnv): NodeRedStore | undefined {
  const url = env.SANDBOX_NODE_RED_URL;
  if (url === undefined || url === '') return undefined;
  return { url, storeId: env.SANDBOX_STORE_ID || DEFAULT_STORE_ID };
}

export async function startSandbox(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  options: SandboxOptions = {},
): Promise<Sandbox> {
  const host = env.SANDBOX_HOST ?? '127.0.0.1';
  const dataDir = resolve(cwd, env.SANDBOX_DATA_DIR ?? '.sandbox-data');
  const persist = env.SANDBOX_PERSIST !== '0';
  const bc = await startBcEmulator({
    host,
    port: port(env, 'SANDBOX_BC_PORT', 8181),
    ...(persist && { dataFile: join(dataDir, 'business-central.json') }),
  });
  const dataverse = await startDataverseEmulator({
    host,
    port: port(env, 'SANDBOX_DATAVERSE_PORT', 8182),
    ...(persist && { dataFile: join(dataDir, 'dataverse.json') }),
  }).catch(async (error: unknown) => {
    await bc.close();
    throw error;
  });
  const nodeRed = options.nodeRed ?? nodeRedFrom(env);
  const page = await startSandboxPage({
    host,
    port: port(env, 'SANDBOX_PAGE_PORT', 8180),
    bc,
    dataverse,
    ...(nodeRed && { nodeRed }),
  }).catch(async (error: unknown) => {
    await Promise.all([bc.close(), dataverse.close()]);
    throw error;
  });
  return {
    bc,
    dataverse,
    page,
    ...(persist ? { dataDir } : {}),
    summary: () => [
      ['Sandbox page', page.url],
      ['Business Central sandbox', bc.apiUrl],
      ['Dataverse sandbox', dataverse.apiUrl],
      ['Sandbox credentials', `${bc.clientId} / ${bc.clientSecret}, tenant ${bc.tenant}`],
      ['Sandbox data', persist ? dataDir : 'in memory only'],
    ],
    close: async () => {
      await Promise.all([page.close(), bc.close(), dataverse.close()]);
    },
  };
}
