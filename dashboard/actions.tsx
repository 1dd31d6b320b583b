/** What the page may do, and the small machinery every action button shares. */
import { useRef, useState } from 'preact/hooks';
import type { Overview } from '../src/server/dashboard/protocol.js';
import { postAction } from './api.js';

export const READ_ONLY_HINT = 'read-only: enter the token to act';

/**
 * Whether the action buttons are live: not when the server has a token and none is entered,
 * unless the server says actions are open to this page anyway.
 */
export function canAct(overview: Overview | undefined, token: string): boolean {
  if (overview === undefined) return true;
  return overview.actionsOpen || !overview.tokenSet || token !== '';
}

export interface Action {
  readonly busy: boolean;
  /** The last answer, for the aria-live region. */
  readonly message: string;
  readonly ok: boolean;
  run(path: string, body: unknown): Promise<void>;
}

export function useAction(): Action {
  const [state, setState] = useState({ busy: false, message: '', ok: true });
  const latest = useRef(0);
  return {
    ...state,
    async run(path, body) {
      const id = ++latest.current;
      setState((now) => ({ ...now, busy: true }));
      const answer = await postAction(path, body);
      if (id === latest.current) setState({ busy: false, message: answer.message, ok: answer.ok });
    },
  };
}

/** The region an action's answer is read out from; its line is always there (no layout shift). */
export function ActionMessage({ action, testid }: { readonly action: Action; readonly testid?: string }) {
  return (
    <p
      class={`action-message ${action.ok ? '' : 'tone-bad'}`}
      data-testid={testid}
      aria-live="polite"
      role="status"
    >
      {action.busy ? 'working…' : action.message}
    </p>
  );
}
