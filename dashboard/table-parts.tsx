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
  { column: 'attempts', label: 'Attempts', numeric: true },
  { column: 'restarts', label: 'Restarts', numeric: true },
  { column: 'event', label: 'Last event' },
  { column: 'error', label: 'Last error' },
];

export function Spacer({ height }: { readonly height: number }) {
  return (
    <tr class="spacer">
      <td class="gap" colSpan={10} style={{ height: `${height}px` }} />
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
      <td data-col="event" class="event" title={eventAt > 0 ? `${timestamp(eventAt)}: ${event}` : undefined}>
        {eventAt > 0 && <time dateTime={new Date(eventAt).toISOString()}>{clockTime(eventAt)}</time>}
        {event}
      </td>
      <td data-col="error" class="error" title={error || undefined}>
        {error}
      </td>
    </tr>
  );
}
