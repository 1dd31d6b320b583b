// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references, not a template

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCliLogger } from '../src/cli/logger.js';
import { runCli } from '../src/cli/main.js';
import { createReloader } from '../src/cli/reloader.js';
import { formatIssues } from '../src/config/format-issues.js';
import { loadConfig } from '../src/config/load-config.js';
import { REDACTED } from '../src/contract/redact.js';
import { memoryProvider } from '../src/providers/memory.js';
import { createRuntime } from '../src/runtime/index.js';
import { seededRandom } from '../src/time/random.js';
import { TestClock } from '../src/time/test-clock.js';
import { capturedIo } from './helpers/captured-io.js';
import { showsWholeOrStart } from './helpers/secret-forms.js';
import { tempProjects } from './helpers/temp-project.js';

/** Whether `text` shows `secret`, whole or its start (4 characters or more) before a cut. */
const shows = (text: string, secret: string) => showsWholeOrStart(text, secret, 4);

// Secrets a message could mangle: regular-expression syntax, a quote and a backslash (escaped
// when quoted), spaces around it (trimmed), one long enough to be cut short, unicode.
const SECRETS = [
  'pa$$w0rd.*+?(x)[y]{z}|^/',
  'q"u\\o\te',
  '  4242  ',
  `long-${'s'.repeat(30)}-secret-${'t'.repeat(30)}`,
  'ünï😀cødé',
];

const project = tempProjects('setpoint-issues-');

/** A config that quotes `${env:P}` in every check that fails on a value. */
const BAD = {
  'setpoint.yaml': [
    'resources: ["resources/*.yaml", "none/${env:P}/*.yaml"]',
    'providers:',
    '  app: { use: memory }',
    '  mod: { module: "./${env:P}.js" }',
    'defaults: { interval: "${env:P}", timeout: "12345678901234567890123456789012345${env:P}" }',
    'server: { listen: "127.0.0.1:${env:P}", token: "${env:P}" }',
    '',
  ].join('\n'),
  'resources/app.yaml': [
    'kind: app',
    'name: db',
    'spec: { a: 1 }',
    'dependsOn: ["app/${env:P}", "app/x${env:P}"]',
    '---',
    'kind: app',
    'name: "${env:P}"',
    'spec: { a: 2 }',
    '',
  ].join('\n'),
};

function inProcess(cwd: string, env: Record<string, string>) {
  return capturedIo(cwd, { env, clock: new TestClock(), random: seededRandom(1) });
}

describe('a config that fails its checks', () => {
  it.each(SECRETS)('reports every problem with the secret %j redacted, and carries it', async (secret) => {
    const dir = project(BAD);
    const result = await loadConfig(join(dir, 'setpoint.yaml'), { env: { P: secret } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.secrets).toContain(secret);
    // The checks still run and say what is wrong: nothing vacuous about the absence below.
    const codes = new Set(result.errors.map((e) => e.code));
    for (const code of ['bad-duration', 'bad-listen', 'no-match', 'missing-module']) {
      expect(codes).toContain(code);
    }
    expect(formatIssues(result.errors)).toContain(REDACTED);
    expect(shows(formatIssues(result.errors), secret)).toBe(false);
    expect(shows(JSON.stringify(result.errors), secret)).toBe(false);
  });

  it('is reported by validate, validate --json, plan and status without its secrets', async () => {
    for (const secret of SECRETS) {
      const dir = project(BAD);
      for (const argv of [['validate'], ['validate', '--json'], ['plan'], ['status'], ['status', '--json']]) {
        const { io, out } = inProcess(dir, { P: secret });
        expect(await runCli(argv, io)).toBe(1);
        expect(out.stderr).toContain('bad-listen');
        expect(shows(out.stdout + out.stderr, secret)).toBe(false);
      }
    }
  });

  it('is reported without its secrets when a provider refuses the options that hold them', async () => {
    const secret = 'q"u\\o\te';
    const dir = project({
      'strict.mjs':
        "export function createProvider(options) { throw new TypeError('bad options ' + JSON.stringify(options) + ' ' + options.token); }\n",
      'setpoint.yaml':
        'resources: [r.yaml]\nproviders:\n  app: { module: ./strict.mjs, options: { token: "${env:P}" } }\n',
      'r.yaml': 'kind: app\nname: a\nspec: {}\n',
    });
    for (const argv of [['validate'], ['validate', '--json']]) {
      const { io, out } = inProcess(dir, { P: secret });
      expect(await runCli(argv, io)).toBe(1);
      expect(out.stderr).toContain(`bad options {"token":"${REDACTED}"} ${REDACTED}`);
      expect(shows(out.stdout + out.stderr, secret)).toBe(false);
    }
  });

  it('refused on reload, is logged without its secrets, which are hidden from then on', async () => {
    const secret = 'q"u\\o\te';
    const dir = project({
      'setpoint.yaml': 'resources: ["r.yaml"]\nproviders:\n  app: { use: memory }\n',
      'r.yaml': 'kind: app\nname: a\nspec: {}\n',
    });
    const { io } = inProcess(dir, { P: secret });
    const started = await loadConfig(join(dir, 'setpoint.yaml'), { env: io.env });
    if (!started.ok) throw new Error(formatIssues(started.errors));
    expect(started.config.secrets).toEqual([]);
    const lines: string[] = [];
    const { logger, addSecrets } = createCliLogger({
      output: { write: (text) => void lines.push(text), isTTY: false },
      level: 'info',
      clock: io.clock,
      secrets: started.config.secrets,
      pretty: false,
      color: false,
    });
    const runtime = createRuntime({
      providers: [memoryProvider({ kind: 'app', clock: io.clock, random: io.random })],
      clock: io.clock,
      random: io.random,
    });
    const reloader = createReloader({
      runtime,
      io,
      log: logger,
      config: started.config,
      onSecrets: addSecrets,
      onAccepted: () => {},
    });
    writeFileSync(join(dir, 'r.yaml'), 'kind: app\nname: a\nspec: {}\ndependsOn: ["app/${env:P}"]\n');
    reloader.reload([join(dir, 'r.yaml')]);
    await reloader.idle();
    expect(reloader.last()).toMatchObject({ ok: false });
    expect(lines.join('')).toContain(`app/${REDACTED}`);
    logger.info({ echoed: `spec ${JSON.stringify({ p: secret })}` }, `later: ${secret}`);
    expect(lines.join('')).toContain(`later: ${REDACTED}`);
    for (const text of [...lines, JSON.stringify(reloader.last())]) expect(shows(text, secret)).toBe(false);
  });
});
