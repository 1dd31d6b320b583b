// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references, not a template
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIssues } from '../src/config/format-issues.js';
import { type LoadedConfig, loadConfig } from '../src/config/load-config.js';
import type { Provider } from '../src/contract/provider.js';
import { REDACTED, redact } from '../src/contract/redact.js';
import { renderPlan, renderPlanJson } from '../src/diff/render.js';
import { memoryProvider } from '../src/providers/memory.js';
import { createRuntime } from '../src/runtime/index.js';
import { seededRandom } from '../src/time/random.js';
import { TestClock } from '../src/time/test-clock.js';

// Characters a regular expression would take for syntax, to be sure redaction treats them as text.
const SECRET = 'pa$$w0rd.*+?(x)[y]{z}|^/';
const TOKEN = 'tok-2f1c9a77e0b4';

let dir: string;

async function writeConfig(root: string, config: string, resources: string): Promise<string> {
  await mkdir(join(root, 'resources'), { recursive: true });
  await writeFile(join(root, 'setpoint.yaml'), config);
  await writeFile(join(root, 'resources', 'app.yaml'), resources);
  return join(root, 'setpoint.yaml');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'setpoint-secrets-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function goodConfig(): Promise<LoadedConfig> {
  const path = await writeConfig(
    join(dir, 'good'),
    [
      'resources: ["resources/*.yaml"]',
      'providers:',
      '  app: { use: memory }',
      'server: { listen: "127.0.0.1:9464", token: "${env:API_TOKEN}" }',
      '',
    ].join('\n'),
    [
      'kind: app',
      'name: db',
      'spec: { user: app, password: "${env:DB_PASSWORD}", url: "postgres://app:${env:DB_PASSWORD}@db/app" }',
      '',
    ].join('\n'),
  );
  const result = await loadConfig(path, { env: { DB_PASSWORD: SECRET, API_TOKEN: TOKEN } });
  if (!result.ok) throw new Error(formatIssues(result.errors));
  return result.config;
}

/** Everything the CLI would print about a runtime: plan text and JSON, status, events. */
async function everythingPrinted(config: LoadedConfig, provider: Provider, dryRun: boolean) {
  const clock = new TestClock();
  const rt = createRuntime({ providers: [provider], clock, random: seededRandom(1), dryRun, maxRetries: 1 });
  const events: string[] = [];
  rt.on('plan:computed', (e) => events.push(JSON.stringify(e)));
  rt.on('action:failed', (e) => events.push(JSON.stringify(e)));
  rt.on('degraded', (e) => events.push(JSON.stringify(e)));
  await rt.start();
  rt.setDesired(config.resources);
  const planned = rt.plan();
  await clock.advance(5000);
  const plan = await planned;
  const printed = [renderPlan(plan), renderPlanJson(plan), JSON.stringify(rt.status()), ...events];
  const stopping = rt.stop();
  await clock.advance(60_000);
  await stopping;
  return printed;
}

describe('secrets from ${env:…}', () => {
  it('are collected by loadConfig, every one, from resources and from the config itself', async () => {
    const config = await goodConfig();
    expect(config.secrets).toEqual(expect.arrayContaining([SECRET, TOKEN]));
    expect(JSON.stringify(config.resources)).toContain(SECRET); // the runtime needs the real value
  });

  it('never appear in a plan, its JSON, the status or the events once redacted with the config’s secrets', async () => {
    const config = await goodConfig();
    const clock = new TestClock();
    const printed = await everythingPrinted(
      config,
      memoryProvider({ kind: 'app', clock, random: seededRandom(2) }),
      true,
    );
    // Unredacted, the secret is there: the check below is not vacuous.
    expect(printed.filter((text) => text.includes(SECRET)).length).toBe(printed.length);
    for (const text of printed) {
      const shown = redact(text, config.secrets);
      expect(shown).not.toContain(SECRET);
      expect(shown).not.toContain('pa$$w0rd');
      expect(shown).toContain(REDACTED);
    }
  });

  it('never appear in errors and status when a provider echoes the spec in its error, once redacted', async () => {
    const config = await goodConfig();
    const echoing: Provider = {
      kind: 'app',
      observe: async () => undefined,
      create: async (desired) => {
        throw new Error(`rejected ${JSON.stringify(desired.spec)}`); // as some APIs do
      },
      update: async () => undefined,
      delete: async () => undefined,
    };
    const printed = await everythingPrinted(config, echoing, false);
    const errors = printed.filter((text) => text.includes('rejected'));
    expect(errors.length).toBeGreaterThan(1);
    expect(errors.every((text) => text.includes(SECRET))).toBe(true);
    for (const text of printed) expect(redact(text, config.secrets)).not.toContain('pa$$w0rd');
  });

  // A secret with a quote or a backslash is escaped in JSON (`\"`, `\\`): `redact` hides that
  // form too, and `redactedJson` hides secrets before encoding (test/security-json-output.test.ts).
  it('never appear in JSON output, even when the secret holds a quote or a backslash', () => {
    const secret = 'a"b\\c';
    const json = JSON.stringify({ spec: { password: secret } });
    expect(redact(json, [secret])).not.toContain('b\\\\c');
  });

  // A config that fails its checks quotes the substituted value in its issues (a bad duration,
  // a bad listen address, a missing dependency all print the value): `loadConfig` redacts them,
  // and the failed result carries its `secrets` for whatever is printed with them
  // (more cases in test/security-config-issues.test.ts).
  it('never appear in the issues of a config that fails its checks', async () => {
    const path = await writeConfig(
      join(dir, 'bad'),
      [
        'resources: ["resources/*.yaml"]',
        'providers:',
        '  app: { use: memory }',
        'defaults: { interval: "${env:DB_PASSWORD}" }',
        'server: { listen: "127.0.0.1:${env:DB_PASSWORD}" }',
        '',
      ].join('\n'),
      ['kind: app', 'name: db', 'spec: { a: 1 }', 'dependsOn: ["app/${env:DB_PASSWORD}"]', ''].join('\n'),
    );
    const result = await loadConfig(path, { env: { DB_PASSWORD: SECRET } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.secrets).toContain(SECRET);
    expect(result.errors.map((e) => e.code)).toEqual(
      expect.arrayContaining(['bad-duration', 'bad-listen', 'missing-dependency']),
    );
    expect(formatIssues(result.errors)).not.toContain('pa$$w0rd');
    expect(formatIssues(result.errors)).toContain(REDACTED);
    expect(redact(formatIssues(result.errors), result.secrets)).not.toContain('pa$$w0rd');
  });
});
