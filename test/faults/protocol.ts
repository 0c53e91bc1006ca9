/** What the fault suite (suite.ts) and its two child processes (emulators.ts, Node-RED) say to each other. */
import type { SystemAddress } from '../support/separate-processes';

export type { SystemAddress };

export interface EmulatorsReady {
  type: 'ready';
  bc: SystemAddress;
  dataverse: SystemAddress;
}

export type EmulatorCommand = { id: number; cmd: 'counters' } | { id: number; cmd: 'close' };

/** Per emulator: API requests, tokens issued, and the faults injected by kind (`429`, `502`, `reset after`, `latency`, …). */
export interface SystemCounters {
  requests: number;
  tokens: number;
  faults: Record<string, number>;
}

export interface FaultCounters {
  bc: SystemCounters;
  dataverse: SystemCounters;
}

/** The two change feeds of the flow under test. */
export type Feed = 'customers' | 'orders';

/** The two writers, by the operation name their dead letters carry. */
export type WriterOperation = 'upsert-customer' | 'create-order';

/** Events the flow reports through `global.get('faults')` (see node-red-settings.ts). */
export type NodeRedEvent =
  | { type: 'ready' }
  /** A batch left read changes. */
  | { type: 'batch'; feed: Feed; count: number }
  /** A batch came back through the Complete node: the watermark moves to `to`. */
  | { type: 'acked'; feed: Feed; count: number; to: string }
  | { type: 'status'; feed: Feed; fill: string; text: string }
  /** Results of a writer, by kind and error code (`created`, `failed TRANSIENT`, …); the failure's message. */
  | { type: 'results'; operation: WriterOperation; replay: boolean; kinds: Record<string, number>; message?: string }
  /** Read changes failed (its output 2). */
  | { type: 'readFailed'; feed: Feed; message: string }
  /** A replay message left a dead letters node. */
  | { type: 'replaySent'; operation: WriterOperation }
  /** A dead letters node finished a replay. */
  | { type: 'replayDone'; operation: WriterOperation }
  /** A replayed record came back from its writer. */
  | { type: 'replayed'; operation: WriterOperation; ok: boolean }
  | { type: 'reply'; id: number; result: unknown };

export type NodeRedCommand =
  { id: number; cmd: 'replay'; operation: WriterOperation } | { id: number; cmd: 'orders'; enabled: boolean };
