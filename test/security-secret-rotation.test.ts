// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references, not a template
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { capturedIo } from './helpers/captured-io.js';
import { tempProjects } from './helpers/temp-project.js';

/**
 * A secret that rotates: after `${env:TOKEN}` changes, the old value still sits in the world and
 * in the state. It is a secret all the same: no plan, status or apply output may print it, nor
 * the new one, whatever the values are; and neither reaches the state directory in clear.
 */
const files = tempProjects('setpoint-rotate-');
const project = () =>
  files({
    'setpoint.yaml':
      'resources: ["resources/*.yaml"]\nproviders:\n  files: { use: file, options: { root: ./out } }\nserver: { listen: "127.0.0.1:1" }\n',
    'resources/token.yaml':
      'kind: files\nname: token\nspec: { path: token.txt, content: "token=${env:TOKEN}\\n", mode: "0600" }\n',
  });

async function setpoint(dir: string, token: string | undefined, ...argv: string[]) {
  const env: Record<string, string> =
    token === undefined ? { NO_COLOR: '1' } : { NO_COLOR: '1', TOKEN: token };
  const { io, out } = capturedIo(dir, { env });
  const code = await runCli(argv, io);
  return { code, text: out.stdout + out.stderr };
}

const secret = fc.stringMatching(/^[A-Za-z0-9+/=_-]{8,24}$/);

/** What the state directory holds (its key aside): the snapshot and the journal. */
function stateFiles(dir: string): string {
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, '.setpoint', name), 'utf8');
    } catch {
      return '';
    }
  };
  return read('inventory.json') + read('journal.log');
}

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
        expect(stateFiles(dir)).toContain('token=[redacted]');
        expect(stateFiles(dir)).not.toContain(before);
        expect(stateFiles(dir)).not.toContain(after);
        // The file it manages holds the new value: the world has it, the state does not.
        expect(readFileSync(join(dir, 'out', 'token.txt'), 'utf8')).toBe(`token=${after}\n`);
      }),
      { numRuns: 8 },
    );
  });

  it('is printed by no plan that deletes it, once its resource and its variable are both gone', async () => {
    await fc.assert(
      fc.asyncProperty(secret, async (value) => {
        const dir = project();
        const config = readFileSync(join(dir, 'setpoint.yaml'), 'utf8');
        writeFileSync(join(dir, 'setpoint.yaml'), `${config}defaults: { prune: true }\n`);
        writeFileSync(
          join(dir, 'resources', 'keep.yaml'),
          'kind: files\nname: keep\nspec: { path: keep.txt, content: "kept" }\n',
        );
        expect((await setpoint(dir, value, 'apply')).code).toBe(0);
        rmSync(join(dir, 'resources', 'token.yaml'));
        const outputs = [
          await setpoint(dir, undefined, 'plan'),
          await setpoint(dir, undefined, 'plan', '--json'),
          await setpoint(dir, undefined, 'apply'),
        ];
        for (const { text } of outputs) expect(text).not.toContain(value);
        expect(outputs[0]?.text).toMatch(/1 to destroy/);
        expect(outputs[1]?.text).toContain('[redacted]');
        expect(stateFiles(dir)).not.toContain(value);
      }),
      { numRuns: 4 },
    );
  });

  it('leaves the state files readable by their owner only', async () => {
    const dir = project();
    await setpoint(dir, 'first-value-123', 'apply');
    for (const file of ['inventory.json', 'journal.log', 'state.key']) {
      expect(statSync(join(dir, '.setpoint', file)).mode & 0o777).toBe(0o600);
    }
    expect(statSync(join(dir, '.setpoint')).mode & 0o777).toBe(0o700);
  });
});
