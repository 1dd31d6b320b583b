/** The side panels that may need an operator: held deletions and hot loops. */
import type { ComponentChildren } from 'preact';
import type { Overview } from '../src/server/dashboard/protocol.js';
import { ActionMessage, READ_ONLY_HINT, useAction } from './actions.js';
import { relative } from './format.js';
import { resourceHref, useNow } from './hooks.js';

/** Long lists are cut: the rest is counted, not drawn. */
const LIST_LIMIT = 200;

const NO_TOKEN_HINT = 'set server.token in the config to approve here, or run setpoint approve';

export interface PanelProps {
  readonly overview: Overview | undefined;
  readonly allowed: boolean;
}

export function HeldPanel({ overview, allowed }: PanelProps) {
  const held = overview?.held ?? [];
  const action = useAction();
  const now = useNow(5000);
  // Approving deletions always takes the token: without one set, the server refuses it here.
  const noToken = overview !== undefined && !overview.tokenSet;
  const disabled = !allowed || noToken || action.busy;
  return (
    <AlertPanel id="held" testid="held-deletions" title="Held deletions" count={held.length} tone="">
      {held.length === 0 ? (
        <p class="muted">No deletion is held.</p>
      ) : (
        <>
          <ul class="list">
            {held.slice(0, LIST_LIMIT).map((each) => (
              <li key={each.key} data-testid="held" data-key={each.key}>
                <span class="list-main">
                  <a class="mono" href={resourceHref(each.key)}>
                    {each.key}
                  </a>
                  <span class="muted small" title={new Date(each.since).toLocaleString()}>
                    held {relative(each.since, now)}
                  </span>
                </span>
                <button
                  type="button"
                  class="btn small"
                  data-testid="approve"
                  data-key={each.key}
                  disabled={disabled}
                  onClick={() => action.run('/deletions/approve', { keys: [each.key] })}
                >
                  Approve
                </button>
              </li>
            ))}
          </ul>
          {held.length > LIST_LIMIT && <p class="muted small">and {held.length - LIST_LIMIT} more</p>}
          <div class="panel-actions">
            <button
              type="button"
              class="btn primary"
              data-testid="approve-all"
              disabled={disabled}
              onClick={() => action.run('/deletions/approve', { keys: held.map((each) => each.key) })}
            >
              Approve all ({held.length})
            </button>
          </div>
        </>
      )}
      {noToken && held.length > 0 && <p class="hint">{NO_TOKEN_HINT}</p>}
      {!noToken && !allowed && held.length > 0 && <p class="hint">{READ_ONLY_HINT}</p>}
      <ActionMessage action={action} />
    </AlertPanel>
  );
}

export function HotLoopsPanel({ overview }: { readonly overview: Overview | undefined }) {
  const loops = overview?.hotLoops ?? [];
  return (
    <AlertPanel id="hot" testid="hot-loops" title="Hot loops" count={loops.length} tone="panel-bad">
      {loops.length === 0 ? (
        <p class="muted">No resource is in a hot loop.</p>
      ) : (
        <ul class="list">
          {loops.slice(0, LIST_LIMIT).map((each) => (
            <li key={each.key} data-key={each.key}>
              <span class="list-main">
                <a class="mono" href={resourceHref(each.key)}>
                  {each.key}
                </a>
                <span class="muted small">keeps changing: {each.fields}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
      {loops.length > LIST_LIMIT && <p class="muted small">and {loops.length - LIST_LIMIT} more</p>}
    </AlertPanel>
  );
}

interface AlertPanelProps {
  readonly id: string;
  readonly testid: string;
  readonly title: string;
  /** How many call for attention: the panel stands out when there are any. */
  readonly count: number;
  /** An extra class for the alert's colour. */
  readonly tone: string;
  readonly children: ComponentChildren;
}

/** A side panel that stands out while it lists something an operator should look at. */
function AlertPanel({ id, testid, title, count, tone, children }: AlertPanelProps) {
  return (
    <section
      class={`panel ${count > 0 ? `panel-alert ${tone}` : ''}`}
      id={`${id}-panel`}
      tabIndex={-1}
      data-testid={testid}
      aria-labelledby={`${id}-title`}
    >
      <h2 id={`${id}-title`}>
        {title} <span class="badge">{count}</span>
      </h2>
      {children}
    </section>
  );
}
