/**
 * Starts both emulators on fixed ports for manual use and for `npm start` without real systems.
 *
 *   SANDBOX_HOST            interface to listen on (default 127.0.0.1)
 *   SANDBOX_BC_PORT         Business Central emulator port (default 8181)
 *   SANDBOX_DATAVERSE_PORT  Dataverse emulator port (default 8182)
 *   SANDBOX_DATA_DIR        where state is kept between runs (default .sandbox-data)
 *   SANDBOX_PERSIST=0       keep state in memory only
 */
import { join, resolve } from 'node:path';
import { startBcEmulator } from './bc';
import { startDataverseEmulator } from './dataverse';

function port(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new Error(`${name} must be a port number, got '${text}'`);
  return value;
}

async function main(): Promise<void> {
  const host = process.env.SANDBOX_HOST ?? '127.0.0.1';
  const dataDir = resolve(process.env.SANDBOX_DATA_DIR ?? '.sandbox-data');
  const persist = process.env.SANDBOX_PERSIST !== '0';
  const bc = await startBcEmulator({
    host,
    port: port('SANDBOX_BC_PORT', 8181),
    ...(persist && { dataFile: join(dataDir, 'business-central.json') }),
  });
  const dataverse = await startDataverseEmulator({
    host,
    port: port('SANDBOX_DATAVERSE_PORT', 8182),
    ...(persist && { dataFile: join(dataDir, 'dataverse.json') }),
  });
  console.log(
    [
      'Business Central API v2.0 emulator',
      `  API       ${bc.apiUrl}`,
      `  company   ${bc.companyId}`,
      `  token     ${bc.tokenUrl}  (scope ${bc.scope})`,
      'Dataverse Web API v9.2 emulator',
      `  API       ${dataverse.apiUrl}`,
      `  token     ${dataverse.tokenUrl}  (scope ${dataverse.scope})`,
      `Client credentials: ${bc.clientId} / ${bc.clientSecret}, tenant ${bc.tenant}`,
      `Admin: GET /_admin/state, POST /_admin/reset, POST|DELETE /_admin/faults on either port`,
      persist ? `State is kept in ${dataDir}` : 'State is kept in memory only',
    ].join('\n'),
  );
  const shutdown = (): void => {
    void Promise.all([bc.close(), dataverse.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
