/**
 * The command line as a build ships it (`dist/bundle/`, made by `scripts/bundle-cli.ts`), for a
 * bench or a test that starts `setpoint` as a process many times. Built from the sources as they
 * are now, in `into` (a directory under `node_modules/.cache`; default: a fresh one there),
 * with the dashboard's page beside it (`dist/dashboard/`), where a build puts both.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function bundleCli(into?: string): { readonly bin: string; remove(): void } {
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = into ?? mkdtempSync(join(cache, 'setpoint-bench-cli-'));
  // Two folders below a package.json, as in a build: `--version` and the page are found from there.
  const script = (name: string, out: string) =>
    execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', name), join(dir, out)], {
      stdio: 'pipe',
      cwd: ROOT,
    });
  script('bundle-cli.ts', join('dist', 'bundle'));
  script('build-dashboard.ts', join('dist', 'dashboard'));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  const bin = join(dir, 'setpoint.mjs');
  writeFileSync(
    bin,
    "const { main } = await import('./dist/bundle/main.js');\nprocess.exitCode = await main(process.argv.slice(2));\n",
  );
  return { bin, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
