import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from './helpers/postgres.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster();
}, 60_000);
afterAll(() => cluster?.stop());

describe('a throwaway PostgreSQL cluster', () => {
  it('answers on 127.0.0.1, with its own clock', async () => {
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    const { rows } = await client.query<{ now: Date; version: string }>('select now(), version()');
    expect(rows[0]?.version).toMatch(/^PostgreSQL 15/);
    await client.end();
  });
});
