// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load-config.js';
import { tempProjects } from './helpers/temp-project.js';

const files = tempProjects('setpoint-config-store-');
const load = async (top: string, env: Record<string, string> = {}) => {
  const dir = files({
    'setpoint.yaml': `resources: ["r.yaml"]\nproviders: { files: { use: file, options: { root: ./out } } }\n${top}`,
    'r.yaml': 'kind: files\nname: a\nspec: { path: a, content: a }\n',
  });
  return loadConfig(join(dir, 'setpoint.yaml'), { env });
};

describe('store: and cluster:', () => {
  it('default to the state directory', async () => {
    const result = await load('');
    expect(result.ok && result.config.store).toEqual({ kind: 'file' });
  });

  it('read a postgres URL with the cluster defaults, and hide its password', async () => {
    const result = await load('store: postgres://setpoint:pw-123@db:5432/prod\n');
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.config.store).toEqual({
      kind: 'postgres',
      url: 'postgres://setpoint:pw-123@db:5432/prod',
      cluster: { id: undefined, shards: 64, leaseTtlMs: 10_000, renewEveryMs: 2000, publish: true },
    });
    expect(result.config.secrets).toContain('pw-123');
  });

  it('take the connection from the PG* variables with `postgres`, and a URL from the environment', async () => {
    const bare = await load(
      'store: postgres\ncluster: { id: node-a, shards: 16, leaseTtl: 3s, publish: false }\n',
    );
    expect(bare.ok && bare.config.store).toEqual({
      kind: 'postgres',
      url: undefined,
      cluster: { id: 'node-a', shards: 16, leaseTtlMs: 3000, renewEveryMs: 1000, publish: false },
    });
    const fromEnv = await load('store: ${env:DATABASE_URL}\n', { DATABASE_URL: 'postgres://u@h/d' });
    expect(fromEnv.ok && fromEnv.config.store).toMatchObject({ kind: 'postgres', url: 'postgres://u@h/d' });
  });

  it.each([
    ['store: mysql://db/x\n', 3, 'is not a store'],
    ['cluster: { shards: 8 }\n', 3, 'cluster: applies only to a postgres store'],
    ['store: postgres\ncluster: { leaseTtl: 3s, renewEvery: 2s }\n', 4, 'more than a third of leaseTtl'],
    ['store: postgres\ncluster: { shards: 0 }\n', 4, 'cluster.shards'],
    ['store: postgres\ncluster: { id: "a b" }\n', 4, 'instance id'],
  ])('refuse %j with the line and a fix', async (top, line, message) => {
    const result = await load(top);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.line).toBe(line);
    expect(result.errors[0]?.message).toContain(message);
    expect(result.errors[0]?.hint.length).toBeGreaterThan(10);
  });
});
