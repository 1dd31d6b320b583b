// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references, not a template

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import type { Provider } from '../src/contract/provider.js';
import { REDACTED, redact } from '../src/contract/redact.js';
import { createRuntime } from '../src/runtime/index.js';
import { redactedJson } from '../src/server/redact-json.js';
import { createStatusServer } from '../src/server/status-server.js';
import { seededRandom } from '../src/time/random.js';
import { TestClock } from '../src/time/test-clock.js';
import { capturedIo } from './helpers/captured-io.js';
import { escaped, showsWhole as shows } from './helpers/secret-forms.js';

/** A document that holds `secret` every way output can: value, part of a value, key, JSON in a string. */
function documentWith(secret: string, before: string, after: string) {
  return {
    kind: 'app',
    spec: { password: secret, url: `${before}${secret}${after}`, list: [secret, 1, true, null] },
    [`key-${secret}`]: { nested: [{ deep: `${after}${secret}` }] },
    lastError: `Error: rejected ${JSON.stringify({ password: secret, url: `${before}${secret}` })}`,
  };
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('secrets in JSON output', () => {
  it('are hidden before encoding, so the JSON stays valid and says [redacted] where they were', () => {
    const secret = 'q"u\\o\te';
    const text = redactedJson(documentWith(secret, 'x:', '@db'), [secret], 2);
    expect(shows(text, secret)).toBe(false);
    expect(JSON.parse(text)).toEqual(documentWith(REDACTED, 'x:', '@db'));
  });

  it('never show an arbitrary secret, or its JSON-escaped forms, however the document is encoded', () => {
    const unit = fc.oneof(
      fc.constantFrom('"', '\\', '\n', '\r', '\t', '\u0000', '\u2028', 'é', '😀', '\ud800', '\udc00', '/'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    const secret = fc.string({ unit, minLength: 1, maxLength: 20 });
    const around = fc.string({ unit: 'binary', maxLength: 8 });
    fc.assert(
      fc.property(secret, around, around, (s, before, after) => {
        const doc = documentWith(s, before, after);
        const hidden = documentWith(REDACTED, before, after);
        // Encodings of the document with the secret already gone must not spell it out alone
        // (a secret of `"` or `kind` is in every JSON document; none can hide that).
        const outline = [
          JSON.stringify(hidden),
          JSON.stringify(hidden, null, 2),
          JSON.stringify({ log: JSON.stringify(hidden) }),
        ];
        fc.pre(outline.every((text) => !shows(text, s)));
        const printed = [
          redactedJson(doc, [s]),
          redactedJson(doc, [s], 2),
          redact(JSON.stringify(doc), [s]),
          redact(JSON.stringify(doc, null, 2), [s]),
          // JSON quoted inside JSON (a log line holding a response body): escaped twice.
          redact(JSON.stringify({ log: JSON.stringify(doc) }), [s]),
          redactedJson({ log: JSON.stringify(doc) }, [s]),
        ];
        for (const text of printed) expect(shows(text, s)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('are hidden from /status even when a provider quotes the spec in its error', async () => {
    const secret = 'pa"ss\\w0rd\n';
    const clock = new TestClock();
    const echoing: Provider = {
      kind: 'app',
      observe: async () => undefined,
      create: async (desired) => {
        throw new Error(`rejected ${JSON.stringify(desired.spec)}`);
      },
      update: async () => undefined,
      delete: async () => undefined,
    };
    const runtime = createRuntime({ providers: [echoing], clock, random: seededRandom(3), maxRetries: 1 });
    await runtime.start();
    runtime.setDesired([{ kind: 'app', name: 'db', spec: { password: secret } }]);
    await clock.advance(5000);
    // Unredacted, the status holds the secret escaped twice: the check below is not vacuous.
    expect(JSON.stringify(runtime.status())).toContain(escaped(escaped(secret)));
    const server = await createStatusServer({ runtime, port: 0, secrets: [secret] });
    try {
      const text = await (await fetch(`${server.url}/status`)).text();
      expect(shows(text, secret)).toBe(false);
      const [db] = (JSON.parse(text) as { resources: { lastError: string }[] }).resources;
      expect(db?.lastError).toBe(`Error: rejected {"password":"${REDACTED}"}`);
    } finally {
      await server.close();
      const stopping = runtime.stop();
      await clock.advance(60_000);
      await stopping;
    }
  });

  it('are hidden from apply --json when a provider quotes the spec in its error', async () => {
    const secret = 'pa"ss\\w0rd';
    const dir = mkdtempSync(join(tmpdir(), 'setpoint-json-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'resources'));
    writeFileSync(
      join(dir, 'echo.mjs'),
      `export default { kind: 'app', observe: async () => undefined,
  create: async (desired) => { throw Object.assign(new Error('rejected ' + JSON.stringify(desired.spec)), { kind: 'permanent' }); },
  update: async () => undefined, delete: async () => undefined };\n`,
    );
    writeFileSync(
      join(dir, 'setpoint.yaml'),
      'resources: ["resources/*.yaml"]\nproviders:\n  app: { module: ./echo.mjs }\n',
    );
    writeFileSync(
      join(dir, 'resources', 'db.yaml'),
      'kind: app\nname: db\nspec: { password: "${env:DB_PASSWORD}" }\n',
    );
    const { io, out } = capturedIo(dir, { env: { DB_PASSWORD: secret } });
    expect(await runCli(['apply', '--json'], io)).toBe(1);
    const report = JSON.parse(out.stdout) as { failed: { key: string; reason: string }[] };
    expect(report.failed).toEqual([{ key: 'app/db', reason: expect.stringContaining(REDACTED) }]);
    expect(shows(out.stdout, secret)).toBe(false);
    expect(shows(out.stderr, secret)).toBe(false);
  });
});
