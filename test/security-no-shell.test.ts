// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the samples are source code to scan, not templates
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findForbidden, sourceFiles } from './helpers/source-scan.js';

// No code in src/ runs a shell or evaluates a string as code: input (a resource spec, a config
// value) can then never become a shell command. Two files start child processes, each only as
// its job needs: the `process` provider's, whose job is to run the programs its specs name (it
// imports `spawn` alone, and calls it with a program, a list of arguments and `shell: false`);
// and the Git source's runner, which runs the system `git`, and only that, by `execFile` with
// an array of arguments (docs/decisions/0021-git-through-the-system-git.md).
const SRC = join(import.meta.dirname, '..', 'src');
const SPAWNS = 'providers/process-control.ts';
const ALLOWED_IN_SPAWNS = new Set(['child_process import', 'process spawn']);
const GIT = 'sources/git/git.ts';
const GIT_IMPORT = "import { execFile } from 'node:child_process';";
const GIT_CALL = /(?<![.\w])execFile\(\s*'git',/g;
const FORBIDDEN: [string, RegExp][] = [
  ['child_process import', /\bfrom\s+['"](?:node:)?child_process['"]/],
  ['child_process import', /\bimport\s*\(\s*['"](?:node:)?child_process['"]\s*\)/],
  ['child_process require', /\brequire\s*\(\s*['"](?:node:)?child_process['"]\s*\)/],
  ['process spawn', /(?<![.\w])(?:spawn|spawnSync|execSync|execFile|execFileSync|fork)\s*\(/],
  ['exec of a command', /(?<![\w])exec\s*\(\s*[`'"]/],
  ['shell: true', /\bshell\s*:\s*true\b/],
  ['eval', /(?<![.\w])eval\s*\(/],
  ['new Function', /\bnew\s+Function\s*\(/],
  ['vm module', /\bfrom\s+['"](?:node:)?vm['"]/],
];

function findShellUse(text: string): string[] {
  return findForbidden(text, FORBIDDEN);
}

/** A file's text as scanned: in the Git source's runner, its one import and its one call of `git`. */
function scanned(file: string): string {
  const text = readFileSync(file, 'utf8');
  if (relative(SRC, file).replaceAll('\\', '/') !== GIT) return text;
  return text.replace(GIT_IMPORT, '').replace(GIT_CALL, "runGitProcess('git',");
}

describe('no shell', () => {
  it('is used nowhere in src/: no child processes outside one file, no eval, no code from strings', () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.flatMap((file) => {
      const name = relative(SRC, file).replaceAll('\\', '/');
      return findShellUse(scanned(file))
        .filter((hit) => name !== SPAWNS || !ALLOWED_IN_SPAWNS.has(hit.replace(/^\d+: /, '')))
        .map((hit) => `${name}:${hit}`);
    });
    expect(offenders).toEqual([]);
  });

  it('is used by the Git source only to run `git` itself, with execFile and no shell', () => {
    const text = readFileSync(join(SRC, GIT), 'utf8');
    expect(
      text.split('\n').filter((line) => /child_process/.test(line) && !/^\s*(\*|\/\/)/.test(line)),
    ).toEqual([GIT_IMPORT]);
    expect(text.match(GIT_CALL)).toHaveLength(1);
    expect(text).not.toMatch(/\bshell\s*:/);
    // Anything else in the file is held to the same rules as the rest of src/.
    expect(findShellUse(scanned(join(SRC, GIT)))).toEqual([]);
    expect(findShellUse(`${GIT_IMPORT}\nexecFile(cmd, args);`).length).toBe(2);
  });

  it('starts processes in that one file with spawn alone, each call with shell: false', () => {
    const text = readFileSync(join(SRC, SPAWNS), 'utf8');
    const imports = [...text.matchAll(/^import .* from ['"](?:node:)?child_process['"];$/gm)].map(
      (m) => m[0],
    );
    expect(imports).toEqual(["import { spawn } from 'node:child_process';"]);
    const calls = [...text.matchAll(/(?<![.\w])spawn\(([\s\S]*?)\n\s*\}\);/g)].map((m) => m[1]!);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls).toHaveLength([...text.matchAll(/(?<![.\w])spawn\(/g)].length); // every call seen
    for (const call of calls) {
      expect(call).toMatch(/\bshell: false,/);
      expect(call).toMatch(/^[\w.]+, \[\.\.\.[\w.]+\], \{/); // a program, then an array of arguments
    }
  });

  it('is caught by the check when it appears, in each of its forms', () => {
    const samples = [
      "import { exec } from 'node:child_process';",
      "const cp = await import('child_process');",
      "const cp = require('child_process');",
      'spawn(spec.command, { shell: true });',
      'execSync(`rm -rf ${path}`);',
      "exec('ls ' + dir, cb);",
      'eval(text);',
      "const f = new Function('x', body);",
      "import vm from 'node:vm';",
    ];
    for (const sample of samples) expect(findShellUse(sample), sample).not.toEqual([]);
  });

  it('does not mistake a regular expression’s exec or a method named spawn for a shell', () => {
    expect(findShellUse('const m = DURATION.exec(text);')).toEqual([]);
    expect(findShellUse('supervisor.spawnChild(spec); actor.spawn(x);')).toEqual([]);
    expect(findShellUse('// spawn(x) in a comment')).toEqual([]);
  });
});
