import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { capturedIo } from '../../test/helpers/captured-io.js';
import { type CrudServer, startCrudServer } from '../http-crud/server.js';

async function setpoint(cwd: string, ...argv: string[]) {
  const { io, out } = capturedIo(cwd);
  return { code: await runCli(argv, io), ...out };
}

let root: string;
let api: CrudServer;
const config = 'examples/http-users/setpoint.yaml';
beforeAll(async () => {
  api = await startCrudServer();
  root = mkdtempSync(join(tmpdir(), 'setpoint-http-users-'));
  const dir = join(root, 'examples', 'http-users');
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(import.meta.dirname, 'users.yaml'), join(dir, 'users.yaml'));
  // The example's config, pointed at this test's server.
  const text = readFileSync(join(import.meta.dirname, 'setpoint.yaml'), 'utf8');
  writeFileSync(join(dir, 'setpoint.yaml'), text.replaceAll('http://127.0.0.1:8080/items', api.url));
});
afterAll(async () => {
  await api.close();
  rmSync(root, { recursive: true, force: true });
});

it('creates the users in the API as its README shows, alice before carol', async () => {
  const done = await setpoint(root, 'apply', '-c', config);
  expect(done.code, done.stderr).toBe(0);
  const readme = readFileSync(join(import.meta.dirname, 'README.md'), 'utf8');
  const expected = /## Output\s+```text\n([\s\S]*?)\n```/.exec(readme)![1]!.split('\n');
  const lines = done.stdout.trimEnd().split('\n');
  const untimed = (line: string) => line.replace(/\(\d+(\.\d)?m?s\)\.$/, '(…).');
  expect(lines.map(untimed).sort()).toEqual(expected.map(untimed).sort());
  expect(lines.indexOf('  + users/alice: created')).toBeLessThan(lines.indexOf('  + users/carol: created'));
  expect(api.items.get('carol')).toEqual({
    name: 'carol',
    email: 'carol@example.com',
    role: 'developer',
    manager: 'alice',
  });
  expect([...api.items.keys()].sort()).toEqual(['alice', 'bob', 'carol']);
});

it('puts back a change made behind its back, with a PATCH of what differs', async () => {
  api.items.set('bob', { ...api.items.get('bob'), role: 'intern' });
  const plan = await setpoint(root, 'plan', '-c', config);
  expect(plan.stdout).toBe(
    '  ~ users/bob\n      ~ role: "intern" -> "developer"\n\nPlan: 0 to add, 1 to change, 0 to destroy.\n',
  );
  const before = api.requests.length;
  const done = await setpoint(root, 'apply', '-c', config);
  expect(done.code).toBe(0);
  expect(api.items.get('bob')?.role).toBe('developer');
  const patches = api.requests.slice(before).filter((r) => r.method === 'PATCH');
  expect(patches).toMatchObject([{ path: '/items/bob', body: { role: 'developer' } }]);
});
