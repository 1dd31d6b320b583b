/**
 * Bundle the dashboard's page (`dashboard/`) into the three files the status server serves:
 * `index.html` at `/`, `app.js` and `app.css` under `/assets/`.
 *
 *   tsx scripts/build-dashboard.ts [outDir]    # default dist/dashboard
 *
 * The page has no inline script or style: the server's Content-Security-Policy allows only
 * its own origin.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const source = join(root, 'dashboard');

export interface DashboardFiles {
  readonly html: string;
  readonly js: string;
  readonly css: string;
}

/** Bundle the page; when `outDir` is given, write `index.html`, `app.js` and `app.css` there too. */
export async function buildDashboard(outDir?: string): Promise<DashboardFiles> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(source, 'main.tsx')],
    entryNames: 'app',
    outdir: 'out',
    tsconfig: join(source, 'tsconfig.json'),
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    minify: true,
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const output = (extension: string): string => {
    const file = result.outputFiles.find((each) => each.path.endsWith(extension));
    if (file === undefined) throw new Error(`the dashboard's bundle has no ${extension} file`);
    return file.text;
  };
  const files: DashboardFiles = {
    html: await readFile(join(source, 'index.html'), 'utf8'),
    js: output('.js'),
    css: output('.css'),
  };
  if (outDir !== undefined) {
    await mkdir(outDir, { recursive: true });
    await Promise.all([
      writeFile(join(outDir, 'index.html'), files.html),
      writeFile(join(outDir, 'app.js'), files.js),
      writeFile(join(outDir, 'app.css'), files.css),
    ]);
  }
  return files;
}

const invoked = process.argv[1];
if (invoked !== undefined && import.meta.url === pathToFileURL(resolve(invoked)).href) {
  const outDir = resolve(process.argv[2] ?? join(root, 'dist', 'dashboard'));
  const files = await buildDashboard(outDir);
  const kib = (text: string): string => `${(Buffer.byteLength(text) / 1024).toFixed(1)} KiB`;
  // On stderr: `npm pack --json` runs the build and reads its own stdout as JSON.
  process.stderr.write(`dashboard → ${outDir}: app.js ${kib(files.js)}, app.css ${kib(files.css)}\n`);
}
