/**
 * The `setpoint` command bundled for a fast start: `src/cli/main.ts` and every package it uses,
 * in a few files under `dist/bundle/` (esbuild, split at the command line's lazy imports). A
 * command then loads a handful of files instead of several hundred modules (zod alone is 200),
 * and `validate` still never loads the runtime. `bin/setpoint.js` runs it when it is there.
 *
 *   tsx scripts/bundle-cli.ts [outDir]      # default dist/bundle
 *
 * `outDir` must sit two folders below the package's root, as `dist/bundle` does: the bundle
 * finds `package.json` (its version) and `dist/dashboard/` from there.
 */
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = join(import.meta.dirname, '..');

/**
 * zod's messages in English only: its other languages (a third of what `validate` loads) are
 * bundled with it otherwise, and setpoint never switches language.
 */
const englishOnlyZod: Plugin = {
  name: 'english-only-zod',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: "export { default as en } from './en.js';\n",
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

/** Bundle the command line into `outDir` (emptied first); resolves with the files written. */
export async function bundleCli(outDir: string): Promise<string[]> {
  rmSync(outDir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { main: join(root, 'src', 'cli', 'main.ts') },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: '[name]-[hash]', // beside main.js: two folders below the root, as it expects
    // The bundled CommonJS packages (pg, pino) still call `require`: give each file one.
    banner: {
      js: "import { createRequire as __setpointRequire } from 'node:module'; const require = __setpointRequire(import.meta.url);",
    },
    legalComments: 'linked',
    minifyWhitespace: true,
    minifySyntax: true,
    plugins: [englishOnlyZod],
    logLevel: 'warning',
    metafile: true,
  });
  return Object.keys(result.metafile.outputs);
}

const invoked = process.argv[1];
if (invoked !== undefined && import.meta.url === pathToFileURL(resolve(invoked)).href) {
  const outDir = resolve(process.argv[2] ?? join(root, 'dist', 'bundle'));
  const files = await bundleCli(outDir);
  // On stderr: `npm pack --json` runs the build and reads its own stdout as JSON.
  process.stderr.write(`command line → ${outDir}: ${files.length} files\n`);
}
