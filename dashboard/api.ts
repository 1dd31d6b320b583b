/**
 * The page's requests to the status server, each with `Authorization: Bearer <token>` once the
 * operator has entered one (kept in `sessionStorage`: gone with the tab).
 */
import type { ActionAnswer, ResourceDetail } from '../src/server/dashboard/protocol.js';

const TOKEN_KEY = 'setpoint.dashboard.token';

type Listener = () => void;

function readStored(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

/** The token the operator entered, `''` when none. */
class TokenHolder {
  private value = readStored();
  private readonly listeners = new Set<Listener>();

  get(): string {
    return this.value;
  }

  set(next: string): void {
    const value = next.trim();
    if (value === this.value) return;
    this.value = value;
    try {
      if (value === '') sessionStorage.removeItem(TOKEN_KEY);
      else sessionStorage.setItem(TOKEN_KEY, value);
    } catch {
      // Storage refused (a private window's quota): the token lives as long as the page.
    }
    for (const listener of this.listeners) listener();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const token = new TokenHolder();

export function headers(extra?: Record<string, string>): Record<string, string> {
  const value = token.get();
  return value === '' ? { ...extra } : { ...extra, authorization: `Bearer ${value}` };
}

export type DetailAnswer =
  | { readonly ok: true; readonly detail: ResourceDetail; readonly receivedAt: number }
  | { readonly ok: false; readonly status: number; readonly message: string };

export async function fetchDetail(key: string, signal: AbortSignal): Promise<DetailAnswer> {
  const response = await fetch(`/dashboard/resource?key=${encodeURIComponent(key)}`, {
    headers: headers({ accept: 'application/json' }),
    cache: 'no-store',
    signal,
  });
  if (!response.ok) {
    return { ok: false, status: response.status, message: statusMessage(response) };
  }
  const detail = (await response.json()) as ResourceDetail;
  return { ok: true, detail, receivedAt: Date.now() };
}

/** `404: not found`, or for 401 the hint that matters: `401: enter the token`. */
export function statusMessage(response: Response): string {
  if (response.status === 401) return '401: enter the token';
  if (response.status === 404) return '404: no such resource';
  return `${response.status}: ${response.statusText || 'request failed'}`;
}

/** POST a JSON body; answers the server's message, or the status when it has none. */
export async function postAction(path: string, body: unknown): Promise<ActionAnswer> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: headers({ 'content-type': 'application/json', accept: 'application/json' }),
      body: JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (error) {
    return { ok: false, message: `the request failed: ${error instanceof Error ? error.message : error}` };
  }
  if (response.status === 401) return { ok: false, message: statusMessage(response) };
  const text = await response.text().catch(() => '');
  const answer = messageOf(text);
  if (answer !== undefined) return { ok: response.ok && answer.ok, message: answer.message };
  if (!response.ok) {
    const line = text.trim().split('\n')[0] ?? '';
    return { ok: false, message: line === '' ? statusMessage(response) : `${response.status}: ${line}` };
  }
  return { ok: true, message: 'done' };
}

/** An {@link ActionAnswer}, or what `/deletions/approve` answers (`approved`: the keys let go). */
function messageOf(text: string): ActionAnswer | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.message === 'string') {
    return { ok: record.ok !== false, message: record.message };
  }
  if (Array.isArray(record.approved)) {
    const count = record.approved.length;
    return { ok: true, message: `approved ${count} deletion${count === 1 ? '' : 's'}` };
  }
  return undefined;
}
