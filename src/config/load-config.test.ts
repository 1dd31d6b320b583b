// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references, not a template
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REDACTED, redact } from '../contract/redact.js';
import { CONFIG_DEFAULTS, SERVER_DEFAULTS } from './defaults.js';
import { type LoadedConfig, loadConfig } from './load-config.js';

const GOOD = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'good');
const FULL_ENV = {
  API_HOST: 'api.internal:8080',
  API_TOKEN: 'tok-4f9a',
  SETPOINT_TOKEN: 'srv-77c1',
  ALICE_PASSWORD: 'correct horse battery staple',
};

async function load(name: string, env: Record<string, string> = {}): Promise<LoadedConfig> {
  const result = await loadConfig(join(GOOD, name, 'setpoint.yaml'), { env });
  if (!result.ok)
    throw new Error(`expected ${name} to load, got:\n${JSON.stringify(result.errors, null, 2)}`);
  return result.config;
}

describe('a config that sets everything', () => {
  const dir = join(GOOD, '01-full');

  it('resolves the file, its directory and the state directory to absolute paths', async () => {
    const config = await load('01-full', FULL_ENV);
    expect(config.file).toBe(join(dir, 'setpoint.yaml'));
    expect(config.dir).toBe(dir);
    expect(config.state).toBe(join(dir, 'var', 'state'));
  });

  it('reads every default from the file, durations in milliseconds', async () => {
    const config = await load('01-full', FULL_ENV);
    expect(config.defaults).toEqual({
      intervalMs: 90_000,
      backoff: { baseMs: 500, capMs: 120_000, factor: 3, jitter: 'equal' },
      maxRetries: 7,
      progressDeadlineMs: 900_000,
      hotLoop: { maxApplies: 8, windowMs: 1_200_000 },
      drift: 'alert',
      prune: true,
      pruneAdopted: true,
      allowEmpty: true,
      deletionBudget: { max: 20, fraction: 0.25, windowMs: 600_000 },
      rollback: true,
      concurrency: 4,
      timeoutMs: 10_000,
      shutdownMs: 45_000,
    });
    expect(config.server).toEqual({
      host: '0.0.0.0',
      port: 8080,
      token: 'srv-77c1',
      dashboard: { enabled: true, reads: 'open' },
    });
  });

  it('keeps built-in providers by name, resolves module paths, and substitutes the environment in options', async () => {
    const config = await load('01-full', FULL_ENV);
    const at = (line: number) => ({ file: join(dir, 'setpoint.yaml'), line, column: expect.any(Number) });
    expect(config.providers).toEqual({
      files: {
        use: 'file',
        options: { root: './out' },
        deletionBudget: { max: Number.POSITIVE_INFINITY },
        source: at(expect.any(Number) as unknown as number),
      },
      users: {
        use: 'http',
        options: { baseUrl: 'http://api.internal:8080/users', headers: { authorization: 'Bearer tok-4f9a' } },
        source: at(expect.any(Number) as unknown as number),
      },
      buckets: {
        module: join(dir, 'providers', 'buckets.js'),
        options: { region: 'eu-west-1' },
        progressDeadlineMs: 1_800_000,
        source: at(11),
      },
    });
  });

  it('lists resources in file order with their policies converted, and knows where each starts', async () => {
    const config = await load('01-full', FULL_ENV);
    expect(config.resources.map((r) => `${r.kind}/${r.name}`)).toEqual([
      'users/alice',
      'buckets/logs',
      'files/etc',
      'files/motd',
    ]);
    expect(config.resources[3]).toEqual({
      kind: 'files',
      name: 'motd',
      spec: { path: 'etc/motd.txt', content: 'hello\n', mode: '0644' },
      dependsOn: ['files/etc'],
      policy: {
        drift: 'enforce',
        intervalMs: 300_000,
        maxRetries: 2,
        rollback: false,
        progressDeadlineMs: 120_000,
      },
    });
    expect(config.sources.get('files/motd')).toEqual({
      file: join(dir, 'resources', 'files.yaml'),
      line: 5,
      column: 1,
    });
    expect(config.sources.get('buckets/logs')).toMatchObject({ line: 6 });
  });

  it('collects every substituted value as a secret, so redaction hides them', async () => {
    const config = await load('01-full', FULL_ENV);
    expect([...config.secrets].sort()).toEqual(Object.values(FULL_ENV).sort());
    const shown = redact(
      JSON.stringify({ providers: config.providers, resources: config.resources }),
      config.secrets,
    );
    for (const value of Object.values(FULL_ENV)) expect(shown).not.toContain(value);
    expect(shown).toContain(`"password":"${REDACTED}"`);
  });

  it('names each environment variable that is missing, and loads nothing', async () => {
    const { ALICE_PASSWORD: _, API_TOKEN: __, ...partial } = FULL_ENV;
    const result = await loadConfig(join(dir, 'setpoint.yaml'), { env: partial });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.code, e.message])).toEqual([
      ['missing-env', 'environment variable ALICE_PASSWORD is not set'],
      ['missing-env', 'environment variable API_TOKEN is not set'],
    ]);
  });
});

