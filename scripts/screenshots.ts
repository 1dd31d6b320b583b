/**
 * The dashboard's pictures in the docs, made from a real `setpoint run`: a small site of files,
 * two of them unable to be written (Degraded), one deletion held by the deletion budget, and a
 * drift repaired. Writes `docs/images/dashboard-overview.png` and `dashboard-resource.png`
 * (and their `-dark` twins), in headless Chromium.
 *
 *   npx tsx scripts/screenshots.ts [outDir]      # default docs/images
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launchChromium } from '../bench/lib/chromium.js';

const root = join(import.meta.dirname, '..');
const outDir = resolve(process.argv[2] ?? join(root, 'docs', 'images'));

const CONFIG = `
resources: ["resources/*.yaml"]
state: .setpoint
providers:
  files: { use: file, options: { root: ./out } }
defaults:
  interval: 2s
  prune: true
  maxRetries: 2
  backoff: { base: 200ms, cap: 1s }
  deletionBudget: { max: 0, fraction: 0 }
server:
  listen: "127.0.0.1:0"
  token: "\${env:SCREENSHOT_TOKEN}"
`;

const doc = (name: string, spec: Record<string, unknown>, dependsOn?: string) =>
  `---\nkind: files\nname: ${name}\nspec: ${JSON.stringify(spec)}\n${dependsOn ? `dependsOn: [${dependsOn}]\n` : ''}`;

function world(dir: string): void {
  mkdirSync(join(dir, 'resources'), { recursive: true });
  mkdirSync(join(dir, 'out'), { recursive: true });
  writeFileSync(join(dir, 'setpoint.yaml'), CONFIG);
  const site = [doc('site', { path: 'site', type: 'directory', mode: '0755' })];
  for (const page of ['index', 'about', 'pricing', 'blog', 'contact', 'careers', 'docs', 'status'])
    site.push(
      doc(`site/${page}.html`, { path: `site/${page}.html`, content: `<h1>${page}</h1>\n` }, 'files/site'),
    );
  writeFileSync(join(dir, 'resources', 'site.yaml'), site.join(''));
  const notes = [];
  for (let i = 1; i <= 12; i++)
    notes.push(doc(`notes/note-${i}.txt`, { path: `notes/note-${i}.txt`, content: `note ${i}\n` }));
  writeFileSync(join(dir, 'resources', 'notes.yaml'), notes.join(''));
  writeFileSync(
    join(dir, 'resources', 'motd.yaml'),
    doc('motd.txt', { path: 'motd.txt', content: 'Welcome. This file is kept as declared.\n', mode: '0644' }),
  );
  writeFileSync(
    join(dir, 'resources', 'retired.yaml'),
    doc('retired.txt', { path: 'retired.txt', content: 'old\n' }),
  );
  // Paths under a file: every create fails, and these two degrade.
  writeFileSync(join(dir, 'out', 'reports'), 'a file where a directory should be\n');
  writeFileSync(
    join(dir, 'resources', 'reports.yaml'),
    doc('reports/daily.csv', { path: 'reports/daily.csv', content: 'day,visits\n2026-12-06,1042\n' }) +
      doc('reports/weekly.csv', { path: 'reports/weekly.csv', content: 'week,visits\n49,7311\n' }),
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'setpoint-screenshots-'));
  let child: ChildProcess | undefined;
  const browser = await launchChromium();
  try {
    world(dir);
    child = spawn(process.execPath, [join(root, 'bin', 'setpoint.js'), 'run', '--json'], {
      cwd: dir,
      env: { ...process.env, SCREENSHOT_TOKEN: 'screenshot-token-0123456789' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const url = await new Promise<string>((done, fail) => {
      let log = '';
      child?.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        const found = /"url":"(http:[^"]+)"/.exec(log)?.[1];
        if (found) done(found);
      });
      child?.once('exit', (code) => fail(new Error(`setpoint run exited (${code}):\n${log}`)));
    });
    await settle(3000); // the site is written; the reports fail and degrade
    unlinkSync(join(dir, 'resources', 'retired.yaml')); // held: the budget allows no deletes
    writeFileSync(join(dir, 'out', 'motd.txt'), 'changed by hand\n'); // a drift, repaired
    await settle(3000);
    mkdirSync(outDir, { recursive: true });
    for (const scheme of ['light', 'dark'] as const) {
      const page = await browser.newPage({
        viewport: { width: 1440, height: 900 },
        colorScheme: scheme,
        deviceScaleFactor: 1,
      });
      const suffix = scheme === 'dark' ? '-dark' : '';
      await page.goto(`${url}/`);
      await page.waitForSelector('body[data-rendered="1"]');
      await page.waitForSelector('[data-testid="held-deletions"] [data-testid="held"]');
      await page.screenshot({ path: join(outDir, `dashboard-overview${suffix}.png`) });
      await page.click('[data-testid="row"][data-key="files/reports/daily.csv"]');
      await page.waitForSelector('[data-testid="plan-diff"]');
      await page.waitForSelector('[data-testid="timeline-entry"]');
      await page.screenshot({ path: join(outDir, `dashboard-resource${suffix}.png`) });
      await page.close();
    }
    process.stdout.write(`screenshots → ${outDir}\n`);
  } finally {
    await browser.close();
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((done) => child?.once('exit', done));
      child.kill('SIGTERM');
      await exited; // it writes its state as it stops
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function settle(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

await main();
