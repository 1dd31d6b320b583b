// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references, not a template
import { statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { capturedIo } from './helpers/captured-io.js';
import { tempProjects } from './helpers/temp-project.js';

/**
 * A secret that rotates: after `${env:TOKEN}` changes, the old value still sits in the world and
 * in the state. It is a secret all the same: no plan, status or apply output may print it, nor
 * the new one, whatever the values are.
 */
const files = tempProjects('setpoint-rotate-');
const project = () =>
  files({
    'setpoint.yaml':
      'resources: ["resources/*.yaml"]\nproviders:\n  files: { use: file, options: { root: ./out } }\nserver: { listen: "127.0.0.1:1" }\n',
    'resources/token.yaml':
      'kind: files\nname: token\nspec: { path: token.txt, content: "token=${env:TOKEN}\\n", mode: "0600" }\n',
  });

async function setpoint(dir: string, token: string, ...argv: string[]) {
  const { io, out } = capturedIo(dir, { env: { NO_COLOR: '1', TOKEN: token } });
  const code = await runCli(argv, io);
  return { code, text: out.stdout + out.stderr };
}

const secret = fc.stringMatching(/^[A-Za-z0-9+/=_-]{8,24}$/);

describe('a secret that rotates', () => {
  it('is printed by no plan, status or apply, neither the old value nor the new', async () => {
    await fc.assert(
      fc.asyncProperty(secret, secret, async (before, after) => {
        fc.pre(before !== after && !before.includes(after) && !after.includes(before));
        const dir = project();
        expect((await setpoint(dir, before, 'apply')).code).toBe(0);
        const outputs = [
          await setpoint(dir, after, 'plan'),
          await setpoint(dir, after, 'plan', '--json'),
          await setpoint(dir, after, 'status'),
          await setpoint(dir, after, 'status', '--json'),
          await setpoint(dir, after, 'apply', '--json'),
          await setpoint(dir, after, 'status', '--json'),
        ];
        for (const { text } of outputs) {
          expect(text).not.toContain(before);
          expect(text).not.toContain(after);
        }
        expect(outputs[0]?.text).toContain('[redacted]');
      }),
      { numRuns: 8 },
    );
  });

  it('leaves the state files readable by their owner only', async () => {
    const dir = project();
    await setpoint(dir, 'first-value-123', 'apply');
    for (const file of ['inventory.json', 'journal.log']) {
      expect(statSync(join(dir, '.setpoint', file)).mode & 0o777).toBe(0o600);
    }
    expect(statSync(join(dir, '.setpoint')).mode & 0o777).toBe(0o700);
  });
});
