// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references, not a template
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { substituteEnv } from './env.js';

describe('substituteEnv', () => {
  const env = { HOST: 'db.local', TOKEN: 's3cr3t', EMPTY: '' };

  it('replaces each reference and records the values it put in', () => {
    expect(substituteEnv('https://${env:HOST}/?t=${env:TOKEN}', env)).toEqual({
      text: 'https://db.local/?t=s3cr3t',
      values: ['db.local', 's3cr3t'],
      missing: [],
      invalid: [],
      unreadable: [],
    });
  });

  it('treats an empty variable as set', () => {
    expect(substituteEnv('[${env:EMPTY}]', env).text).toBe('[]');
  });

  it('names every variable that is not set', () => {
    const result = substituteEnv('${env:NOPE} and ${env:ALSO_NOPE} and ${env:HOST}', env);
    expect(result.missing).toEqual(['NOPE', 'ALSO_NOPE']);
  });

  it('does not read inherited properties as variables', () => {
    expect(substituteEnv('${env:constructor}', {}).missing).toEqual(['constructor']);
  });

  it('reports references whose name is not a variable name', () => {
    expect(substituteEnv('${env:} ${env:1X} ${env:A-B} ${env:OPEN', env).invalid).toEqual([
      '${env:}',
      '${env:1X}',
      '${env:A-B}',
      '${env:OPEN',
    ]);
  });

  it('keeps $${env:NAME} as the literal text ${env:NAME}', () => {
    expect(substituteEnv('$${env:HOST} is ${env:HOST}', env)).toMatchObject({
      text: '${env:HOST} is db.local',
      values: ['db.local'],
    });
  });

  it('leaves text without references unchanged', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(!text.includes('${env:') && !text.includes('${file:'));
        expect(substituteEnv(text, env)).toEqual({
          text,
          values: [],
          missing: [],
          invalid: [],
          unreadable: [],
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('puts each value in verbatim, however odd (no second round of substitution)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (before, value, after) => {
        fc.pre(
          ![before, after].some((t) => t.includes('{env:') || t.includes('{file:')) && !before.endsWith('$'),
        );
        const result = substituteEnv(`${before}\${env:X}${after}`, { X: value });
        expect(result.text).toBe(`${before}${value}${after}`);
        expect(result.values).toEqual([value]);
      }),
      { numRuns: 1000 },
    );
  });
});
