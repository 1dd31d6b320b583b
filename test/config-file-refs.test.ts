// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${file:PATH} and ${env:NAME} are the config syntax, not templates

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { loadConfig } from '../src/config/load-config.js';
import { capturedIo } from './helpers/captured-io.js';
import { tempProjects } from './helpers/temp-project.js';

const project = tempProjects('setpoint-fileref-');

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
