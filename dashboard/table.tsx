/**
 * The resource table, virtualised: every row is ROW_HEIGHT pixels, so only the rows in view
 * (and a few either side) are in the DOM, between two spacers that give the table its full
 * height. 100,000 rows scroll like 40.
 *
 * Keyboard: Tab reaches each row; Enter opens it; the arrows, Page Up/Down, Home and End move
 * from row to row, scrolling as they go.
 */
import type { VNode } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { R } from '../src/server/dashboard/protocol.js';
import type { Store } from './store.js';
import { COLUMNS, HEAD_HEIGHT, ResourceRow, ROW_HEIGHT, SortHeader, Spacer } from './table-parts.js';

const OVERSCAN = 12;

/** Where the table was, kept while a resource's page is open. */
const remembered = { scrollTop: 0, key: undefined as string | undefined };

export function resetTablePosition(): void {
  remembered.scrollTop = 0;
}

export interface ResourceTableProps {
  readonly store: Store;
  /** What to say before the first snapshot. */
  readonly waiting: string;
  readonly onOpen: (key: string) => void;
}

export function ResourceTable({ store, waiting, onOpen }: ResourceTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLTableSectionElement>(null);
  const [scrollTop, setScrollTop] = useState(remembered.scrollTop);
  const [height, setHeight] = useState(800);
  const pendingFocus = useRef<string | undefined>(remembered.key);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element === null) return;
    element.scrollTop = remembered.scrollTop;
    setHeight(element.clientHeight);
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // The scroll position is reset when the filters or the sort change (the old one means nothing).
  const { filters, sort } = store;
  const shape = useRef({ filters, sort });
  useLayoutEffect(() => {
    if (shape.current.filters === filters && shape.current.sort === sort) return;
    shape.current = { filters, sort };
    if (scroller.current !== null) scroller.current.scrollTop = 0;
    setScrollTop(0);
  }, [filters, sort]);

  const view = store.view;
  const total = view.length;
  const first = Math.floor(scrollTop / ROW_HEIGHT);
  const visible = Math.ceil(Math.max(0, height - HEAD_HEIGHT) / ROW_HEIGHT) + 1;
  const start = Math.max(0, Math.min(first, total) - OVERSCAN);
  const end = Math.min(total, first + visible + OVERSCAN);

  // Give the focus to the row the keyboard moved to (or the one last opened) once it is drawn.
  useLayoutEffect(() => {
    const key = pendingFocus.current;
    if (key === undefined || body.current === null) return;
    for (const row of body.current.rows) {
      if (row.dataset.key === key) {
        row.focus({ preventScroll: true });
        pendingFocus.current = undefined;
        return;
      }
    }
  });
  // The row last opened gets one chance, when the table comes back: it may be gone by now.
  useLayoutEffect(() => {
    if (pendingFocus.current === remembered.key) pendingFocus.current = undefined;
    remembered.key = undefined;
  }, []);

  const moveTo = (wanted: number): void => {
    const element = scroller.current;
    const index = Math.max(0, Math.min(total - 1, wanted));
    const target = view[index];
    if (element === null || target === undefined) return;
    const at = index * ROW_HEIGHT;
    const room = element.clientHeight - HEAD_HEIGHT;
    let top = element.scrollTop;
    if (at < top) top = at;
    else if (at + ROW_HEIGHT > top + room) top = at + ROW_HEIGHT - room;
    if (top !== element.scrollTop) {
      pendingFocus.current = target.row[R.key];
      element.scrollTop = top;
      setScrollTop(element.scrollTop);
    } else {
      body.current?.querySelector<HTMLElement>(`tr[data-index="${index}"]`)?.focus({ preventScroll: true });
    }
  };

  const onKey = (event: KeyboardEvent, index: number, key: string): void => {
    const page = Math.max(1, Math.floor((height - HEAD_HEIGHT) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + page,
      PageUp: index - page,
      Home: 0,
      End: total - 1,
    };
    if (event.key === 'Enter') {
      event.preventDefault();
      remembered.key = key;
      onOpen(key);
    } else if (event.key in moves) {
      event.preventDefault();
      moveTo(moves[event.key] ?? index);
    }
  };

  const rows: VNode[] = [];
  for (let index = start; index < end; index += 1) {
    const row = view[index]?.row;
    if (row === undefined) break;
    const key = row[R.key];
    rows.push(
      <ResourceRow
        key={key}
        row={row}
        index={index}
        onOpen={() => {
          remembered.key = key;
          onOpen(key);
        }}
        onKey={(event) => onKey(event, index, key)}
      />,
    );
  }

  return (
    <div
      class="table-scroll"
      ref={scroller}
      onScroll={(event) => {
        const top = event.currentTarget.scrollTop;
        remembered.scrollTop = top;
        setScrollTop(top);
      }}
    >
      <table class="resources" data-testid="resource-table" aria-rowcount={total + 1}>
        <colgroup>
          <col class="w-kind" />
          <col class="w-name" />
          <col class="w-flags" />
          <col class="w-phase" />
          <col class="w-reason" />
          <col class="w-gen" />
          <col class="w-num" />
          <col class="w-num" />
          <col />
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            {COLUMNS.slice(0, 2).map((each) => (
              <SortHeader key={each.column} store={store} {...each} />
            ))}
            <th scope="col" class="flags-head">
              <span class="visually-hidden">Flags</span>
            </th>
            {COLUMNS.slice(2).map((each) => (
              <SortHeader key={each.column} store={store} {...each} />
            ))}
          </tr>
        </thead>
        <tbody ref={body}>
          {start > 0 && <Spacer height={start * ROW_HEIGHT} />}
          {rows}
          {end < total && <Spacer height={(total - end) * ROW_HEIGHT} />}
          {total === 0 && (
            <tr class="empty">
              <td colSpan={9}>
                {store.snapshots === 0
                  ? waiting
                  : store.rows.size === 0
                    ? 'No resources.'
                    : 'No resource matches the filters.'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
