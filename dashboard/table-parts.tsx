/** The pieces of the resource table: its header cells and its rows. */
import { R, ROW_HELD, ROW_HOT_LOOP, ROW_ROLLED_BACK, type Row } from '../src/server/dashboard/protocol.js';
import { clockTime, phaseTone, timestamp } from './format.js';
import type { Column, Store } from './store.js';

/** Pixels; the same as `.resources tbody td` and `thead th` in styles/table.css. */
export const ROW_HEIGHT = 28;
export const HEAD_HEIGHT = 32;

export const COLUMNS: readonly {
  readonly column: Column;
  readonly label: string;
  readonly numeric?: boolean;
}[] = [
  { column: 'kind', label: 'Kind' },
  { column: 'name', label: 'Name' },
  { column: 'phase', label: 'Phase' },
  { column: 'reason', label: 'Reason' },
  { column: 'generation', label: 'Gen / obs', numeric: true },
  { column: 'attempts', label: 'Tries', numeric: true },
  { column: 'restarts', label: 'Restarts', numeric: true },
  { column: 'event', label: 'Last event · error' },
];

export function Spacer({ height }: { readonly height: number }) {
  return (
    <tr class="spacer">
      <td class="gap" colSpan={9} style={{ height: `${height}px` }} />
    </tr>
  );
}

interface SortHeaderProps {
  readonly store: Store;
  readonly column: Column;
  readonly label: string;
  readonly numeric?: boolean;
}

export function SortHeader({ store, column, label, numeric }: SortHeaderProps) {
  const active = store.sort.column === column;
  const descending = active && store.sort.descending;
  return (
    <th
      scope="col"
      class={numeric ? 'num' : undefined}
      aria-sort={active ? (descending ? 'descending' : 'ascending') : undefined}
    >
      <button
        type="button"
        class="sort"
        data-testid={`sort-${column}`}
        onClick={() => store.setSort({ column, descending: active ? !descending : false })}
      >
        {label}
        <span class="arrow" aria-hidden="true">
          {active ? (descending ? '▼' : '▲') : ''}
        </span>
      </button>
    </th>
  );
}

interface ResourceRowProps {
  readonly row: Row;
  readonly index: number;
  readonly onOpen: () => void;
  readonly onKey: (event: KeyboardEvent) => void;
}

export function ResourceRow({ row, index, onOpen, onKey }: ResourceRowProps) {
  const flags = row[R.flags];
  const generation = row[R.generation];
  const observed = row[R.observedGeneration];
  const attempts = row[R.attempts];
  const restarts = row[R.restarts];
  const error = row[R.error];
  const event = row[R.event];
  const eventAt = row[R.eventAt];
  return (
    <tr
      data-testid="row"
      data-key={row[R.key]}
      data-index={index}
      aria-rowindex={index + 2}
      tabIndex={0}
      onClick={onOpen}
      onKeyDown={onKey}
    >
      <td data-col="kind">{row[R.kind]}</td>
      <td data-col="name" class="mono" title={row[R.key]}>
        {row[R.name]}
      </td>
      <td class="flags">
        {(flags & ROW_HOT_LOOP) !== 0 && (
          <abbr class="flag tone-bad" title="hot loop">
            hot
          </abbr>
        )}
        {(flags & ROW_HELD) !== 0 && (
          <abbr class="flag tone-warn" title="deletion held">
            held
          </abbr>
        )}
        {(flags & ROW_ROLLED_BACK) !== 0 && (
          <abbr class="flag tone-warn" title="rolled back">
            rb
          </abbr>
        )}
      </td>
      <td data-col="phase" class={`phase tone-${phaseTone(row[R.phase])}`}>
        {row[R.phase]}
      </td>
      <td data-col="reason">{row[R.reason]}</td>
      <td data-col="generation" class={observed < generation ? 'num tone-warn' : 'num'}>
        {generation}/{observed}
      </td>
      <td data-col="attempts" class={attempts > 0 ? 'num tone-warn' : 'num'}>
        {attempts}
      </td>
      <td data-col="restarts" class={restarts > 0 ? 'num tone-warn' : 'num'}>
        {restarts}
      </td>
      <td data-col="event" class={error === '' ? 'event' : 'event failing'} title={eventTitle(row)}>
        {eventAt > 0 && <time dateTime={new Date(eventAt).toISOString()}>{clockTime(eventAt)}</time>}
        {/* A failing resource's last event says how it failed; else its error, if no event is known. */}
        {event || error}
      </td>
    </tr>
  );
}

/** The event cell's tooltip: when it happened, what it was, and the last error in full. */
function eventTitle(row: Row): string | undefined {
  const at = row[R.eventAt];
  const lines = [at > 0 ? `${timestamp(at)}: ${row[R.event]}` : row[R.event]];
  if (row[R.error] !== '') lines.push(`last error: ${row[R.error]}`);
  const text = lines.filter((line) => line !== '').join('\n');
  return text === '' ? undefined : text;
}
