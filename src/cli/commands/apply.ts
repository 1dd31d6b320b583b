import { relative } from 'node:path';
import { keyOf } from '../../contract/resource.js';
import { orderByDependencies } from '../../diff/graph.js';
import type { Runtime } from '../../runtime/index.js';
import { redactedJson, redactJsonText } from '../../server/redact-json.js';
import { HELD_EXIT, watchHeld } from '../apply-held.js';
import { type ApplyVerdict, judgeApply } from '../apply-verdict.js';
import type { CliIo } from '../cli-io.js';
import { sweepStuckDeletes } from '../delete-sweeper.js';
import { type Input, loadInput, reportInputErrors } from '../input.js';
import type { CommandArgs } from '../parse-args.js';
import { plural } from '../plural.js';
import { ApplyProgress } from '../progress.js';
import { emptyPruneRefusal, type Orphans, orphansOf } from '../prune.js';
import { runtimeFor } from '../session.js';
import { shortDuration } from '../table.js';
import { applyToGroup } from './apply-group.js';
import { observePlan, showPlan, withApiResources } from './plan.js';
import { startRuntime } from './run.js';

type ApplyArgs = Extract<CommandArgs, { command: 'apply' }>;
type Outcome = 'converged' | 'failed' | 'timeout' | 'interrupted' | 'runtime-failed' | 'rejected';

const VERBS = {
  create: 'created',
  update: 'updated',
  replace: 'replaced',
  delete: 'deleted',
  restart: 'restarted',
  adopt: 'adopted',
};
const SIGNS = { create: '  +', update: '  ~', replace: '-/+', delete: '  -', restart: '  ↻', adopt: '  =' };

/**
 * `setpoint apply`: one convergence pass. The runtime starts as under `run`; `apply` waits until
 * every resource is in sync (exit 0), or until what is left has given up or the `--timeout`
 * passes (exit 1), then stops the runtime gracefully. With `--dry-run`, the plan is shown and
 * nothing is applied.
 */
export async function applyCommand(args: ApplyArgs, io: CliIo): Promise<number> {
  const loaded = await loadInput(args, io);
  if (!loaded.ok) {
    reportInputErrors(loaded, io);
    return 1;
  }
  const input = await withApiResources(loaded.input, io);
  if (input === undefined) return 1;
  const result = { ...loaded, input };
  if (args.dryRun) {
    const plan = await observePlan(result.input, io);
    if (plan === undefined) return 1;
    io.stdout.write(`${showPlan(plan, result.input, io, args.json)}\n`);
    if (!args.json) io.stdout.write('\nDry run: nothing was applied.\n');
    return 0;
  }
  const { config } = result.input;
  if (config.store.kind === 'postgres') return applyToGroup(args, io, result.input, config.store);
  const runtime = runtimeFor(result.input, io);
  if (!(await startRuntime(runtime, io))) return 1;
  const refusal = emptyPruneRefusal(config, runtime.store.inventory().size);
  if (refusal !== undefined) {
    io.stderr.write(`setpoint: ${refusal}\n`);
    await runtime.stop();
    return 1;
  }
  const orphans = orphansOf(
    runtime.store.inventory(),
    config.resources,
    new Set(Object.keys(config.providers)),
  );
  if (config.defaults.prune) {
    for (const key of orphans.unservable) {
      io.stderr.write(`setpoint: ${key} is managed but no provider serves its kind any more: left alone\n`);
    }
  }
  return converge(args, io, result.input, runtime, orphans);
}

