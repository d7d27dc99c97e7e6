import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { browserAdminPassword } from './browser-login.ts';
import { startServerProcess, type ServerProcess } from './process.ts';
import { makeBacktestEnv, type BacktestEnv } from './backtests.ts';

/** Debian's Chromium; never a downloaded browser. CHROMIUM_PATH overrides. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const hasChromium = existsSync(chromiumPath);

if (!hasChromium) {
  // Said once per browser test file, so a skipped suite is never silent.
  console.warn(`browser tests skipped: no Chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      // English pages unless a context asks for another locale (newContext({ locale: 'zh-CN' })): the suite asserts English text.
      '--lang=en-US',
    ],
  });
}

/** Where browser tests leave screenshots (test-artifacts/ under the working directory, made on first use). */
export function artifact(name: string): string {
  const dir = join(process.cwd(), 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/**
 * What went wrong on a page, gathered as it happens: uncaught page errors, console errors and, with
 * `failedResponses`, every answer of 400 or more. A test ends by expecting the list empty (or
 * filtering what it caused on purpose).
 */
export function watchProblems(page: Page, o: { failedResponses?: boolean } = {}): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  if (o.failedResponses) page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
  return problems;
}

/**
 * For the describe block it is called in: a real `zquant serve` process on a fresh data directory
 * (embedded stores, admin password browserAdminPassword) and a headless Chromium, started before its
 * tests and stopped after. The fields are set once the block's beforeAll has run.
 */
export function useServerProcessAndBrowser(): { server: ServerProcess; browser: Browser } {
  const suite = {} as { server: ServerProcess; browser: Browser };
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zq-browser-'));
    suite.server = await startServerProcess(['--data-dir', dir], { DATABASE_URL: '', ZQUANT_ADMIN_PASSWORD: browserAdminPassword });
    suite.browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return suite;
}

/**
 * For one describe block: the backtest environment (the real app with workers over a seeded demo
 * market, test/helpers/backtests.ts) served over HTTP, Chromium, and requests made as `as`. Read
 * its fields inside tests and later hooks (they are set in beforeAll).
 */
export function useBacktestBrowser(as: 'analyst' | 'admin' = 'analyst', options: Parameters<typeof makeBacktestEnv>[0] = {}): { env: BacktestEnv; base: string; browser: Browser } {
  const s = {} as { env: BacktestEnv; base: string; browser: Browser };
  beforeAll(async () => {
    s.env = await makeBacktestEnv(options);
    s.env.as(s.env.users[as]);
    s.base = await s.env.listen();
    s.browser = await launchBrowser();
  }, 90_000);
  afterAll(async () => {
    await s.browser?.close();
    await s.env?.close();
  });
  return s;
}
