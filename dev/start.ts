/**
 * `npm start`: deploys flows/ into a user directory inside the repository and runs Node-RED
 * with this package, so the nodes and flows work on a fresh clone with nothing else installed.
 * Ctrl-C stops everything; data (the sync store) stay for the next start.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { DEFAULT_STORE_ID, startSandbox } from '../sandbox/run';
import settings from './settings';
import { flowFiles, flowHash, mergeFlows } from './flows';
import { sandboxEnvironment } from '../sandbox/environment';

const root = join(__dirname, '..', '..');
const packageName = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string }).name;

/** Makes Node-RED find this package in the user directory, as if installed from npm. */
function linkPackage(userDir: string): void {
  const target = join(userDir, 'node_modules', ...packageName.split('/'));
  mkdirSync(dirname(target), { recursive: true });
  rmSync(target, { recursive: true, force: true });
  symlinkSync(root, target, 'dir');
  const manifest = join(userDir, 'package.json');
  writeFileSync(
    manifest,
    JSON.stringify(
      { name: 'crmerp-local', private: true, dependencies: { [packageName]: `file:${relative(userDir, root)}` } },
      null,
      2,
    ),
  );
}

/**
 * Deploys flows/ unless the editor changed the deployed flows since and flows/ itself did not change:
 * then the editor's work is kept. When both changed, the editor's file is backed up first.
 */
function deployFlows(userDir: string): string {
  const flows = mergeFlows(flowFiles());
  const wanted = flowHash(flows);
  const flowFile = join(userDir, settings.flowFile);
  const marker = join(userDir, '.deployed-flows');
  const lastDeployed = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : '';
  if (existsSync(flowFile)) {
    const current = flowHash(JSON.parse(readFileSync(flowFile, 'utf8')) as ReturnType<typeof mergeFlows>);
    const editedInEditor = current !== lastDeployed;
    if (wanted === lastDeployed && editedInEditor) return 'kept the flows as last deployed from the editor';
    if (wanted === current) return 'flows are up to date';
    if (editedInEditor) {
      const backup = `${flowFile}.${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
      copyFileSync(flowFile, backup);
      writeFileSync(flowFile, JSON.stringify(flows, null, 2));
      writeFileSync(marker, wanted);
      return `deployed flows/ (your editor changes are saved in ${relative(root, backup)})`;
    }
  }
  writeFileSync(flowFile, JSON.stringify(flows, null, 2));
  writeFileSync(marker, wanted);
  const tabs = flows.filter((n) => n.type === 'tab').length;
  return `deployed ${tabs} ${tabs === 1 ? 'tab' : 'tabs'} from flows/`;
}

/** The sync store the sandbox page shows: the one of flows/, or else the first one deployed. */
function deployedStoreId(userDir: string): string {
  const flowFile = join(userDir, settings.flowFile);
  if (!existsSync(flowFile)) return DEFAULT_STORE_ID;
  const nodes = JSON.parse(readFileSync(flowFile, 'utf8')) as ReturnType<typeof mergeFlows>;
  const stores = nodes.filter((node) => node.type === 'crmerp-store').map((node) => node.id);
  return stores.includes(DEFAULT_STORE_ID) ? DEFAULT_STORE_ID : (stores[0] ?? DEFAULT_STORE_ID);
}

/** Where this process reaches Node-RED's admin API, also when the editor listens on every interface. */
function localUrl(host: string, port: number): string {
  const reachable = host === '' || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

async function main(): Promise<void> {
  const userDir = settings.userDir;
  mkdirSync(userDir, { recursive: true });
  linkPackage(userDir);
  const flowNote = deployFlows(userDir);
  const store = { url: localUrl(settings.uiHost, settings.uiPort), storeId: deployedStoreId(userDir) };
  const sandbox =
    process.env.CRMERP_SANDBOX === '0' ? undefined : await startSandbox(process.env, root, { nodeRed: store });

  const editor = `http://${settings.uiHost}:${settings.uiPort}`;
  const nodeRed = spawn(
    process.execPath,
    [require.resolve('node-red/red.js'), '--settings', join(__dirname, 'settings.js'), '--userDir', userDir],
    { stdio: ['ignore', 'pipe', 'inherit'], env: sandbox ? sandboxEnvironment(sandbox, process.env) : process.env },
  );
  let announced = false;
  nodeRed.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    if (!announced && chunk.toString().includes('Started flows')) {
      announced = true;
      const sandboxRows: Array<[string, string]> = sandbox
        ? sandbox.summary()
        : [['Sandbox', 'off (CRMERP_SANDBOX=0)']];
      // The sandbox's first row (its page, showing what the flows did) goes right under the editor.
      const [firstSandboxRow, ...otherSandboxRows] = sandboxRows;
      const rows: Array<[string, string]> = [
        ['Node-RED editor', editor],
        ...(firstSandboxRow ? [firstSandboxRow] : []),
        ['Flows', flowNote],
        ['User directory', relative(root, userDir) || userDir],
        ...otherSandboxRows,
      ];
      console.log(
        [
          '',
          '  CRM ⇄ ERP is running',
          ...rows.map(([label, value]) => `  ${label.padEnd(26)}${value}`),
          '  Stop with Ctrl-C; data are kept for the next start.',
          '',
        ].join('\n'),
      );
    }
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    nodeRed.kill('SIGINT');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  nodeRed.on('exit', (code, signal) => {
    const exitCode = stopping ? 0 : (code ?? (signal ? 1 : 0));
    // The sandbox writes its pending changes on close, so the next start finds the data again.
    void (sandbox ? sandbox.close() : Promise.resolve()).finally(() => process.exit(exitCode));
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
