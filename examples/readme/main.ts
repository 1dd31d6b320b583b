import { createRuntime, defineProvider } from '../../src/index.js';

// The world to manage: a Map here; an API, a database or a cloud in real life.
const users = new Map<string, { role: string }>();

const userProvider = defineProvider<{ role: string }>({
  kind: 'user',
  observe: async (ref) => users.get(ref.name),
  create: async (desired) => void users.set(desired.name, { ...desired.spec }),
  update: async (desired) => void users.set(desired.name, { ...desired.spec }),
  delete: async (_current, ref) => void users.delete(ref.name),
});

const runtime = createRuntime({ providers: [userProvider], interval: 1000 });
runtime.on('action:applied', (e) => console.log(`${e.action} ${e.key}`));
runtime.on('drift', (e) => console.log(`drift on ${e.key} (changes: ${e.changes})`));
await runtime.start();

const accepted = runtime.setDesired([
  { kind: 'user', name: 'alice', spec: { role: 'admin' } },
  { kind: 'user', name: 'bob', spec: { role: 'dev' } },
]);
if (!accepted.ok) {
  // Rejected whole (a duplicate key, an unknown kind, a cycle…), with every error; nothing changed.
  await runtime.stop();
  throw new Error(accepted.errors.map((e) => e.message).join('\n'));
}
console.log(`desired set accepted: ${accepted.added} added`);
await runtime.settled();

users.set('bob', { role: 'admin' }); // someone changes bob behind our back
runtime.reconcile('user/bob'); // or wait for the next tick, within a second
await runtime.settled();
console.log(Object.fromEntries(users)); // bob is a dev again
await runtime.stop();
