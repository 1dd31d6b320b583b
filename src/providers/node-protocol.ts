/**
 * What a node agent and the orchestrator's `node` provider say to each other over HTTP (see
 * `agent-server.ts` for the routes). Version 1.
 */
export const AGENT_PROTOCOL = 1;

/** The answer to `GET /v1/heartbeat`. */
export interface Heartbeat {
  readonly protocol: number;
  readonly node: string;
  /** New at each start of the agent. */
  readonly bootId: string;
  readonly startedAt: number;
  readonly now: number;
}

/** The body of a `POST /v1/<operation>`. */
export interface AgentCall {
  readonly name: string;
  readonly spec?: Record<string, unknown>;
  readonly current?: Record<string, unknown>;
  readonly changes?: readonly unknown[];
}

/** A failed call's `error`: a provider error's name, message and `kind` (see `contract/errors.ts`). */
export interface AgentError {
  readonly name: string;
  readonly message: string;
  readonly kind?: string;
  readonly retryAfterMs?: number;
}
