import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The page and its bundle, as served. */
export interface Assets {
  readonly html: Asset;
  readonly js: Asset;
  readonly css: Asset;
}

export interface Asset {
  readonly body: Buffer;
  readonly type: string;
  /** A strong validator: the body's hash. */
  readonly etag: string;
}

let loading: Promise<Assets | Error> | undefined;

/**
 * The dashboard's files, read once per process. A built package serves the bundle it ships in
 * `dist/dashboard/`. A source checkout (this file is TypeScript) bundles `dashboard/` afresh
 * instead, so that an edit to the page is never hidden behind an older build. An `Error` says
 * what is missing and how to make it.
 */
export function dashboardAssets(): Promise<Assets | Error> {
  loading ??= load().catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  return loading;
}

async function load(): Promise<Assets | Error> {
  const here = fileURLToPath(import.meta.url);
  const root = packageRoot(dirname(here));
  if (root === undefined) return new Error(`no package.json above ${here}`);
  const builder = join(root, 'scripts', 'build-dashboard.ts');
  if (here.endsWith('.ts') && existsSync(builder)) {
    const { buildDashboard } = (await import(pathToFileURL(builder).href)) as {
      buildDashboard(): Promise<{ html: string; js: string; css: string }>;
    };
    const built = await buildDashboard();
    return assets(Buffer.from(built.html), Buffer.from(built.js), Buffer.from(built.css));
  }
  const dir = join(root, 'dist', 'dashboard');
  try {
    const [html, js, css] = await Promise.all(
      ['index.html', 'app.js', 'app.css'].map((file) => readFile(join(dir, file))),
    );
    return assets(html!, js!, css!);
  } catch {
    return new Error(`the dashboard is not built: ${dir} is missing (run npm run build)`);
  }
}

function assets(html: Buffer, js: Buffer, css: Buffer): Assets {
  return {
    html: asset(html, 'text/html; charset=utf-8'),
    js: asset(js, 'text/javascript; charset=utf-8'),
    css: asset(css, 'text/css; charset=utf-8'),
  };
}

function asset(body: Buffer, type: string): Asset {
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

/** The nearest directory at or above `dir` that holds a `package.json`. */
function packageRoot(dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'package.json'))) return at;
    if (dirname(at) === at) return undefined;
  }
}
