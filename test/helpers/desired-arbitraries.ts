import fc from 'fast-check';
import type { Resource } from '../../src/contract/resource.js';
import { createRuntime, type Runtime } from '../../src/runtime/index.js';
import { seededRandom } from '../../src/time/random.js';
import { TestClock } from '../../src/time/test-clock.js';
import { scriptedProvider } from './scripted-provider.js';

/**
 * Resources for property tests of the desired set's rules: names from `names`, dependencies
 * from `deps` (a smaller pool, so that valid sets, and cycles, are common), one in six of an
 * unknown kind, and, with `malformed`, one in twenty without a name.
 */
export function desiredResourceArb(
  names: readonly string[],
  deps: readonly string[],
  malformed = false,
): fc.Arbitrary<Resource> {
  return fc
    .record({
      name: fc.constantFrom(...names),
      kind: fc.constantFrom('user', 'user', 'user', 'user', 'user', 'nope'),
      v: fc.integer({ min: 0, max: 2 }),
      deps: fc.subarray([...deps], { maxLength: 2 }),
      broken: fc.integer({ min: malformed ? 0 : 1, max: 19 }),
    })
    .map(({ name, kind, v, deps, broken }) =>
      broken === 0
        ? ({ kind, name: '', spec: { v } } as Resource)
        : {
            kind,
            name,
            spec: { v },
            ...(deps.length > 0 ? { dependsOn: deps.map((d) => `user/${d}`) } : {}),
          },
    );
}

/** A started runtime of `user` resources on a scripted provider and a test clock. */
export async function userRuntime(): Promise<Runtime> {
  const clock = new TestClock();
  const sys = scriptedProvider('user', clock);
  const rt = createRuntime({ providers: [sys.provider], clock, random: seededRandom(1) });
  await rt.start();
  return rt;
}
