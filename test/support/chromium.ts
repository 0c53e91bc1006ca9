import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The system's Chromium (Debian's package); CRMERP_CHROMIUM points elsewhere. No browser is ever downloaded. */
export function chromiumPath(): string | undefined {
  const candidates = [process.env.CRMERP_CHROMIUM, '/usr/bin/chromium'];
  return candidates.find((path): path is string => !!path && existsSync(path));
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-extensions',
      '--no-first-run',
      '--mute-audio',
    ],
    timeout: 60_000,
  });
}

/**
 * Console errors and uncaught exceptions of a page, in order; `since(mark)` reads those after a mark.
 * `ignore` drops known problems of third-party code.
 */
export class PageProblems {
  private readonly problems: string[] = [];

  constructor(page: Page, ignore: (problem: string) => boolean = () => false) {
    const record = (problem: string) => {
      if (!ignore(problem)) this.problems.push(problem);
    };
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const { url, lineNumber } = message.location();
      record(`console error: ${message.text()}${url ? ` (${url}:${lineNumber})` : ''}`);
    });
    page.on('pageerror', (error) => record(`page error: ${error.stack ?? error.message}`));
  }

  mark(): number {
    return this.problems.length;
  }

  since(mark: number): string[] {
    return this.problems.slice(mark);
  }
}