async function converge(
  args: ApplyArgs,
  io: CliIo,
  input: Input,
  runtime: Runtime,
  orphans: Orphans,
): Promise<number> {
  const { config } = input;
  const started = io.clock.now();
  const order = orderByDependencies(config.resources);
  const waves = order.ok ? order.value.waves : [config.resources.map(keyOf)];
  const pruning = config.defaults.prune ? orphans.resources.map(keyOf) : [];
  const pruned = new Set(pruning);
  const progress = new ApplyProgress(
    args.json ? undefined : io.stdout,
    io.stderr,
    io.clock,
    config.resources.length,
    waves.length,
  );
  const counts = { create: 0, update: 0, replace: 0, delete: 0, restart: 0, adopt: 0 };
  const safe = (text: string) => redactJsonText(text, config.secrets);
  // Deletes the deletion budget holds are not waited for: they wait for an approval.
  const held = watchHeld(runtime);
  let heldKeys: ReadonlySet<string> = new Set();
  const judge = () =>
    judgeApply({
      desired: config.resources,
      waves,
      pruning: heldKeys.size === 0 ? pruning : pruning.filter((key) => !heldKeys.has(key)),
      status: (key) => runtime.status(key),
      maxRetries: config.defaults.maxRetries,
    });

  progress.info(
    `Applying ${plural(config.resources.length, 'resource')} from ${relative(io.cwd, config.file) || config.file}` +
      (pruning.length > 0 ? `, pruning ${plural(pruning.length, 'resource')} no longer desired` : '') +
      '.',
  );

  const sweeper = sweepStuckDeletes(runtime);
  const release = io.hold();
  const { outcome, verdict, detail } = await new Promise<{
    outcome: Outcome;
    verdict: ApplyVerdict;
    detail?: string;
  }>((resolve) => {
    let finished = false;
    const offs: (() => void)[] = [];
    const finish = (outcome: Outcome, detail?: string) => {
      if (finished) return;
      finished = true;
      io.clock.clearTimeout(deadline);
      for (const off of offs) off();
      resolve({ outcome, verdict: judge(), ...(detail !== undefined ? { detail } : {}) });
    };
    // Events fire from inside an actor's transition, before its phase is updated: judge once
    // the transition is over, and once per burst of events.
    let queued = false;
    const check = () => {
      if (queued || finished) return;
      queued = true;
      queueMicrotask(() => {
        queued = false;
        if (finished) return;
        sweeper.sweep();
        const verdict = judge();
        progress.update(verdict);
        if (verdict.done)
          finish(verdict.failed.length + verdict.blocked.length === 0 ? 'converged' : 'failed');
      });
    };
    const deadline = io.clock.setTimeout(() => finish('timeout'), args.timeoutMs);
    offs.push(
      io.onSignal((signal) => finish('interrupted', signal)),
      runtime.on('action:applied', (e) => {
        counts[e.action]++;
        progress.info(`${SIGNS[e.action]} ${e.key}: ${VERBS[e.action]}`);
        check();
      }),
      runtime.on('resource:adopted', (e) => {
        counts.adopt++;
        progress.info(`${SIGNS.adopt} ${e.key}: ${VERBS.adopt}`);
      }),
      runtime.on('action:failed', (e) => {
        const retry =
          e.delayMs !== undefined
            ? `; retrying in ${shortDuration(e.delayMs)}`
            : pruned.has(e.key) && e.operation === 'delete'
              ? '; tried again once another delete is done'
              : '';
        progress.problem(
          `  ! ${e.key}: ${e.operation} failed (attempt ${e.attempt}): ${safe(e.error)}${retry}`,
        );
        check();
      }),
      runtime.on('degraded', (e) => {
        // A pruned resource's delete that failed for good is tried again as others go (a
        // directory waits for its files): whether it gave up is the verdict's to say, at the end.
        if (!pruned.has(e.key)) progress.problem(`  x ${e.key}: gave up for now: ${safe(e.reason)}`);
        check();
      }),
      runtime.on('actor:crashed', (e) =>
        progress.problem(`  ! ${e.key}: crashed (${safe(e.error)}); restarting`),
      ),
      runtime.on('resource:synced', check),
      runtime.on('resource:deleted', check),
      runtime.on('reconcile:done', check),
      runtime.on('runtime:failed', (e) => finish('runtime-failed', e.error)),
    );
    const fed = runtime.setDesired(config.resources);
    if (!fed.ok) finish('rejected', fed.errors.map((e) => e.message).join('; '));
    else {
      const approved = args.approveDeletions ? runtime.approveDeletions() : [];
      if (approved.length > 0)
        progress.info(`Approved ${plural(approved.length, 'delete')} over the deletion budget.`);
      heldKeys = held.keys();
      check();
    }
  });

  progress.close();
  sweeper.stop();
  held.off();
  const heldLines = held.report();
  await runtime.stop();
  release();
  const elapsed = shortDuration(io.clock.now() - started);
  const changed = (Object.keys(counts) as (keyof typeof counts)[])
    .filter((action) => counts[action] > 0)
    .map((action) => `${counts[action]} ${VERBS[action]}`);
  const inSync = `${verdict.synced.length} of ${plural(config.resources.length, 'resource')} in sync`;

  if (args.json) {
    const report = {
      ok: outcome === 'converged' && heldKeys.size === 0,
      outcome,
      ...(detail !== undefined ? { detail } : {}),
      durationMs: io.clock.now() - started,
      actions: counts,
      synced: verdict.synced,
      failed: verdict.failed,
      blocked: verdict.blocked,
      pending: verdict.pending,
      heldDeletions: [...heldKeys].sort(),
    };
    io.stdout.write(`${redactedJson(report, config.secrets, 2)}\n`);
  }
  if (outcome === 'converged') {
    if (!args.json) {
      const what = changed.length > 0 ? changed.join(', ') : 'nothing to change';
      io.stdout.write(
        `Apply complete: ${plural(config.resources.length, 'resource')} in sync; ${what} (${elapsed}).\n`,
      );
    }
    if (heldLines.length === 0) return 0;
    io.stderr.write(`${heldLines.join('\n')}\n`);
    return HELD_EXIT;
  }
  const lines = [
    ...verdict.failed.map((f) => `  x ${f.key}: gave up: ${safe(f.reason)}`),
    ...verdict.blocked.map((f) => `  x ${f.key}: ${safe(f.reason)}`),
  ];
  const headline: Record<Exclude<Outcome, 'converged'>, string> = {
    failed: `Apply failed: ${inSync}.`,
    timeout: `Apply timed out after ${shortDuration(args.timeoutMs)}: ${inSync}; still working on ${verdict.pending.join(', ')}.`,
    interrupted: `Apply interrupted by ${detail}: ${inSync}.`,
    'runtime-failed': `Apply failed: the runtime gave up (${safe(detail ?? '')}).`,
    rejected: `Apply refused: ${safe(detail ?? '')}.`,
  };
  io.stderr.write(`${[headline[outcome], ...lines, ...heldLines].join('\n')}\n`);
  return 1;
}
