import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';

/** The compiled `npm start` entry point, next to this file's compiled copy. */
const START_SCRIPT = join(__dirname, '..', '..', 'dev', 'start.js');
const BANNER_START = 'CRM ⇄ ERP is running';
const BANNER_END = 'Stop with Ctrl-C';

/** Ports nobody listens on right now, distinct from each other. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

export interface DevServer {
  /** The value of a banner row, e.g. `row('Node-RED editor')`; undefined when the banner has no such row. */
  row(label: string): string | undefined;
  /** The last part of what the process printed, for failure messages. */
  output(): string;
  /** Stops the process and everything it started (its whole process group). */
  stop(): Promise<void>;
}

/**
 * Runs `node dist/dev/start.js` (what `npm start` runs after building) as the leader of its own
 * process group and resolves once it has printed its start banner.
 */
export async function startDevServer(env: Record<string, string>, timeoutMs: number): Promise<DevServer> {
  const child = spawn(process.execPath, [START_SCRIPT], {
    cwd: join(__dirname, '..', '..', '..'),
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // The group does not get the terminal's Ctrl-C, and Node.js runs no exit handlers on a fatal signal:
  // stop the group on the way out, then let the signal take its usual course.
  const killOnExit = () => killGroup(child, 'SIGKILL');
  const killOnSignal = (signal: NodeJS.Signals) => {
    killOnExit();
    removeHandlers();
    process.kill(process.pid, signal);
  };
  const removeHandlers = () => {
    process.removeListener('exit', killOnExit);
    process.removeListener('SIGINT', killOnSignal);
    process.removeListener('SIGTERM', killOnSignal);
  };
  process.once('exit', killOnExit);
  process.once('SIGINT', killOnSignal);
  process.once('SIGTERM', killOnSignal);

  const server: DevServer = {
    row: (label) => bannerRows(log).get(label),
    output: () => log,
    stop: async () => {
      removeHandlers();
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(child, 'SIGTERM');
        const stopped = await Promise.race([exited.then(() => true), delay(10_000).then(() => false)]);
        if (!stopped) {
          killGroup(child, 'SIGKILL');
          await exited;
        }
      }
      // Node-RED is a child of start.js in the same group; make sure nothing of the group outlives it.
      killGroup(child, 'SIGKILL');
    },
  };

  const banner = new Promise<void>((resolve, reject) => {
    const check = () => {
      const start = log.indexOf(BANNER_START);
      if (start >= 0 && log.indexOf(BANNER_END, start) > 0) {
        child.stdout!.removeListener('data', check);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then(() =>
      reject(new Error(`npm start exited (code ${child.exitCode}) before its banner:\n${log.slice(-3000)}`)),
    );
    void delay(timeoutMs).then(() =>
      reject(new Error(`npm start printed no banner within ${timeoutMs} ms:\n${log.slice(-3000)}`)),
    );
  });
  try {
    await banner;
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** The label → value rows of the last start banner in the output. */
function bannerRows(output: string): Map<string, string> {
  const start = output.lastIndexOf(BANNER_START);
  const rows = new Map<string, string>();
  if (start < 0) return rows;
  for (const line of output.slice(start).split('\n').slice(1)) {
    if (line.includes(BANNER_END)) break;
    const match = /^ {2}(\S.*?) {2,}(\S.*)$/.exec(line);
    if (match) rows.set(match[1]!, match[2]!.trim());
  }
  return rows;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
