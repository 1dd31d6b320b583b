/**
 * The "Token" button and its small form: the bearer token the page sends with every request,
 * kept for the tab's life (`sessionStorage`).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { token } from './api.js';

export interface TokenControlProps {
  /** Open the form by itself (the feed answered 401). */
  readonly prompt: boolean;
  /** The server has a token (the button says whether one is entered). */
  readonly tokenSet: boolean;
}

export function TokenControl({ prompt, tokenSet }: TokenControlProps) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState('');
  const [entered, setEntered] = useState(token.get() !== '');
  const input = useRef<HTMLInputElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    setEntered(token.get() !== '');
    return token.subscribe(() => setEntered(token.get() !== ''));
  }, []);
  useEffect(() => {
    if (prompt) setOpen(true);
  }, [prompt]);
  useEffect(() => {
    if (open) input.current?.focus();
  }, [open]);

  const close = (): void => {
    setOpen(false);
    setDraft('');
    button.current?.focus();
  };

  return (
    <div class="token">
      <button
        ref={button}
        type="button"
        class={entered ? 'btn token-on' : 'btn'}
        data-testid="token-button"
        aria-expanded={open}
        aria-controls="token-form"
        onClick={() => (open ? close() : setOpen(true))}
      >
        {entered ? 'Token ✓' : tokenSet || prompt ? 'Token…' : 'Token'}
      </button>
      {open && (
        <form
          id="token-form"
          class="token-form"
          aria-label="Bearer token"
          onSubmit={(event) => {
            event.preventDefault();
            token.set(draft);
            close();
          }}
          onKeyDown={(event) => {
            if (event.key === 'Escape') close();
          }}
        >
          <label for="token-input">
            {prompt && !entered ? 'This server needs a token to read' : 'Token'}
          </label>
          <input
            ref={input}
            id="token-input"
            type="password"
            autocomplete="off"
            spellcheck={false}
            data-testid="token-input"
            placeholder={entered ? '(entered; type to replace)' : 'bearer token'}
            value={draft}
            onInput={(event) => setDraft(event.currentTarget.value)}
          />
          <div class="token-actions">
            <button type="submit" class="btn primary" data-testid="token-save" disabled={draft.trim() === ''}>
              Save
            </button>
            <button
              type="button"
              class="btn"
              data-testid="token-clear"
              onClick={() => {
                token.set('');
                close();
              }}
            >
              Clear
            </button>
          </div>
          <p class="hint">Kept in this tab only.</p>
        </form>
      )}
    </div>
  );
}
