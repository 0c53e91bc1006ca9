/**
 * The benchmark's emulator process: Business Central and Dataverse on ephemeral ports, in a process of
 * their own so that their CPU time and memory are not counted as Node-RED's. run.ts starts it with the
 * limits to enforce and talks to it over IPC (see EmulatorCommand). Dataverse starts empty and is filled
 * through POST /_admin/records; Business Central starts with its demo company.
 */
import http from 'node:http';
import {
  BC_DOCUMENTED_LIMITS,
  DATAVERSE_DOCUMENTED_LIMITS,
  startBcEmulator,
  startDataverseEmulator,
} from '../../sandbox';
import {
  limitsFor,
  type BcCustomerCount,
  type EmulatorCommand,
  type EmulatorsReady,
  type LimitsMode,
  type RequestCounters,
} from './protocol';
import { addressOf, answerCommands } from '../support/separate-processes';

function kindOf(method: string, url: string): string {
  const path = url.split('?')[0] ?? '';
  if (path.endsWith('/$batch')) return '$batch';
  if (path.includes('/oauth2/')) return 'token';
  if (path.startsWith('/_admin/')) return 'admin';
  return method;
}

async function main(): Promise<void> {
  const mode = JSON.parse(process.argv[2] ?? '{"kind":"off"}') as LimitsMode;
  const counters: RequestCounters = { bc: {}, dataverse: {} };
  const systemOfPort = new Map<number, keyof RequestCounters>();
  // Counts every request at the socket level; the emulators themselves stay as they are.
  const createServer = http.createServer.bind(http);
  Object.assign(http, {
    createServer: (...args: Parameters<typeof http.createServer>) => {
      const server = createServer(...args);
      server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
        res.once('finish', () => {
          const system = systemOfPort.get(req.socket.localPort ?? 0);
          if (system === undefined) return;
          const kind = res.statusCode === 429 ? '429' : kindOf(req.method ?? 'GET', req.url ?? '/');
          counters[system][kind] = (counters[system][kind] ?? 0) + 1;
        });
      });
      return server;
    },
  });

  const bc = await startBcEmulator({ rateLimits: limitsFor(mode, BC_DOCUMENTED_LIMITS) });
  const dataverse = await startDataverseEmulator({
    seed: false,
    rateLimits: limitsFor(mode, DATAVERSE_DOCUMENTED_LIMITS),
  });
  systemOfPort.set(Number(new URL(bc.url).port), 'bc');
  systemOfPort.set(Number(new URL(dataverse.url).port), 'dataverse');

  const ready: EmulatorsReady = {
    type: 'ready',
    bc: { ...addressOf(bc), limits: bc.limits },
    dataverse: { ...addressOf(dataverse), limits: dataverse.limits },
  };

  const answer = async (command: EmulatorCommand): Promise<unknown> => {
    switch (command.cmd) {
      case 'usage':
        return { usage: process.resourceUsage(), memory: process.memoryUsage() };
      case 'counters': {
        const snapshot = structuredClone(counters);
        counters.bc = {};
        counters.dataverse = {};
        return snapshot;
      }
      case 'bcCustomers': {
        const state = bc.state() as {
          companies: Array<{ id: string; entities: { customers: Array<{ email?: string }> } }>;
        };
        const customers = state.companies.find((company) => company.id === bc.companyId)?.entities.customers ?? [];
        const count: BcCustomerCount = {
          customers: customers.length,
          distinctEmails: new Set(customers.map((customer) => customer.email ?? '')).size,
        };
        return count;
      }
      case 'close':
        await Promise.all([bc.close(), dataverse.close()]);
        setImmediate(() => process.exit(0));
        return null;
    }
  };
  answerCommands(answer);
  process.send?.(ready);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
