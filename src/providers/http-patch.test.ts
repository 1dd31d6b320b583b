import { describe, expect, it } from 'vitest';
import { threeWayChanges } from '../diff/three-way.js';
import { patchOf } from './http-patch.js';

describe('patchOf with removals', () => {
  it('reaches an HTTP server as a merge patch with null for each removed field', () => {
    const current = { role: 'dev', team: 'a', env: { A: '1', B: '2' }, id: 7 };
    const desired = { role: 'ops', env: { A: '1' } };
    const changes = threeWayChanges({ role: 'dev', team: 'a', env: { A: '1', B: '2' } }, desired, current);
    expect(patchOf(desired, current, changes)).toEqual({ role: 'ops', team: null, env: { B: null } });
  });
});
