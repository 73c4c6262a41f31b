/**
 * Headless Chromium from Debian's `chromium` package, driven by playwright-core, as the report's browser test and
 * benchmark use it: a new, empty user-data directory each time, and the flags that keep the browser from reaching
 * out on its own (background networking, component updates, first-run tasks), so that every request the page makes
 * is one the page made. `.ci/run` installs the package when it is missing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type BrowserContextOptions } from 'playwright-core';
import { AggwatchError } from '../../core/errors';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
] as const;

export class ChromiumMissingError extends AggwatchError {
  override readonly name = 'ChromiumMissingError';
  readonly code = 'ChromiumMissing';
  constructor() {
    super(`Chromium not found at ${CHROMIUM}: install Debian's package (apt-get update && apt-get install -y chromium; .ci/run does this when it is missing).`);
  }
}

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Starts Chromium with a fresh profile; `close` ends it and removes the profile. */
export async function launchChromium(options: BrowserContextOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new ChromiumMissingError();
  const profile = mkdtempSync(join(tmpdir(), 'aggwatch-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
      ...options,
    });
    return {
      context,
      async close() {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}
