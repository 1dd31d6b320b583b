import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedSpecStore } from '../src/store/desired/embedded-store.js';
import { describeApiSuite } from './helpers/api-suite.js';

describeApiSuite('the embedded store', async ({ retain }) => {
  const dir = mkdtempSync(join(tmpdir(), 'setpoint-api-'));
  const store = await openEmbeddedSpecStore({ dir, retain });
  return {
    store,
    // It keeps `retain` changes as it goes: nothing to do.
    compact: async () => {},
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
