/**
 * Both emulators on fixed ports, as `npm run sandbox` and `npm start` run them.
 *
 *   SANDBOX_HOST            interface to listen on (default 127.0.0.1)
 *   SANDBOX_BC_PORT         Business Central emulator port (default 8181)
 *   SANDBOX_DATAVERSE_PORT  Dataverse emulator port (default 8182)
 *   SANDBOX_DATA_DIR        where state is kept between runs (default .sandbox-data)
 *   SANDBOX_PERSIST=0       keep state in memory only
 */
import { join, resolve } from 'node:path';
import { startBcEmulator, type BcEmulator } from './bc';
import { startDataverseEmulator, type DataverseEmulator } from './dataverse';

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
  dataDir?: string;
  /** Label and value rows naming the URLs and credentials, for a start banner. */
  summary(): Array<[label: string, value: string]>;
  close(): Promise<void>;
}

export async function startSandbox(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<Sandbox> {
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
  return {
    bc,
    dataverse,
    ...(persist ? { dataDir } : {}),
    summary: () => [
      ['Business Central sandbox', bc.apiUrl],
      ['Dataverse sandbox', dataverse.apiUrl],
      ['Sandbox credentials', `${bc.clientId} / ${bc.clientSecret}, tenant ${bc.tenant}`],
      ['Sandbox data', persist ? dataDir : 'in memory only'],
    ],
    close: async () => {
      await Promise.all([bc.close(), dataverse.close()]);
    },
  };
}
