import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from './cluster-harness';

/** Debian's chromium (installed by .ci/run); ENAS_CHROMIUM points elsewhere. */
export function chromiumPath(): string {
  const path = process.env['ENAS_CHROMIUM'] ?? '/usr/bin/chromium';
  if (!existsSync(path)) throw new Error(`no Chromium at ${path}: apt-get install chromium (Debian), or set ENAS_CHROMIUM to a Chromium binary`);
  return path;
}

/** Headless Chromium as the browser tests start it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** Screenshots land here (tmp/ is git-ignored). */
export const SCREENSHOTS = join(ROOT, 'tmp', 'dashboard');
