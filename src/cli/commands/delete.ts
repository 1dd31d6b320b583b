import { escapeControl } from '../../config/format-issues.js';
import { redact } from '../../contract/redact.js';
import { redactedJson } from '../../server/redact-json.js';
import { apiTargetFor, callApi, nothingAnswered, reportRefusal, resourcePath } from '../api-client.js';
import type { CliIo } from '../cli-io.js';
import type { CommandArgs } from '../parse-args.js';

type DeleteArgs = Extract<CommandArgs, { command: 'delete' }>;

/**
 * `setpoint delete KIND/NAME ...`: take each resource out of a running instance's desired set,
 * one request each; one that is missing or refused does not stop the others.
 */
export async function deleteCommand(args: DeleteArgs, io: CliIo): Promise<number> {
  const target = await apiTargetFor(args, io);
  if (target === undefined) return 1;
  const results: { key: string; result: 'deleted' | 'not found' | 'refused'; message?: string }[] = [];
  const say = (text: string) => {
    if (args.output === 'table') io.stdout.write(`${redact(text, target.secrets)}\n`);
  };
  for (const key of args.keys) {
    const slash = key.indexOf('/');
    const path = resourcePath(key.slice(0, slash), key.slice(slash + 1));
    const headers: Record<string, string> =
      args.resourceVersion === undefined ? {} : { 'if-match': `"${args.resourceVersion}"` };
    const answer = await callApi(target, io, 'DELETE', path, { headers });
    if (answer.kind === 'none') {
      nothingAnswered(target, io);
      return 1;
    }
    if (answer.kind === 'ok') {
      results.push({ key, result: 'deleted' });
      say(`${key} deleted`);
    } else if (answer.status === 404 && answer.error.code === 'NotFound') {
      results.push({ key, result: 'not found' });
      io.stderr.write(`setpoint: ${redact(escapeControl(key), target.secrets)} not found\n`);
    } else if (answer.status === 401 || answer.error.code === undefined) {
      // Not about this resource (the token, or no API there): the next would be refused alike.
      reportRefusal(target, io, answer.status, answer.error);
      return 1;
    } else {
      results.push({ key, result: 'refused', message: answer.error.message });
      const text = escapeControl(`${key} not deleted: ${answer.error.message}`);
      io.stderr.write(`setpoint: ${redact(text, target.secrets)}\n`);
    }
  }
  if (args.output !== 'table') io.stdout.write(`${redactedJson({ results }, target.secrets, 2)}\n`);
  return results.every((r) => r.result === 'deleted') ? 0 : 1;
}
