/** The filters above the resource table, and how many rows pass them. */
import { useEffect, useState } from 'preact/hooks';
import { comparePhases } from './format.js';
import { CONDITIONS, type Condition, type Store } from './store.js';

export function Filters({ store }: { readonly store: Store }) {
  const { filters } = store;
  const [text, setText] = useState(filters.text);
  // The text can be changed from outside (a count clicked in the header clears it).
  useEffect(() => setText(filters.text), [filters.text]);

  const kinds = [...store.kindCounts.keys()].sort();
  const phases = [...store.phaseCounts.keys()].sort(comparePhases);
  // A filter on a kind or phase no longer present keeps its option, so the select shows it.
  if (filters.kind !== '' && !kinds.includes(filters.kind)) kinds.push(filters.kind);
  if (filters.phase !== '' && !phases.includes(filters.phase)) phases.push(filters.phase);
  const any = filters.text !== '' || filters.kind !== '' || filters.phase !== '' || filters.condition !== '';

  return (
    <div class="filters">
      <input
        type="search"
        class="filter-text"
        data-testid="filter-text"
        aria-label="Filter by key, event or error"
        placeholder="Filter by key, event or error…"
        value={text}
        onInput={(event) => {
          const value = event.currentTarget.value;
          setText(value);
          store.setFilters({ text: value });
        }}
      />
      <select
        data-testid="filter-kind"
        aria-label="Kind"
        value={filters.kind}
        onChange={(event) => store.setFilters({ kind: event.currentTarget.value })}
      >
        <option value="">any kind</option>
        {kinds.map((kind) => (
          <option key={kind} value={kind}>
            {kind}
          </option>
        ))}
      </select>
      <select
        data-testid="filter-phase"
        aria-label="Phase"
        value={filters.phase}
        onChange={(event) => store.setFilters({ phase: event.currentTarget.value })}
      >
        <option value="">any phase</option>
        {phases.map((phase) => (
          <option key={phase} value={phase}>
            {phase}
          </option>
        ))}
      </select>
      <select
        data-testid="filter-condition"
        aria-label="Condition"
        value={filters.condition}
        onChange={(event) => store.setFilters({ condition: event.currentTarget.value as Condition })}
      >
        {CONDITIONS.map(({ value, label }) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <button
        type="button"
        class="btn"
        disabled={!any}
        onClick={() => store.setFilters({ text: '', kind: '', phase: '', condition: '' })}
      >
        Clear
      </button>
      <output class="row-count" data-testid="row-count" aria-live="polite">
        {store.view.length} of {store.rows.size} resources
      </output>
    </div>
  );
}
