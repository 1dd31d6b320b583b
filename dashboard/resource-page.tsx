/**
 * One resource's page (`#/resource/<key>`): its conditions, counters, plan, timeline, and a
 * "Reconcile now" button. Fetched again when the feed says the resource changed, at most once a
 * second.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ResourceDetail } from '../src/server/dashboard/protocol.js';
import { ActionMessage, READ_ONLY_HINT, useAction } from './actions.js';
import { type DetailAnswer, fetchDetail, token } from './api.js';
import { phaseTone, relative } from './format.js';
import { useNow } from './hooks.js';
import type { Store } from './store.js';

const REFETCH_EVERY_MS = 1000;

/** Conditions where True is the trouble (`Degraded`), unlike `Ready` or `Synced`. */
const TRUE_IS_BAD = new Set(['Degraded', 'Stalled', 'HotLoop', 'Held', 'RolledBack']);

function conditionTone(type: string, status: boolean): string {
  if (TRUE_IS_BAD.has(type)) return status ? 'bad' : 'muted';
  return status ? 'ok' : 'bad';
}

/** The resource's detail, fetched now and again after each change of it (throttled). */
function useDetail(store: Store, key: string): [DetailAnswer | undefined, () => void] {
  const [answer, setAnswer] = useState<DetailAnswer | undefined>(undefined);
  const request = useRef<() => void>(() => {});
  useEffect(() => {
    let controller: AbortController | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    let disposed = false;
    const load = async (): Promise<void> => {
      timer = undefined;
      last = Date.now();
      controller?.abort();
      const mine = new AbortController();
      controller = mine;
      try {
        const next = await fetchDetail(key, mine.signal);
        if (!disposed && !mine.signal.aborted) setAnswer(next);
      } catch (error) {
        if (disposed || mine.signal.aborted) return;
        const message = `the request failed: ${error instanceof Error ? error.message : String(error)}`;
        setAnswer({ ok: false, status: 0, message });
      }
    };
    const again = (): void => {
      if (timer !== undefined) return;
      timer = setTimeout(load, Math.max(0, last + REFETCH_EVERY_MS - Date.now()));
    };
    request.current = again;
    setAnswer(undefined);
    void load();
    const offKeys = store.onKeys((keys) => {
      if (keys === undefined || keys.has(key)) again();
    });
    const offToken = token.subscribe(again);
    return () => {
      disposed = true;
      offKeys();
      offToken();
      clearTimeout(timer);
      controller?.abort();
    };
  }, [store, key]);
  return [answer, () => request.current()];
}

export interface ResourcePageProps {
  readonly store: Store;
  readonly resourceKey: string;
  readonly allowed: boolean;
}

export function ResourcePage({ store, resourceKey, allowed }: ResourcePageProps) {
  const [answer, refetch] = useDetail(store, resourceKey);
  const last = useRef<{ detail: ResourceDetail; receivedAt: number } | undefined>(undefined);
  if (answer?.ok) last.current = answer;
  if (last.current !== undefined && last.current.detail.key !== resourceKey) last.current = undefined;
  const shown = last.current;
  const detail = shown?.detail;
  const action = useAction();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);

  const slash = resourceKey.indexOf('/');
  const kind = detail?.kind ?? (slash === -1 ? '' : resourceKey.slice(0, slash));
  const name = detail?.name ?? resourceKey.slice(slash + 1);

  return (
    <section
      class="resource-page"
      data-testid="resource-page"
      data-key={resourceKey}
      aria-labelledby="rp-title"
    >
      <div class="rp-head">
        <a href="#/" class="back" data-testid="back">
          ← Resources
        </a>
        <h1 id="rp-title" tabIndex={-1} ref={heading}>
          {kind !== '' && <span class="muted">{kind}/</span>}
          <span class="mono">{name}</span>
        </h1>
        {detail !== undefined && <span class={`pill tone-${phaseTone(detail.phase)}`}>{detail.phase}</span>}
        <span class="spacer" />
        {!allowed && <span class="hint">{READ_ONLY_HINT}</span>}
        <button
          type="button"
          class="btn primary"
          data-testid="reconcile-now"
          disabled={!allowed || action.busy}
          onClick={async () => {
            await action.run('/dashboard/reconcile', { key: resourceKey });
            refetch();
          }}
        >
          Reconcile now
        </button>
      </div>
      <ActionMessage action={action} testid="action-message" />
      {answer === undefined && detail === undefined && <p class="muted">Loading…</p>}
      {answer !== undefined && !answer.ok && (
        <p class="notice tone-bad" role="alert">
          {answer.status === 404 && detail !== undefined ? 'This resource is gone (404).' : answer.message}
        </p>
      )}
      {detail !== undefined && shown !== undefined && (
        <Detail detail={detail} receivedAt={shown.receivedAt} />
      )}
    </section>
  );
}

