// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${file:PATH} and ${env:NAME} are the config syntax, not templates

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { loadConfig } from '../src/config/load-config.js';
import { capturedIo } from './helpers/captured-io.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'setpoint-fileref-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const SECRET = 's3cr3t-from-a-file';

describe('${file:PATH} references', () => {
  it('are replaced by the file (relative to the config, less one final newline) and kept secret', async () => {
    const dir = project({
      'setpoint.yaml':
        'resources: ["resources/*.yaml"]\nproviders:\n  app: { use: memory, options: { key: "k-${file:secrets/key}" } }\nserver: { token: "${file:secrets/token}" }\n',
      'secrets/token': `${SECRET}\n`,
      'secrets/key': 'line one\nline two\r\n',
      'resources/a.yaml':
        'kind: app\nname: a\nspec: { motd: "${file:motd.txt}", literal: "$${file:motd.txt}" }\n',
      'motd.txt': 'hello\n\n',
    });
    const result = await loadConfig(join(dir, 'setpoint.yaml'), { env: {} });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.server.token).toBe(SECRET);
    expect(result.config.providers.app?.options).toEqual({ key: 'k-line one\nline two' });
    expect(result.config.resources[0]?.spec).toEqual({ motd: 'hello\n', literal: '${file:motd.txt}' });
    expect(result.config.secrets).toEqual(expect.arrayContaining([SECRET, 'line one\nline two', 'hello\n']));
  });

  it('naming a missing file is an error at its line, with a hint', async () => {
    const dir = project({
      'setpoint.yaml': 'resources: ["a.yaml"]\nproviders:\n  app: { use: memory }\n',
      'a.yaml': 'kind: app\nname: a\nspec:\n  token: "${file:nope.txt}"\n',
    });
    const result = await loadConfig(join(dir, 'setpoint.yaml'), { env: {} });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toMatchObject([
      { code: 'read-error', line: 4, message: expect.stringContaining('${file:nope.txt}') },
    ]);
    expect(result.errors[0]?.hint).toContain('relative to the config');
  });

  it('never shows the secret in a refusal', async () => {
    const dir = project({
      'setpoint.yaml': 'resources: ["a.yaml"]\nproviders:\n  app: { use: memory }\n',
      'a.yaml': 'kind: app\nname: "${file:name.txt}"\nspec: {}\n',
      'name.txt': `has space ${SECRET}\n`,
    });
    const { io, out } = capturedIo(dir);
    expect(await runCli(['validate'], io)).toBe(1);
    expect(out.stderr).not.toContain(SECRET);
    expect(out.stderr).toContain('[redacted]');
  });
});
