import { compactChanges } from '../src/store/pg/change-log.js';
import { migrate } from '../src/store/pg/migrations.js';
import { openPostgresSpecStore } from '../src/store/pg/pg-spec-store.js';
import { TestClock } from '../src/testing.js';
import { describeApiSuite } from './helpers/api-suite.js';
import { postgresTests } from './helpers/postgres.js';

const pgt = postgresTests();

describeApiSuite('PostgreSQL', async ({ retain }) => {
  const { url, connect } = await pgt.database('api');
  const db = await connect();
  await migrate(db, 4);
  const store = await openPostgresSpecStore({
    connection: { connectionString: url },
    shards: 4,
    clock: new TestClock(),
    retain,
  });
  return {
    store,
    async compact(keep) {
      await compactChanges(db, keep);
    },
    close: () => store.close(),
  };
});
