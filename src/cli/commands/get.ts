import { stringify } from 'yaml';
import type { ApiObject } from '../../api/objects.js';
import { redact } from '../../contract/redact.js';
import { redactedJson } from '../../server/redact-json.js';
import {
  type ApiTarget,
  apiTargetFor,
  callApi,
  listPath,
  nothingAnswered,
  reportRefusal,
  resourcePath,
} from '../api-client.js';
import type { CliIo } from '../cli-io.js';
import type { CommandArgs, OutputFormat } from '../parse-args.js';
import { table } from '../table.js';

type GetArgs = Extract<CommandArgs, { command: 'get' }>;

/**
 * `setpoint get [KIND | KIND/NAME]`: the desired resources of a running instance, as its API
 * holds them, with the generation each is at and the one its status was written for.
 */
export async function getCommand(args: GetArgs, io: CliIo): Promise<number> {
  const target = await apiTargetFor(args, io);
  if (target === undefined) return 1;
  const one = args.kind !== undefined && args.name !== undefined;
  const path = one ? resourcePath(args.kind as string, args.name) : listPath(args.kind, args.selector);
  const answer = await callApi(target, io, 'GET', path);
  if (answer.kind === 'none') {
    nothingAnswered(target, io);
    return 1;
  }
  if (answer.kind === 'refused') {
    if (answer.status === 404 && one && answer.error.code === 'NotFound') {
      io.stderr.write(`setpoint: ${redact(`${args.kind}/${args.name}`, target.secrets)} not found\n`);
    } else reportRefusal(target, io, answer.status, answer.error);
    return 1;
  }
  const items = one ? [answer.body as ApiObject] : (answer.body as { items: ApiObject[] }).items;
  if (args.output === 'table' && items.length === 0) {
    io.stderr.write(`No resources${args.kind === undefined ? '' : ` of kind ${args.kind}`} found.\n`);
    return 0;
  }
  io.stdout.write(render(answer.body, items, args.output, target));
  return 0;
}

/** The answer in the format asked for; secrets a config reference held are never shown. */
export function render(body: unknown, items: readonly ApiObject[], output: OutputFormat, target: ApiTarget) {
  if (output === 'json') return `${redactedJson(body, target.secrets, 2)}\n`;
  if (output === 'yaml')
    return redact(stringify(JSON.parse(redactedJson(body, target.secrets))), target.secrets);
  const rows = items.map((o) => [
    o.kind,
    o.name,
    o.source,
    String(o.generation),
    String(o.observedGeneration),
    statusField(o, 'phase'),
    statusField(o, 'ready'),
  ]);
  const header = ['KIND', 'NAME', 'SOURCE', 'GENERATION', 'OBSERVED', 'PHASE', 'READY'];
  return `${redact(table([header, ...rows]), target.secrets)}\n`;
}

/** A field of the status as text: `-` when there is no status or no such field. */
export function statusField(object: ApiObject, field: 'phase' | 'ready'): string {
  const value = object.status?.[field];
  if (value === undefined || value === null) return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}