function Detail({ detail, receivedAt }: { readonly detail: ResourceDetail; readonly receivedAt: number }) {
  // The server's clock, as near as this page can tell: "in 3 s" is counted on it.
  const now = useNow() - (receivedAt - detail.now);
  const when = (at: number | undefined) =>
    at === undefined ? '—' : <time title={new Date(at).toLocaleString()}>{relative(at, now)}</time>;
  const behind = detail.observedGeneration < detail.generation;
  return (
    <div class="rp-grid">
      <section class="card" aria-labelledby="rp-status">
        <h2 id="rp-status">Status</h2>
        <dl class="facts">
          <dt>generation / observed</dt>
          <dd class={behind ? 'num tone-warn' : 'num'}>
            {detail.generation} / {detail.observedGeneration}
          </dd>
          <dt>attempts</dt>
          <dd class={detail.attempts > 0 ? 'num tone-warn' : 'num'}>{detail.attempts}</dd>
          <dt>restarts</dt>
          <dd class={detail.restarts > 0 ? 'num tone-warn' : 'num'}>{detail.restarts}</dd>
          <dt>origin</dt>
          <dd class="mono">{detail.origin ?? '—'}</dd>
          <dt>rolled back</dt>
          <dd class={detail.rolledBack ? 'tone-warn' : ''}>{detail.rolledBack ? 'yes' : 'no'}</dd>
          <dt>last reconcile</dt>
          <dd class="num">{when(detail.lastReconcileAt)}</dd>
          <dt>next reconcile</dt>
          <dd class="num">{when(detail.nextReconcileAt)}</dd>
          {detail.heldSince !== undefined && (
            <>
              <dt>deletion held</dt>
              <dd class="num tone-warn">since {when(detail.heldSince)}</dd>
            </>
          )}
        </dl>
      </section>
      <section class="card" aria-labelledby="rp-conditions">
        <h2 id="rp-conditions">Conditions</h2>
        {detail.conditions.length === 0 ? (
          <p class="muted">None reported.</p>
        ) : (
          <table class="mini conditions">
            <thead>
              <tr>
                <th scope="col">type</th>
                <th scope="col">status</th>
                <th scope="col">reason</th>
                <th scope="col">message</th>
              </tr>
            </thead>
            <tbody>
              {detail.conditions.map((condition) => (
                <tr
                  key={condition.type}
                  data-testid={`condition-${condition.type}`}
                  data-status={String(condition.status)}
                >
                  <th scope="row">{condition.type}</th>
                  <td class={`tone-${conditionTone(condition.type, condition.status)}`}>
                    {condition.status ? 'True' : 'False'}
                  </td>
                  <td>{condition.reason}</td>
                  <td class="wrap">{condition.message ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {detail.lastError !== undefined && detail.lastError !== '' && (
        <section class="card wide" aria-labelledby="rp-error">
          <h2 id="rp-error">Last error</h2>
          <pre class="error-text">{detail.lastError}</pre>
        </section>
      )}
      <section class="card wide" aria-labelledby="rp-plan">
        <h2 id="rp-plan">Plan</h2>
        {detail.plan === undefined ? (
          <p class="muted">In sync: nothing to do.</p>
        ) : (
          <div class="plan" data-testid="plan-diff">
            <p class="plan-action">
              action <strong>{detail.plan.action}</strong>
              <span class="muted"> · {detail.plan.lines.length} fields</span>
            </p>
            {detail.plan.lines.map((line) => (
              <div class="plan-line" key={line.path} data-testid="plan-line" data-path={line.path}>
                <div class="plan-path mono">{line.path}</div>
                {line.old !== undefined && (
                  <del class="mono">
                    <span aria-hidden="true">- </span>
                    {line.old}
                  </del>
                )}
                {line.new !== undefined && (
                  <ins class="mono">
                    <span aria-hidden="true">+ </span>
                    {line.new}
                  </ins>
                )}
              </div>
            ))}
          </div>
        )}
      </section>
      <section class="card wide" aria-labelledby="rp-timeline">
        <h2 id="rp-timeline">Timeline</h2>
        {detail.timeline.length === 0 ? (
          <p class="muted">Nothing recorded yet.</p>
        ) : (
          <ol class="timeline">
            {[...detail.timeline].reverse().map((entry, index) => (
              <li
                key={detail.timeline.length - index}
                class={`lvl-${entry.level}`}
                data-testid="timeline-entry"
                data-event={entry.event}
                data-level={entry.level}
              >
                <time class="num" title={new Date(entry.at).toLocaleString()}>
                  {new Date(entry.at).toLocaleTimeString()}
                </time>
                <span class="event mono">{entry.event}</span>
                <span class="text">{entry.text}</span>
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
