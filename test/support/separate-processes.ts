/**
 * What the benchmark and the fault suite share for running the emulators and Node-RED in processes of
 * their own: the emulators' addresses, a user directory that loads this package as npm would, the
 * connection environment of flows/, an IPC command loop, headless Node-RED settings, a seeded generator.
 */
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** Where an emulator listens and how to sign in to it. */
export interface SystemAddress {
  url: string;
  tokenUrl: string;
  tenant: string;
  clientId: string;
  clientSecret: string;
}

export function addressOf(handle: SystemAddress): SystemAddress {
  const { url, tokenUrl, tenant, clientId, clientSecret } = handle;
  return { url, tokenUrl, tenant, clientId, clientSecret };
}

/** What the connection nodes of flows/ read from the environment, pointed at the emulators. */
export function connectionEnvironment(bc: SystemAddress, dataverse: SystemAddress): Record<string, string> {
  return {
    CRMERP_ERP_URL: bc.url,
    CRMERP_ERP_TENANT: bc.tenant,
    CRMERP_ERP_TOKEN_URL: bc.tokenUrl,
    CRMERP_ERP_CLIENT_ID: bc.clientId,
    CRMERP_ERP_CLIENT_SECRET: bc.clientSecret,
    CRMERP_CRM_URL: dataverse.url,
    CRMERP_CRM_TOKEN_URL: dataverse.tokenUrl,
    CRMERP_CRM_CLIENT_ID: dataverse.clientId,
    CRMERP_CRM_CLIENT_SECRET: dataverse.clientSecret,
  };
}

/** A fresh Node-RED user directory that finds this package as if installed from npm, with `flow` to run. */
export function prepareUserDir(dir: string, name: string, flow: unknown[]): void {
  rmSync(dir, { recursive: true, force: true });
  const packageName = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string }).name;
  const link = join(dir, 'node_modules', ...packageName.split('/'));
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(ROOT, link, 'junction');
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, private: true, dependencies: { [packageName]: `file:${ROOT}` } }),
  );
  writeFileSync(join(dir, 'flows.json'), JSON.stringify(flow, null, 2));
}

/**
 * A child process's side of the IPC: each command `{ id, cmd, … }` is answered with `{ type: 'reply', id,
 * result }` or `{ …, error }`; the process ends when its parent goes away.
 */
export function answerCommands<C extends { id: number }>(answer: (command: C) => Promise<unknown>): void {
  process.on('message', (command: C) => {
    answer(command).then(
      (result) => process.send?.({ type: 'reply', id: command.id, result }),
      (error: unknown) => process.send?.({ type: 'reply', id: command.id, error: String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

/** Settings of a Node-RED run without editor or HTTP, its flow in flows.json, `globals` for function nodes. */
export function headlessSettings(globals: Record<string, unknown>, logLevel: string): Record<string, unknown> {
  return {
    flowFile: 'flows.json',
    credentialSecret: false,
    httpAdminRoot: false,
    httpNodeRoot: false,
    disableEditor: true,
    lang: 'en-US',
    functionGlobalContext: globals,
    functionExternalModules: false,
    exportGlobalContextKeys: false,
    logging: { console: { level: logLevel, metrics: false, audit: false } },
  };
}

/** mulberry32: a small, fast, seedable generator; the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
