import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isStoreState, type StoreState } from './store';

/**
 * Keeps an emulator's state in a JSON file: read once at start, written after changes (debounced) by
 * writing a temporary file and renaming it over the old one, so a crash never leaves half a file.
 */
export class JsonFilePersistence {
  private timer: NodeJS.Timeout | undefined;
  private pending: (() => StoreState) | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly filePath: string,
    private readonly debounceMs: number,
  ) {}

  /** The saved state, or undefined when the file does not exist or does not hold emulator state. */
  load(): StoreState | undefined {
    let text: string;
    try {
      text = readFileSync(this.filePath, 'utf8');
    } catch {
      return undefined;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(`Cannot read emulator state from ${this.filePath}: ${String(error)}`);
    }
    return isStoreState(parsed) ? parsed : undefined;
  }

  /** Asks for a write of `currentState()` once changes have settled for `debounceMs`. */
  schedule(currentState: () => StoreState): void {
    this.pending = currentState;
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.debounceMs);
  }

  /** Writes any scheduled change now and waits for all writes to finish. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const currentState = this.pending;
    this.pending = undefined;
    if (currentState !== undefined) {
      const text = JSON.stringify(currentState(), null, 2);
      this.writing = this.writing
        .then(() => this.writeAtomically(text))
        .catch((error: unknown) => process.emitWarning(`Could not save ${this.filePath}: ${String(error)}`));
    }
    await this.writing;
  }

  private async writeAtomically(text: string): Promise<void> {
    mkdirSync(dirname(this.filePath), { recursive: true });
    const temporary = `${this.filePath}.${process.pid}.tmp`;
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, this.filePath);
  }
}
