import { parseStateKey } from '../store/index.js';
import type { CliIo } from './cli-io.js';

/** The environment variable that gives the state key, keeping it out of the state directory. */
export const STATE_KEY_VARIABLE = 'SETPOINT_STATE_KEY';

/**
 * The state key from `SETPOINT_STATE_KEY`: `undefined` when it is not set (the state directory
 * keeps its own `state.key`), the key, or why the value is not one.
 */
export function stateKeyFromEnv(env: CliIo['env']): Uint8Array | undefined | { readonly error: string } {
  const text = env[STATE_KEY_VARIABLE];
  if (text === undefined || text === '') return undefined;
  try {
    return parseStateKey(text, STATE_KEY_VARIABLE);
  } catch (error) {
    return { error: (error as Error).message };
  }
}
