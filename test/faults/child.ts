/** The suite's child processes (emulators, Node-RED), spoken to over IPC. */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

interface Reply {
  type: 'reply';
  id: number;
  result?: unknown;
  error?: string;
}

const running = new Set<Child<unknown>>();

/** A child process: requests answered by id, every other message an event. */
export class Child<E> {
  private nextId = 1;
  private readonly replies = new Map<number, (reply: Reply) => void>();
  exited = false;
  /** How the process ended: `SIGKILL`, `code 0`, … */
  readonly exit: Promise<string>;

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
    onEvent: (event: E) => void,
  ) {
    running.add(this as Child<unknown>);
    process.on('message', (message: Reply | E) => {
      const reply = message as Reply;
      if (reply.type === 'reply' && typeof reply.id === 'number') {
        this.replies.get(reply.id)?.(reply);
        this.replies.delete(reply.id);
      } else onEvent(message as E);
    });
    this.exit = new Promise((resolve) => {
      process.once('exit', (code, signal) => {
        this.exited = true;
        running.delete(this as Child<unknown>);
        const how = signal ?? `code ${String(code)}`;
        for (const answer of this.replies.values()) answer({ type: 'reply', id: 0, error: `${name} exited (${how})` });
        this.replies.clear();
        resolve(how);
      });
    });
  }

  request<T>(command: Record<string, unknown>, timeoutMs = 60_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(id);
        reject(new Error(`${this.name} did not answer ${String(command.cmd)} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.replies.set(id, (reply) => {
        clearTimeout(timer);
        if (reply.error !== undefined) reject(new Error(reply.error));
        else resolve(reply.result as T);
      });
      this.process.send({ ...command, id });
    });
  }

  /** Sends `signal`; a process still running after `graceMs` is killed. */
  async stop(signal: NodeJS.Signals = 'SIGINT', graceMs = 15_000): Promise<string> {
    if (this.exited) return this.exit;
    this.process.kill(signal);
    const killer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    const how = await this.exit;
    clearTimeout(killer);
    return how;
  }
}

/** Kills every child process still running (on SIGINT, or after a failure of the suite itself). */
export async function stopChildren(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop('SIGKILL')));
}

/** A log file for a child's output; the caller closes the descriptor once the child has it. */
export function logFile(dir: string, name: string): number {
  mkdirSync(dir, { recursive: true });
  return openSync(join(dir, name), 'w');
}
