import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../bench/lib/chromium.js';
import { freePort } from './helpers/poll.js';
import { startServingRun } from './helpers/serving-run.js';

/**
 * The dashboard as an operator meets it: a real `setpoint run` on files, its page in Chromium.
 * The steps run in order, on one run and one page, as one session at the console would.
 */
const TOKEN = 'dashboard-test-token-0001';

const CONFIG = `
resources: ["resources/*.yaml"]
state: .setpoint
providers:
  files: { use: file, options: { root: ./out } }
defaults:
  interval: 1s
  prune: true
  maxRetries: 2
  backoff: { base: 100ms, cap: 300ms }
  deletionBudget: { max: 1, fraction: 0, window: 1h }
server:
  listen: "127.0.0.1:PORT"
  token: "\${env:DASHBOARD_TOKEN}"
`;

const file = (name: string, content: string) =>
  `kind: files\nname: ${name}\nspec: { path: ${name}, content: ${JSON.stringify(content)} }\n`;

let dir: string;
let browser: Browser;
let page: Page;
let url: string;
let port: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'setpoint-dashboard-'));
  mkdirSync(join(dir, 'resources'));
  mkdirSync(join(dir, 'out'));
  port = String(await freePort()); // fixed: the page reconnects to it after a restart
  writeFileSync(join(dir, 'setpoint.yaml'), CONFIG.replace('PORT', port));
  writeFileSync(join(dir, 'resources', 'motd.yaml'), file('motd.txt', 'hello\n'));
  for (const n of ['a', 'b', 'c'])
    writeFileSync(join(dir, 'resources', `note-${n}.yaml`), file(`note-${n}.txt`, `${n}\n`));
  // A file under a path that is a file already: every create fails, and it degrades.
  writeFileSync(join(dir, 'out', 'blocked'), 'in the way\n');
  writeFileSync(join(dir, 'resources', 'stuck.yaml'), file('blocked/stuck.txt', 'never\n'));
  ({ url } = await startServingRun(dir, children, { DASHBOARD_TOKEN: TOKEN }));
  browser = await launchChromium();
  page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    // Chromium reports every 4xx and every cut connection as a console error: the 401 this test
    // asks for, and the feed cut when the test kills the run, are expected.
    const where = m.location().url;
    const asked =
      (m.text().includes('status of 401') && where.endsWith('/dashboard/reconcile')) ||
      where.endsWith('/dashboard/feed');
    if (m.type() === 'error' && !asked) problems.push(`${m.text()} (${where})`);
  });
  page.on('pageerror', (e) => problems.push(e.message));
  (globalThis as { pageProblems?: string[] }).pageProblems = problems;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const row = (key: string) => page.locator(`[data-testid="row"][data-key="${key}"]`);

