/**
 * The dashboard's entry: one store, one feed, one render. Exposes a few numbers on
 * `window.__setpointDashboard` for benchmarks that measure how far behind the page is.
 */
import { render } from 'preact';
import type {
  ChangesEvent,
  FeedEventName,
  OverviewEvent,
  SnapshotEvent,
} from '../src/server/dashboard/protocol.js';
import { token } from './api.js';
import { App } from './app.js';
import { Feed, type FeedStatus } from './feed.js';
import { Store } from './store.js';
import './app.css';

declare global {
  interface Window {
    __setpointDashboard?: {
      readonly rows: () => number;
      readonly lastSeq: () => number;
      readonly lastAt: () => number;
    };
  }
}

const store = new Store();

let status: FeedStatus = { state: 'connecting', detail: '', unauthorized: false };
const statusListeners = new Set<() => void>();
const feedStatus = {
  get: () => status,
  subscribe(listener: () => void) {
    statusListeners.add(listener);
    return () => statusListeners.delete(listener);
  },
};

const feed = new Feed({
  url: '/dashboard/feed',
  onEvent(name: FeedEventName, data: unknown) {
    if (name === 'snapshot') store.applySnapshot(data as SnapshotEvent);
    else if (name === 'changes') store.applyChanges(data as ChangesEvent);
    else store.applyOverview(data as OverviewEvent);
  },
  onStatus(next) {
    status = next;
    for (const listener of statusListeners) listener();
  },
});

window.__setpointDashboard = {
  rows: () => store.rows.size,
  lastSeq: () => store.lastSeq,
  lastAt: () => store.lastAt,
};

// A new token may open (or close) what the server lets this page read: start the feed over.
token.subscribe(() => feed.restart());

const root = document.getElementById('app');
if (root !== null) render(<App store={store} status={feedStatus} />, root);
feed.start();
