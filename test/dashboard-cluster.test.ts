import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { SseParser } from '../src/cli/sse-parser.js';
import type { OverviewEvent, SnapshotEvent } from '../src/server/dashboard/protocol.js';
import { until } from './helpers/poll.js';
import { postgresTests } from './helpers/postgres.js';
import { startServingRun } from './helpers/serving-run.js';
import { tempProjects } from './helpers/temp-project.js';

/** The dashboard of a group on PostgreSQL: each member's page shows the whole group. */
const files = tempProjects('setpoint-dashboard-cluster-');
const pgt = postgresTests();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function project(url: string) {
  const entries: Record<string, string> = {
    'setpoint.yaml':
      `resources: ["resources/*.yaml"]\nstore: ${url}\ncluster: { shards: 8, leaseTtl: 3s, renewEvery: 500ms }\n` +
      'providers: { files: { use: file, options: { root: ./out } } }\ndefaults: { interval: 1s }\n' +
      'server: { listen: "127.0.0.1:0" }\n',
  };
  for (let i = 0; i < 6; i++)
    entries[`resources/f${i}.yaml`] =
      `kind: files\nname: f${i}\nspec: { path: f${i}.txt, content: "${i}" }\n`;
  return files(entries);
}

describe('the dashboard on a group', () => {
  it("shows the group's members, their shards and every shard's owner", async () => {
    const dir = project((await pgt.database('dashboard_group')).url);
    const a = await startServingRun(dir, children);
    await startServingRun(dir, children);
    const res = await fetch(`${a.url}/dashboard/feed`);
    const reader = res.body!.getReader();
    const parser = new SseParser();
    let group: OverviewEvent['overview']['group'];
    const members = () => group?.members.filter((m) => m.live) ?? [];
    await until(
      'the overview shows two live members sharing the shards',
      async () => {
        const { value } = await reader.read();
        for (const event of parser.push(value!)) {
          if (event.event === 'snapshot') group = (JSON.parse(event.data) as SnapshotEvent).overview.group;
          if (event.event === 'overview') group = (JSON.parse(event.data) as OverviewEvent).overview.group;
        }
        const shards = group?.shards ?? [];
        return (
          members().length === 2 &&
          shards.length === 8 &&
          shards.every((s) => s.owner !== null && !s.expired) &&
          members().reduce((n, m) => n + m.shards, 0) === 8 &&
          members().every((m) => m.shards > 0) // balanced: the second member took its share
        );
      },
      30_000,
    );
    await reader.cancel();
    const owners = new Set(group!.shards.map((s) => s.owner));
    expect(owners).toEqual(new Set(members().map((m) => m.id)));
    expect(group!.shards.every((s) => s.epoch >= 1)).toBe(true);
  });
});
