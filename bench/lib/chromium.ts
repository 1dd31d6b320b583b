import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium (or `SETPOINT_CHROMIUM`), where the dashboard's browser tests, its
 * screenshots and its bench drive the page: headless, without the sandbox (CI runs as root) and
 * without background networking (nothing leaves the machine).
 */
export function chromiumPath(): string {
  const path = process.env.SETPOINT_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`no Chromium at ${path}: apt-get install chromium, or set SETPOINT_CHROMIUM`);
  }
  return path;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}
