/**
 * Settings of the benchmark's Node-RED process (node-red/red.js --settings this file): headless, the user
 * directory run.ts prepared, and a bridge the flows under test reach as `global.get('bench')`:
 *   onStart(listener)  the flow's start node registers here; run.ts starts the load over IPC;
 *   count(kind, n)     the flow's counter nodes add what was written (created, updated, failed, …);
 *   progress(n)        n more records are through, with the time (our flow calls it once a batch);
 *   failure(message)   keeps the first few failure messages for the report;
 *   done()             the load is complete: counts and failures go to run.ts.
 * run.ts also asks this process for its resource usage over the same channel.
 */
import { headlessSettings } from '../support/separate-processes';
import type { NodeRedEvent } from './protocol';

const startListeners: Array<() => void> = [];
const counts: Record<string, number> = {};
const failures: string[] = [];
/** [epoch ms, records through so far], one entry per call of progress(). */
const progress: Array<[number, number]> = [];
let through = 0;

function send(event: NodeRedEvent): void {
  process.send?.(event);
}

const bench = {
  onStart(listener: () => void): void {
    startListeners.push(listener);
    send({ type: 'ready' });
  },
  count(kind: string, n = 1): void {
    counts[kind] = (counts[kind] ?? 0) + n;
  },
  progress(n: number): void {
    through += n;
    progress.push([Date.now(), through]);
  },
  failure(message: string): void {
    if (failures.length < 5) failures.push(message);
  },
  done(): void {
    send({ type: 'done', at: Date.now(), counts: { ...counts }, failures: [...failures], progress: [...progress] });
  },
};

process.on('message', (command: { id: number; cmd: 'start' | 'usage' }) => {
  if (command.cmd === 'start') for (const listener of startListeners) listener();
  const result = command.cmd === 'usage' ? { usage: process.resourceUsage(), memory: process.memoryUsage() } : null;
  send({ type: 'reply', id: command.id, result });
});
process.on('disconnect', () => process.exit(0));

export = headlessSettings({ bench }, process.env.BENCH_LOG_LEVEL ?? 'warn');
