/**
 * The side panels about the runtime itself: the supervision tree, the group (PostgreSQL store),
 * and whatever else the server reports in `overview.details` (Git sources, nodes, …).
 */
import type { GroupSummary, Overview, TreeSummary } from '../src/server/dashboard/protocol.js';
import { plural } from './format.js';

function stateTone(state: string): string {
  if (state === 'running' || state === 'active') return 'ok';
  if (state === 'failed' || state === 'stopped' || state === 'dead') return 'bad';
  return 'warn';
}

export function TreePanel({ tree }: { readonly tree: TreeSummary | undefined }) {
  return (
    <section class="panel" data-testid="supervision-tree" aria-labelledby="tree-title">
      <h2 id="tree-title">Supervision tree</h2>
      {tree === undefined ? (
        <p class="muted">No tree reported.</p>
      ) : (
        <>
          <p class="tree-root">
            <span class="mono">{tree.id}</span>
            <span class={`pill tone-${stateTone(tree.state)}`}>{tree.state}</span>
            <span class="muted small">
              {tree.strategy} · {plural(tree.restarts, 'restart')}
            </span>
          </p>
          <ul class="tree">
            {tree.supervisors.map((each) => (
              <li key={each.id} data-id={each.id}>
                <div class="tree-line">
                  <span class="mono tree-id">{each.id}</span>
                  <span class={`pill tone-${stateTone(each.state)}`}>{each.state}</span>
                </div>
                <div class="muted small num">
                  {each.strategy} · {each.running}/{each.children} running ·{' '}
                  <span class={each.restarts > 0 ? 'tone-warn' : ''}>{plural(each.restarts, 'restart')}</span>
                </div>
                {each.restarted.length > 0 && (
                  <details class="restarted">
                    <summary>
                      {each.restarted.length} child{each.restarted.length === 1 ? '' : 'ren'} restarted
                    </summary>
                    <ul>
                      {each.restarted.map((child) => (
                        <li key={child.id}>
                          <span class="mono">{child.id}</span>{' '}
                          <span class="num tone-warn">×{child.restarts}</span>{' '}
                          <span class="muted small">{child.state}</span>
                        </li>
                      ))}
                    </ul>
                  </details>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function GroupPanel({ group }: { readonly group: GroupSummary }) {
  return (
    <section class="panel" data-testid="group" aria-labelledby="group-title">
      <h2 id="group-title">Group</h2>
      <div class="mini-scroll">
        <table class="mini">
          <caption>Members</caption>
          <thead>
            <tr>
              <th scope="col">member</th>
              <th scope="col">live</th>
              <th scope="col" class="num">
                shards
              </th>
              <th scope="col" class="num">
                heartbeat
              </th>
            </tr>
          </thead>
          <tbody>
            {group.members.map((member) => (
              <tr key={member.id} data-member={member.id}>
                <td class="mono">{member.id}</td>
                <td class={member.live ? 'tone-ok' : 'tone-bad'}>{member.live ? 'live' : 'gone'}</td>
                <td class="num">{member.shards}</td>
                <td class="num">{member.heartbeatAgoS} s ago</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="mini-scroll">
        <table class="mini">
          <caption>Shards</caption>
          <thead>
            <tr>
              <th scope="col" class="num">
                shard
              </th>
              <th scope="col">owner</th>
              <th scope="col" class="num">
                epoch
              </th>
              <th scope="col">lease</th>
            </tr>
          </thead>
          <tbody>
            {group.shards.map((shard) => (
              <tr key={shard.shard} data-shard={shard.shard}>
                <td class="num">{shard.shard}</td>
                <td class="mono">{shard.owner ?? '—'}</td>
                <td class="num">{shard.epoch}</td>
                <td class={shard.expired ? 'tone-bad' : 'tone-ok'}>{shard.expired ? 'expired' : 'held'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** A cell of a generic table: text as is, the rest as short JSON. */
function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return String(value);
  const json = JSON.stringify(value);
  return json.length > 120 ? `${json.slice(0, 119)}…` : json;
}

function toneOf(column: string, value: unknown): string | undefined {
  if (value === false && (column === 'reachable' || column === 'live' || column === 'ok')) return 'tone-bad';
  if (column === 'error' && value !== undefined && value !== null && value !== '') return 'tone-bad';
  return undefined;
}

/** An array of objects as a table, its columns the keys in order of appearance. */
function GenericTable({ name, items }: { readonly name: string; readonly items: readonly unknown[] }) {
  const rows = items.filter(
    (item): item is Record<string, unknown> => typeof item === 'object' && item !== null,
  );
  const columns: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  return (
    <div class="mini-scroll">
      <table class="mini" data-detail={name}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index}>
              {columns.map((column) => (
                <td key={column} class={toneOf(column, row[column])} title={show(row[column])}>
                  {show(row[column])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const TITLES: Record<string, string> = { sources: 'Git sources', nodes: 'Nodes' };

/** `details.sources` and `details.nodes` as tables; anything else as JSON, folded. */
export function DetailsPanels({ overview }: { readonly overview: Overview | undefined }) {
  const details = overview?.details ?? {};
  const tables = ['sources', 'nodes'].filter((name) => Array.isArray(details[name]));
  const rest = Object.keys(details).filter((name) => !tables.includes(name) && details[name] !== undefined);
  return (
    <>
      {tables.map((name) => (
        <section key={name} class="panel" data-testid={`details-${name}`} aria-labelledby={`details-${name}`}>
          <h2 id={`details-${name}`}>{TITLES[name]}</h2>
          <GenericTable name={name} items={details[name] as unknown[]} />
        </section>
      ))}
      {rest.length > 0 && (
        <section class="panel" data-testid="details" aria-labelledby="details-title">
          <h2 id="details-title">Runtime details</h2>
          {rest.map((name) => (
            <details key={name} class="detail">
              <summary class="mono">{name}</summary>
              <pre>{JSON.stringify(details[name], null, 2)}</pre>
            </details>
          ))}
        </section>
      )}
    </>
  );
}