describe('the dashboard, in Chromium, on a real setpoint run', () => {
  it('lists the resources of the run, live', async () => {
    await page.goto(`${url}/`);
    await page.waitForSelector('body[data-rendered="1"]');
    await expect.poll(() => page.getAttribute('[data-testid="connection"]', 'data-state')).toBe('live');
    await expect.poll(() => page.textContent('[data-testid="row-count"]')).toMatch(/\b5 of 5\b/);
    await expect.poll(() => row('files/motd.txt').locator('[data-col="phase"]').textContent()).toBe('synced');
  });

  it('opens a resource from the keyboard', async () => {
    await row('files/motd.txt').focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="resource-page"][data-key="files/motd.txt"]');
  });

  it('shows a drift made on disk, and its repair, without moving the page about', async () => {
    await page.evaluate(() => {
      const w = globalThis as unknown as { shifted: number };
      w.shifted = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[])
          if (!e.hadRecentInput) w.shifted += e.value;
      }).observe({ type: 'layout-shift' as never, buffered: false });
    });
    writeFileSync(join(dir, 'out', 'motd.txt'), 'changed behind its back\n');
    await page.waitForSelector('[data-testid="timeline-entry"][data-event="drift"]', { timeout: 15_000 });
    await page.waitForSelector('[data-testid="timeline-entry"][data-event="action:applied"]');
    expect(readFileSync(join(dir, 'out', 'motd.txt'), 'utf8')).toBe('hello\n');
    // Live updates (the timeline growing, counts, the row) shift nothing already on screen.
    expect(await page.evaluate(() => (globalThis as unknown as { shifted: number }).shifted)).toBeLessThan(
      0.01,
    );
    await page.click('[data-testid="back"]');
  });

  it('finds the degraded resource by its condition', async () => {
    await page.waitForSelector('[data-testid="resource-table"]');
    await page.selectOption('[data-testid="filter-condition"]', 'degraded');
    await expect
      .poll(() => page.textContent('[data-testid="row-count"]'), { timeout: 15_000 })
      .toMatch(/\b1 of 5\b/);
    expect(await page.locator('[data-testid="row"]').count()).toBe(1);
    expect(await row('files/blocked/stuck.txt').count()).toBe(1);
  });

  it('renders its plan as a diff', async () => {
    await row('files/blocked/stuck.txt').click();
    await page.waitForSelector('[data-testid="plan-diff"]');
    const paths = await page
      .locator('[data-testid="plan-line"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-path')));
    expect(paths).toContain('content');
    expect(await page.textContent('[data-testid="plan-diff"]')).toContain('never');
    expect(await page.getAttribute('[data-testid="condition-Degraded"]', 'data-status')).toBe('true');
  });

  it('refuses to act without the token', async () => {
    expect(await page.isDisabled('[data-testid="reconcile-now"]')).toBe(true);
    const status = await page.evaluate(async () => {
      const res = await fetch('/dashboard/reconcile', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: 'files/motd.txt' }),
      });
      return res.status;
    });
    expect(status).toBe(401);
    await page.click('[data-testid="back"]');
    await page.selectOption('[data-testid="filter-condition"]', '');
  });

  it('releases a held deletion when approved with the token', async () => {
    unlinkSync(join(dir, 'resources', 'note-a.yaml'));
    unlinkSync(join(dir, 'resources', 'note-b.yaml'));
    // One delete is within the budget of one; the other is held until approved.
    const held = page.locator('[data-testid="held-deletions"] [data-testid="held"]');
    await expect.poll(() => held.count(), { timeout: 20_000 }).toBe(1);
    const key = await held.first().getAttribute('data-key');
    expect(key === 'files/note-a.txt' || key === 'files/note-b.txt').toBe(true);
    const kept = join(dir, 'out', key!.slice('files/'.length));
    expect(existsSync(kept)).toBe(true);

    await page.click('[data-testid="token-button"]');
    await page.fill('[data-testid="token-input"]', TOKEN);
    await page.click('[data-testid="token-save"]');
    await page.click(`[data-testid="approve"][data-key="${key}"]`);
    await expect.poll(() => held.count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => existsSync(kept), { timeout: 15_000 }).toBe(false);
    await expect.poll(() => page.textContent('[data-testid="row-count"]')).toMatch(/\b3 of 3\b/);
  });

  it('reconnects after the run restarts, and shows the state as it is then', async () => {
    const first = children.pop()!;
    first.kill('SIGKILL');
    await expect.poll(() => page.getAttribute('[data-testid="connection"]', 'data-state')).not.toBe('live');
    writeFileSync(join(dir, 'resources', 'note-d.yaml'), file('note-d.txt', 'd\n'));
    await startServingRun(dir, children, { DASHBOARD_TOKEN: TOKEN });
    await expect
      .poll(() => page.getAttribute('[data-testid="connection"]', 'data-state'), { timeout: 15_000 })
      .toBe('live');
    await expect
      .poll(() => page.textContent('[data-testid="row-count"]'), { timeout: 15_000 })
      .toMatch(/\b4 of 4\b/);
    expect(await row('files/note-d.txt').count()).toBe(1);
  });

  it('logged no error and broke no rule of its security policy', () => {
    expect((globalThis as { pageProblems?: string[] }).pageProblems).toEqual([]);
  });
});
