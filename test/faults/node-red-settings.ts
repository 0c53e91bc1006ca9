/**
 * Settings of the Node-RED process under test (node-red/red.js --settings this file): headless, English
 * messages, and a bridge the flow reaches as `global.get('faults')`:
 *   event(e)               reports what happens in the flow to the suite (batches, statuses, results, replays);
 *   onReplay(listener)     the replay node registers here; the suite starts a replay over IPC;
 *   ordersEnabled()        whether the order feed may run (the suite opens it once the orders' customers are in).
 * Everything is kept in the suite's process; this one may be killed at any moment.
 */
import { headlessSettings } from '../support/separate-processes';
import type { NodeRedCommand, NodeRedEvent, WriterOperation } from './protocol';

const replayListeners: Array<(operation: WriterOperation) => void> = [];
let orders = false;

const faults = {
  event(event: NodeRedEvent): void {
    process.send?.(event);
  },
  onReplay(listener: (operation: WriterOperation) => void): void {
    replayListeners.push(listener);
  },
  ordersEnabled(): boolean {
    return orders;
  },
};

process.on('message', (command: NodeRedCommand) => {
  if (command.cmd === 'replay') for (const listener of replayListeners) listener(command.operation);
  if (command.cmd === 'orders') orders = command.enabled;
  process.send?.({ type: 'reply', id: command.id, result: null });
});
process.on('disconnect', () => process.exit(0));

export = headlessSettings({ faults }, process.env.FAULTS_LOG_LEVEL ?? 'warn');