describe('a config that sets almost nothing', () => {
  it('gets the documented defaults', async () => {
    const config = await load('02-minimal');
    expect(config.defaults).toEqual(CONFIG_DEFAULTS);
    expect(config.defaults).toEqual({
      intervalMs: 30_000,
      backoff: { baseMs: 1000, capMs: 60_000, factor: 2, jitter: 'full' },
      maxRetries: 5,
      progressDeadlineMs: 600_000,
      hotLoop: { maxApplies: 5, windowMs: 600_000 },
      drift: 'enforce',
      prune: false,
      pruneAdopted: false,
      allowEmpty: false,
      deletionBudget: { max: 5, fraction: 0.1, windowMs: 3_600_000 },
      rollback: false,
      concurrency: 10,
      timeoutMs: 30_000,
      shutdownMs: 30_000,
    });
    expect(config.server).toEqual(SERVER_DEFAULTS);
    expect(config.server).toEqual({
      host: '127.0.0.1',
      port: 9464,
      dashboard: { enabled: true, reads: 'open' },
    });
    expect(config.state).toBe(join(GOOD, '02-minimal', '.setpoint'));
    expect(config.secrets).toEqual([]);
    expect(config.resources).toEqual([{ kind: 'notes', name: 'hello', spec: { text: 'hello' } }]);
  });

  it('accepts a provider name it is told about, and refuses one it is not', async () => {
    const path = join(GOOD, '02-minimal', 'setpoint.yaml');
    expect((await loadConfig(path, { env: {}, knownProviders: ['memory'] })).ok).toBe(true);
    const refused = await loadConfig(path, { env: {}, knownProviders: ['file'] });
    expect(refused.ok ? [] : refused.errors.map((e) => e.code)).toEqual(['unknown-provider']);
  });

  it('refuses a file over maxFileBytes', async () => {
    const result = await loadConfig(join(GOOD, '02-minimal', 'setpoint.yaml'), { env: {}, maxFileBytes: 40 });
    expect(result.ok ? [] : result.errors.map((e) => e.code)).toEqual(['file-too-large']);
  });

  it('throws a TypeError for misuse, naming the option', async () => {
    await expect(loadConfig('', {})).rejects.toThrow(/`path`/);
    await expect(loadConfig('x.yaml', { maxFileBytes: 0 })).rejects.toThrow(/`maxFileBytes`.*`0`/);
  });
});

describe('anchors, merge keys and overlapping patterns', () => {
  it('reads each matched file once, in pattern order, and skips the config file itself', async () => {
    const config = await load('03-anchors-and-patterns');
    expect(config.resources.map((r) => r.name)).toEqual(['base', 'derived', 'b', 'a']);
  });

  it('expands aliases and merge keys, and keeps $${env:…} as literal text', async () => {
    const config = await load('03-anchors-and-patterns');
    expect(config.resources[1]?.spec).toEqual({
      mode: '0644',
      owner: 'root',
      path: 'derived.txt',
      copyOwnership: { mode: '0644', owner: 'root' },
      note: 'costs ${env:NOT_A_VARIABLE}, literally',
    });
    expect(config.secrets).toEqual([]);
  });

  it('reads an IPv6 listen address', async () => {
    expect((await load('03-anchors-and-patterns')).server).toMatchObject({ host: '::1', port: 9000 });
  });
});
