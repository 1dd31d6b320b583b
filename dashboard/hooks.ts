/** Hooks that tie the page's parts to the store, the location's hash and the clock. */
import { useEffect, useState } from 'preact/hooks';
import type { Store } from './store.js';

/** Re-render on every change of the store; answers its version. */
export function useStore(store: Store): number {
  const [, setVersion] = useState(store.version);
  useEffect(() => {
    setVersion(store.version);
    return store.subscribe(() => setVersion(store.version));
  }, [store]);
  return store.version;
}

export type Route = { readonly page: 'resources' } | { readonly page: 'resource'; readonly key: string };

const RESOURCE = '#/resource/';

export function parseRoute(hash: string): Route {
  if (hash.startsWith(RESOURCE)) {
    try {
      const key = decodeURIComponent(hash.slice(RESOURCE.length));
      if (key !== '') return { page: 'resource', key };
    } catch {
      // A broken escape: back to the list.
    }
  }
  return { page: 'resources' };
}

export function resourceHref(key: string): string {
  return `${RESOURCE}${encodeURIComponent(key)}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

/** The time now, refreshed every `everyMs` while the component is shown. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
