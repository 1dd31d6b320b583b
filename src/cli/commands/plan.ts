import { describeError } from '../../contract/errors.js';
import type { Plan } from '../../diff/plan.js';
import { renderPlan, renderPlanJson } from '../../diff/render.js';
import { redactJsonText } from '../../server/redact-json.js';
import { withOtherSources } from '../api-session.js';
import { type CliIo, colorFor } from '../cli-io.js';
import { readGitSources } from '../git-sources.js';
import { type Input, loadInput, reportInputErrors } from '../input.js';
import type { CommandArgs } from '../parse-args.js';
import { plural } from '../plural.js';
import { emptyPruneRefusal, orphansOf } from '../prune.js';
import { maskPlan, secretFields } from '../secret-fields.js';
import { describeOpenError, planRuntimeFor } from '../session.js';

type PlanArgs = Extract<CommandArgs, { command: 'plan' }>;

/**
 * `setpoint plan`: observe every desired resource once (and, with prune on, every managed one
 * that is no longer desired) and print what would change. Changes nothing.
 */
export async function planCommand(args: PlanArgs, io: CliIo): Promise<number> {
  const result = await loadInput(args, io);
  if (!result.ok) {
    reportInputErrors(result, io);
    return 1;
  }
  const input = await withApiResources(result.input, io);
  if (input === undefined) return 1;
  const plan = await observePlan(input, io);
  if (plan === undefined) return 1;
  io.stdout.write(`${showPlan(plan, input, io, args.json)}\n`);
  return args.detailedExitcode && plan.actions.length > 0 ? 2 : 0;
}

/**
 * The config's input with the resources declared through the desired-state API beside its
 * own (see `withOtherSources`), saying on stderr how many there are.
 */
export async function withApiResources(input: Input, io: CliIo): Promise<Input | undefined> {
  const git = await readGitSources(input.config, io);
  if (!git.ok) {
    io.stderr.write(`setpoint: ${redactJsonText(git.errors.join('\n'), input.config.secrets)}\n`);
    return undefined;
  }
  for (const { name, commit } of git.commits) {
    io.stderr.write(`setpoint: source ${name} is at commit ${commit.slice(0, 12)}\n`);
  }
  const fromGit = new Set(input.config.gitSources.map((s) => s.name));
  const withGit: Input =
    git.resources.length === 0
      ? input
      : { ...input, config: { ...input.config, resources: [...input.config.resources, ...git.resources] } };
  const { input: all, others } = await withOtherSources(withGit, fromGit);
  if (others > 0) {
    io.stderr.write(
      `setpoint: ${plural(others, 'resource')} declared through the desired-state API (in ${input.config.state}) ${others === 1 ? 'is' : 'are'} part of the desired set\n`,
    );
  }
  return all;
}

/** The plan as text (or JSON), with every secret of the config redacted. */
export function showPlan(plan: Plan, input: Input, io: CliIo, json: boolean): string {
  const { resources, secrets } = input.config;
  const masked = maskPlan(plan, secretFields(resources, secrets));
  const text = json ? renderPlanJson(masked) : renderPlan(masked, { color: colorFor(io.stdout, io.env) });
  return redactJsonText(text, secrets);
}

/**
 * Observe once and return the plan, or `undefined` after saying on stderr why there is none.
 * No actor is started: nothing is applied.
 *
 * The state is read, never written (see `planRuntimeFor`): no lock is taken, and a state
 * directory that does not exist is not created. A state a live process holds is refused, as
 * `apply` refuses it: that process is changing the world, and a plan from its state would be
 * wrong in ways nobody could see.
 */
export async function observePlan(input: Input, io: CliIo): Promise<Plan | undefined> {
  const { config } = input;
  const session = planRuntimeFor(input, io);
  const { runtime } = session;
  try {
    await session.open();
  } catch (error) {
    await session.close();
    io.stderr.write(`${describeOpenError(error)}\n`);
    return undefined;
  }
  try {
    const inventory = runtime.store.inventory();
    const refusal = emptyPruneRefusal(config, inventory.size);
    if (refusal !== undefined) {
      io.stderr.write(`setpoint: ${refusal}\n`);
      return undefined;
    }
    const accepted = runtime.setDesired(config.resources);
    if (!accepted.ok) {
      const errors = accepted.errors.map((e) => `setpoint: ${e.message}`).join('\n');
      io.stderr.write(`${redactJsonText(errors, config.secrets)}\n`);
      return undefined;
    }
    if (config.defaults.prune) {
      const kinds = new Set(Object.keys(config.providers));
      for (const key of orphansOf(inventory, config.resources, kinds).unservable) {
        io.stderr.write(`setpoint: ${key} is managed but no provider serves its kind any more: left alone\n`);
      }
    }
    return await runtime.plan();
  } catch (error) {
    io.stderr.write(`setpoint: the plan failed: ${redactJsonText(describeError(error), config.secrets)}\n`);
    return undefined;
  } finally {
    await runtime.stop();
    await session.close();
  }
}
