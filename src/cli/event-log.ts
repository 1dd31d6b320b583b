import type { Logger } from 'pino';
import type { Runtime } from '../runtime/index.js';
import { plural } from './plural.js';

/**
 * Log what the runtime does, one line per event that matters to an operator: changes applied,
 * failures, drift, giving up and recovering, crashes and restarts, desired sets accepted or
 * rejected, deletes held by the deletion budget and approved. Passes themselves are logged at
 * `debug`. Returns a function that stops logging.
 */
export function logRuntimeEvents(runtime: Runtime, log: Logger): () => void {
  const offs = [
    runtime.on('action:applied', (e) =>
      log.info(
        { key: e.key, action: e.action, generation: e.generation, ms: e.durationMs },
        `${e.key}: ${e.action} applied`,
      ),
    ),
    runtime.on('action:failed', (e) =>
      log.warn(
        {
          key: e.key,
          operation: e.operation,
          attempt: e.attempt,
          retryInMs: e.delayMs,
          permanent: e.permanent,
          error: e.error,
        },
        `${e.key}: ${e.operation} failed`,
      ),
    ),
    runtime.on('drift', (e) =>
      log.warn({ key: e.key, policy: e.policy, changes: e.changes }, `${e.key}: drift`),
    ),
    runtime.on('degraded', (e) =>
      log.error({ key: e.key, reason: e.reason, rollback: e.rollback }, `${e.key}: degraded`),
    ),
    runtime.on('recovered', (e) => log.info({ key: e.key }, `${e.key}: recovered`)),
    runtime.on('resource:deleted', (e) => log.info({ key: e.key }, `${e.key}: no longer managed`)),
    runtime.on('actor:crashed', (e) => log.error({ key: e.key, error: e.error }, `${e.key}: actor crashed`)),
    runtime.on('actor:restarted', (e) =>
      log.warn({ key: e.key, restarts: e.restarts }, `${e.key}: actor restarted`),
    ),
    runtime.on('supervisor:escalated', (e) =>
      log.error({ supervisor: e.supervisor }, `supervisor ${e.supervisor} gave up: too many restarts`),
    ),
    runtime.on('desired:accepted', (e) => {
      const fields = { added: e.added, changed: e.changed, removed: e.removed };
      // The same set again (a shared database's periodic read) is not news.
      if (e.added + e.changed + e.removed === 0) log.debug(fields, 'desired state accepted');
      else log.info(fields, 'desired state accepted');
    }),
    runtime.on('desired:rejected', (e) =>
      log.error(
        { errors: e.errors.map((x) => x.message) },
        'desired state rejected; the previous one keeps running',
      ),
    ),
    runtime.on('deletion:held', (e) =>
      log.warn(
        { kind: e.kind, keys: e.keys, budget: e.budget.max, windowMs: e.budget.windowMs },
        `${plural(e.keys.length, 'delete')} of ${e.kind} held by the deletion budget; setpoint approve lets them go`,
      ),
    ),
    runtime.on('deletion:approved', (e) => log.info({ keys: e.keys }, 'held deletes approved')),
    runtime.on('reconcile:done', (e) =>
      log.debug({ key: e.key, result: e.result, ms: e.durationMs }, `${e.key}: pass ${e.result}`),
    ),
  ];
  return () => {
    for (const off of offs) off();
  };
}
