import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

/** Load a config of one file resource kind, with `extra` YAML under the given sections. */
async function loadWith(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'setpoint-budget-'));
  writeFileSync(join(dir, 'r.yaml'), 'kind: files\nname: a\nspec: { path: a.txt }\n');
  writeFileSync(join(dir, 'setpoint.yaml'), `resources: [r.yaml]\n${yaml}`);
  return loadConfig(join(dir, 'setpoint.yaml'), { env: {} });
}

describe('deletionBudget in setpoint.yaml', () => {
  it('is read under defaults and per provider, with unlimited and durations', async () => {
    const result = await loadWith(
      'providers:\n  files: { use: file, options: { root: out }, deletionBudget: { max: 0, fraction: 0 } }\n' +
        'defaults:\n  deletionBudget: { max: unlimited, window: 0 }\n',
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.config.defaults.deletionBudget).toEqual({
      max: Number.POSITIVE_INFINITY,
      fraction: 0.1,
      windowMs: 0,
    });
    expect(result.config.providers.files?.deletionBudget).toEqual({ max: 0, fraction: 0 });
  });

  it('refuses bad values with the line, the field and how to fix it', async () => {
    const result = await loadWith(
      'providers:\n  files: { use: file, deletionBudget: { max: -1 } }\n' +
        'defaults:\n  deletionBudget:\n    max: many\n    fraction: 2\n    window: soon\n    limit: 3\n',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const shown = result.errors.map((e) => `${e.line} ${e.message} | ${e.hint}`);
    expect(shown).toEqual([
      expect.stringMatching(
        /^3 providers\.files\.deletionBudget\.max must be at least 0.*\| a whole number of deletes from 0 up, or unlimited$/,
      ),
      expect.stringMatching(/^6 defaults\.deletionBudget\.max: "many" is not a number of deletes/),
      expect.stringMatching(
        /^7 defaults\.deletionBudget\.fraction must be at most 1.*\| a share of the managed/,
      ),
      expect.stringMatching(/^8 .*"soon" is not a duration/),
      expect.stringMatching(/^9 unknown key "limit" in defaults\.deletionBudget/),
    ]);
    expect(result.errors.every((e) => e.file.endsWith('setpoint.yaml'))).toBe(true);
  });
});
