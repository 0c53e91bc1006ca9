/**
 * TCP servers that misbehave the way a SQL Server path does: one that resets every connection, one
 * that accepts and never answers, one that answers with bytes that are not TDS. The SQL layer must
 * turn each into a SyncError on the caller's path, and nothing may escape as an uncaught exception.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export type Fault = 'reset' | 'silent' | 'garbage';

export interface FaultyServer {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startFaultyServer(fault: Fault): Promise<FaultyServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (fault === 'reset') socket.resetAndDestroy();
    else if (fault === 'garbage')
      socket.once('data', () => socket.end(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Collects uncaught exceptions and unhandled rejections while a test runs. */
export function watchProcess(): { problems: unknown[]; stop(): void } {
  const problems: unknown[] = [];
  const onProblem = (error: unknown) => problems.push(error);
  process.on('uncaughtException', onProblem);
  process.on('unhandledRejection', onProblem);
  return {
    problems,
    stop: () => {
      process.off('uncaughtException', onProblem);
      process.off('unhandledRejection', onProblem);
    },
  };
}
