/**
 * The page's header: the runtime's state, the connection, what needs an operator (held
 * deletions, hot loops), the token, the breadcrumb and the counts by phase and by kind.
 */
import type { Overview } from '../src/server/dashboard/protocol.js';
import type { FeedStatus } from './feed.js';
import { comparePhases, phaseTone } from './format.js';
import type { Route } from './hooks.js';
import type { Store } from './store.js';
import { TokenControl } from './token.js';

export interface HeaderProps {
  readonly store: Store;
  readonly status: FeedStatus;
  readonly route: Route;
  /** Show the table filtered to this phase or kind. */
  readonly onFilter: (filter: { phase?: string; kind?: string }) => void;
}

const CONNECTION_TEXT = { live: 'live', connecting: 'connecting…', reconnecting: 'reconnecting…' };

export function Header({ store, status, route, onFilter }: HeaderProps) {
  const overview = store.overview;
  return (
    <header class="top">
      <div class="bar">
        <button type="button" class="btn skip" onClick={skipToContent}>
          Skip to content
        </button>
        <a class="brand" href="#/">
          <span class="brand-mark" aria-hidden="true" />
          setpoint
        </a>
        <RuntimeState overview={overview} />
        <output
          class={`conn conn-${status.state}`}
          data-testid="connection"
          data-state={status.state}
          title={status.detail || undefined}
        >
          <span class="dot" aria-hidden="true" />
          {CONNECTION_TEXT[status.state]}
          {status.detail !== '' && status.state !== 'live' && (
            <span class="conn-detail"> {status.detail}</span>
          )}
        </output>
        <Alerts overview={overview} />
        <span class="spacer" />
        <TokenControl prompt={status.unauthorized} tokenSet={overview?.tokenSet ?? false} />
      </div>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="#/" aria-current={route.page === 'resources' ? 'page' : undefined}>
          Resources
        </a>
        {route.page === 'resource' && (
          <>
            <span aria-hidden="true"> / </span>
            <a href={location.hash} aria-current="page" class="mono">
              {route.key}
            </a>
          </>
        )}
      </nav>
      <Counts store={store} onFilter={onFilter} />
    </header>
  );
}

function RuntimeState({ overview }: { readonly overview: Overview | undefined }) {
  if (overview === undefined) return <span class="runtime muted">runtime: —</span>;
  const tone = overview.state === 'running' ? 'ok' : overview.state === 'failed' ? 'bad' : 'warn';
  return (
    <span class="runtime" data-testid="runtime">
      <span class={`pill tone-${tone}`}>{overview.state}</span>
      <span class={`pill tone-${overview.ready ? 'ok' : 'warn'}`}>
        {overview.ready ? 'ready' : 'not ready'}
      </span>
    </span>
  );
}

/** Past the header and its counts: to the first row, or the resource's heading. */
function skipToContent(): void {
  const target = document.querySelector<HTMLElement>('main [data-testid="row"], main h1, main input');
  target?.focus();
}

function jump(id: string): void {
  const panel = document.getElementById(id);
  panel?.scrollIntoView({ block: 'nearest' });
  panel?.focus();
}

function Alerts({ overview }: { readonly overview: Overview | undefined }) {
  const held = overview?.held.length ?? 0;
  const hot = overview?.hotLoops.length ?? 0;
  return (
    <span class="alerts">
      {held > 0 && (
        <button type="button" class="alert tone-warn" onClick={() => jump('held-panel')}>
          {held} deletion{held === 1 ? '' : 's'} held
        </button>
      )}
      {hot > 0 && (
        <button type="button" class="alert tone-bad" onClick={() => jump('hot-panel')}>
          {hot} hot loop{hot === 1 ? '' : 's'}
        </button>
      )}
    </span>
  );
}

function Counts({ store, onFilter }: Pick<HeaderProps, 'store' | 'onFilter'>) {
  const phases = [...store.phaseCounts].sort(([a], [b]) => comparePhases(a, b));
  const kinds = [...store.kindCounts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return (
    <section class="counts" data-testid="counts" aria-label="Counts">
      <div class="count-group">
        <span class="count-title">phase</span>
        {phases.map(([phase, count]) => (
          <button
            type="button"
            key={phase}
            class={`count tone-${phaseTone(phase)}`}
            data-testid={`count-phase-${phase}`}
            title={`Show the ${phase} resources`}
            onClick={() => onFilter({ phase })}
          >
            <span class="count-dot" aria-hidden="true" />
            <span class="count-label">{phase}</span>
            <span class="count-num">{count}</span>
          </button>
        ))}
      </div>
      <div class="count-group">
        <span class="count-title">kind</span>
        {kinds.map(([kind, count]) => (
          <button
            type="button"
            key={kind}
            class="count"
            data-testid={`count-kind-${kind}`}
            title={`Show the ${kind} resources`}
            onClick={() => onFilter({ kind })}
          >
            <span class="count-label">{kind}</span>
            <span class="count-num">{count}</span>
          </button>
        ))}
      </div>
    </section>
  );
}
