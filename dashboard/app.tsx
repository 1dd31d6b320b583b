/**
 * The page: the header over either the resource table or one resource's page, with the side
 * panels (held deletions, hot loops, the supervision tree, the group, the sources) beside.
 */
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { canAct } from './actions.js';
import { token } from './api.js';
import type { FeedStatus } from './feed.js';
import { Filters } from './filters.js';
import { Header } from './header.js';
import { resourceHref, useRoute, useStore } from './hooks.js';
import { HeldPanel, HotLoopsPanel } from './panels.js';
import { ResourcePage } from './resource-page.js';
import { DetailsPanels, GroupPanel, TreePanel } from './runtime-panels.js';
import type { Store } from './store.js';
import { ResourceTable, resetTablePosition } from './table.js';

export interface AppProps {
  readonly store: Store;
  /** The feed's state, as it changes. */
  readonly status: { get(): FeedStatus; subscribe(listener: () => void): () => void };
}

export function App({ store, status: feedStatus }: AppProps) {
  useStore(store);
  const route = useRoute();
  const [status, setStatus] = useState(feedStatus.get());
  const [entered, setEntered] = useState(token.get());
  // Subscribed after the first paint: catch up with what changed before.
  useEffect(() => {
    setStatus(feedStatus.get());
    return feedStatus.subscribe(() => setStatus(feedStatus.get()));
  }, [feedStatus]);
  useEffect(() => {
    setEntered(token.get());
    return token.subscribe(() => setEntered(token.get()));
  }, []);

  // Tell whoever watches (a browser test, a benchmark) that the first snapshot is on screen.
  const drawn = store.snapshots > 0;
  useLayoutEffect(() => {
    if (drawn) document.body.dataset.rendered = '1';
  }, [drawn]);

  const overview = store.overview;
  const allowed = canAct(overview, entered);

  return (
    <>
      <Header
        store={store}
        status={status}
        route={route}
        onFilter={(filter) => {
          resetTablePosition();
          store.setFilters({ text: '', kind: filter.kind ?? '', phase: filter.phase ?? '', condition: '' });
          if (route.page !== 'resources') location.hash = '#/';
        }}
      />
      <div class="layout">
        <main class="content">
          {route.page === 'resource' ? (
            <ResourcePage key={route.key} store={store} resourceKey={route.key} allowed={allowed} />
          ) : (
            <section class="resources-view" aria-label="Resources">
              <Filters store={store} />
              <ResourceTable
                store={store}
                waiting={
                  status.unauthorized
                    ? 'This server shows its resources only with the token: enter it above.'
                    : 'Waiting for the first snapshot…'
                }
                onOpen={(key) => {
                  location.hash = resourceHref(key);
                }}
              />
            </section>
          )}
        </main>
        <aside class="side" aria-label="Runtime">
          <HeldPanel overview={overview} allowed={allowed} />
          <HotLoopsPanel overview={overview} />
          <TreePanel tree={overview?.tree} />
          {overview?.group !== undefined && <GroupPanel group={overview.group} />}
          <DetailsPanels overview={overview} />
        </aside>
      </div>
    </>
  );
}
