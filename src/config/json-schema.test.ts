import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinProviders } from '../providers/index.js';
import { LISTEN_PATTERN, parseListen } from './config-schema.js';
import { parseDuration } from './duration.js';
import { substituteEnv } from './env.js';
import { JSON_SCHEMA_FILES, type JsonSchemaFile, jsonSchemaText, REFERENCE_PATTERN } from './json-schema.js';
import { DEFAULT_KNOWN_PROVIDERS } from './load-options.js';
import { durationShapes } from './schema-parts.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** Strings made of the pieces that matter to a pattern, so that edge cases come up often. */
function textOf(pieces: readonly string[]) {
  return fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((parts) => parts.join(''));
}

/** JSON Schema patterns are ECMAScript regular expressions, used with the `u` flag. */
function schemaRegExp(pattern: string): RegExp {
  return new RegExp(pattern, 'u');
}

describe.each(Object.keys(JSON_SCHEMA_FILES) as JsonSchemaFile[])('schema/%s', (file) => {
  it('is exactly what scripts/gen-schema.ts generates (run it after changing a schema)', () => {
    const committed = readFileSync(join(ROOT, 'schema', file), 'utf8');
    expect(committed).toBe(jsonSchemaText(file));
  });
});

describe('the patterns of the JSON Schemas agree with the loader', () => {
  it('listen: the pattern accepts exactly what parseListen accepts', () => {
    const listen = schemaRegExp(LISTEN_PATTERN);
    const hosts = ['127.0.0.1', 'localhost', '[::1]', '[fe80::1]', 'a-b.example', '', 'a b', '[x]', '::1'];
    const ports = fc.oneof(
      fc.constantFrom('0', '9464', '070000', '00001', '123456', '', '-1', 'x'),
      fc.integer({ min: 65_530, max: 65_545 }).map(String),
      fc.tuple(fc.constantFrom('', '0', '00'), fc.nat({ max: 99_999 })).map(([zeros, p]) => `${zeros}${p}`),
    );
    const built = fc
      .tuple(fc.constantFrom(...hosts), fc.constantFrom(':', ':', ':', '', '::'), ports)
      .map(([host, colon, port]) => `${host}${colon}${port}`);
    const noise = textOf(['1', '6', '5', '3', '9', ':', '[', ']', '.', 'a', 'F', '-', ' ', '\n', '0']);
    fc.assert(
      fc.property(fc.oneof(built, noise), (text) => {
        expect(listen.test(text), text).toBe(parseListen(text) !== undefined);
      }),
    );
  });

  const blank = fc.constantFrom('', '', ' ', '\t', '\n ');
  const part = fc.tuple(
    fc.constantFrom('0', '1', '30', '0.5', '1.25', '2147483648'),
    fc.constantFrom('h', 'm', 's', 'ms'),
  );
  const durationText = fc.oneof(
    fc
      .tuple(blank, fc.array(part, { minLength: 1, maxLength: 4 }), blank)
      .map(([before, parts, after]) => `${before}${parts.map(([n, unit]) => n + unit).join('')}${after}`),
    textOf(['0', '1', '5', '30', '.', '.5', 'h', 'm', 's', 'ms', ' ', '\t', 'x', '-']),
  );

  it('a duration as text: what the loader accepts matches, and what matches is a duration or out of range', () => {
    const pattern = schemaRegExp((durationShapes(0)[1] as { pattern: string }).pattern);
    fc.assert(
      fc.property(durationText, (text) => {
        const result = parseDuration(text);
        if (result.ok) expect(pattern.test(text), text).toBe(true);
        if (pattern.test(text) && !result.ok) expect(result.reason).toMatch(/too long|whole number/);
      }),
    );
  });

  it('a duration with a minimum: text below 1 ms does not match, text the loader takes does', () => {
    for (const minMs of [1, 100]) {
      const pattern = schemaRegExp((durationShapes(minMs)[1] as { pattern: string }).pattern);
      fc.assert(
        fc.property(durationText, (text) => {
          const result = parseDuration(text);
          if (result.ok && result.ms >= minMs) expect(pattern.test(text), text).toBe(true);
          if (result.ok && result.ms === 0) expect(pattern.test(text), text).toBe(false);
        }),
      );
    }
    expect(durationShapes(100)[0]).toMatchObject({ type: 'integer', minimum: 100 });
  });

  it('a reference: the pattern matches wherever the loader substitutes one, and only where it reads one', () => {
    const reference = schemaRegExp(REFERENCE_PATTERN);
    const pieces = ['$', '$$', '{', '}', '${', 'env:', 'file:', 'A', '_', '1', '-', ' ', 'x', '/', ':'];
    const one = fc
      .tuple(
        fc.constantFrom('', '', 'x', '$', '$$', '}'),
        fc.constantFrom('${env:', '${file:', '${', '{env:'),
        fc.constantFrom('A', '_a1', 'a-b', '', ' x', '${env:A', 'dir/f.txt'),
        fc.constantFrom('}', '}', ''),
      )
      .map((parts) => parts.join(''));
    const written = fc.array(one, { minLength: 1, maxLength: 3 }).map((refs) => refs.join(''));
    fc.assert(
      fc.property(fc.oneof(written, textOf(pieces)), (text) => {
        // With no variable set and no file read, every reference shows as missing or unreadable.
        const result = substituteEnv(text, {}, new Map());
        const found = result.missing.length + result.unreadable.length > 0;
        if (found) expect(reference.test(text), text).toBe(true);
        if (reference.test(text)) expect(found || result.invalid.length > 0, text).toBe(true);
      }),
    );
  });

  it('use: the names the schema lists are the built-in providers the loader knows', () => {
    expect([...DEFAULT_KNOWN_PROVIDERS].sort()).toEqual(Object.keys(builtinProviders).sort());
  });
});
