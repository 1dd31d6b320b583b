// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references, not a template
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { capturedIo } from './helpers/captured-io.js';
import { tempProjects } from './helpers/temp-project.js';

/** The key that seals secrets in the state: the state directory's own, or `SETPOINT_STATE_KEY`. */
const files = tempProjects('setpoint-state-key-');
const project = () =>
  files({
    'setpoint.yaml':
      'resources: ["resources/*.yaml"]\nproviders:\n  files: { use: file, options: { root: ./out } }\nserver: { listen: "127.0.0.1:1" }\n',
    'resources/db.yaml':
      'kind: files\nname: db\nspec: { path: db.env, content: "PASSWORD=${env:DB_PASSWORD}\\n" }\n',
  });

async function setpoint(dir: string, env: Record<string, string>, ...argv: string[]) {
  const { io, out } = capturedIo(dir, { env: { NO_COLOR: '1', DB_PASSWORD: 'hunter2-value', ...env } });
  const code = await runCli(argv, io);
  return { code, ...out };
}

const newKey = () => randomBytes(32).toString('base64');

describe('the state key', () => {
  it('from SETPOINT_STATE_KEY: no key is written beside the state, and the same key reads it back', async () => {
    const dir = project();
    const key = newKey();
    expect((await setpoint(dir, { SETPOINT_STATE_KEY: key }, 'apply')).code).toBe(0);
    expect(existsSync(join(dir, '.setpoint', 'state.key'))).toBe(false);
    const again = await setpoint(dir, { SETPOINT_STATE_KEY: key }, 'apply');
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/could not be opened/);
    expect(readFileSync(join(dir, '.setpoint', 'inventory.json'), 'utf8')).not.toContain('hunter2-value');
  });

  it('that is not a key: exit 1 before anything is touched, naming the variable and the fix', async () => {
    const dir = project();
    const { code, stderr } = await setpoint(dir, { SETPOINT_STATE_KEY: 'not-a-key' }, 'apply');
    expect(code).toBe(1);
    expect(stderr).toMatch(/SETPOINT_STATE_KEY to be a state key: 32 bytes in base64/);
    expect(stderr).toMatch(/unset it to use .*state\.key/);
    expect(existsSync(join(dir, '.setpoint'))).toBe(false);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('replaced: a warning that says how many seals were lost, and the resources are still kept in sync', async () => {
    const dir = project();
    expect((await setpoint(dir, {}, 'apply')).code).toBe(0);
    writeFileSync(join(dir, '.setpoint', 'state.key'), `${newKey()}\n`);
    writeFileSync(join(dir, 'out', 'db.env'), 'PASSWORD=drifted\n');
    const { code, stderr, stdout } = await setpoint(dir, {}, 'apply');
    expect(code).toBe(0);
    expect(stderr).toMatch(/warning: \d+ sealed secret values? in the state could not be opened/);
    expect(stdout + stderr).not.toContain('hunter2-value');
    expect(readFileSync(join(dir, 'out', 'db.env'), 'utf8')).toBe('PASSWORD=hunter2-value\n');
  });
});
