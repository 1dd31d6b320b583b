import { redact } from '../../contract/redact.js';
import { redactedJson } from '../../server/redact-json.js';
import type { CliIo } from '../cli-io.js';
import type { CommandArgs } from '../parse-args.js';
import { plural } from '../plural.js';
import { statusConfigFor } from '../status-config.js';
import { baseUrl } from './status.js';

type ApproveArgs = Extract<CommandArgs, { command: 'approve' }>;

const ASK_TIMEOUT_MS = 5000;

/**
 * `setpoint approve`: ask the running instance (at `server.listen`, with `server.token`) to go
 * ahead with the deletes its deletion budget holds, all of them or the `--key`s given.
 */
export async function approveCommand(args: ApproveArgs, io: CliIo): Promise<number> {
  const config = await statusConfigFor(args.config, io);
  if (config === undefined) return 1;
  const url = `${baseUrl(config)}/deletions/approve`;
  const token = config.server.token;
  if (token === undefined) {
    io.stderr.write(
      'setpoint: approving deletes needs `server.token` in the config (a running instance refuses without it)\n',
    );
    return 1;
  }
  const controller = new AbortController();
  const timer = io.clock.setTimeout(() => controller.abort(), ASK_TIMEOUT_MS);
  let status: number;
  let text: string;
  try {
    const response = await fetch(url, {
      method: 'POST',
      signal: controller.signal,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(args.keys === undefined ? {} : { keys: args.keys }),
    });
    status = response.status;
    text = await response.text();
  } catch {
    io.stderr.write(`setpoint: nothing answered at ${url}: is setpoint run running there?\n`);
    return 1;
  } finally {
    io.clock.clearTimeout(timer);
  }
  if (status !== 200) {
    io.stderr.write(`setpoint: ${url} answered ${status}: ${redact(text.trim(), config.secrets)}\n`);
    return 1;
  }
  const body = JSON.parse(text) as { approved: string[]; heldDeletions: { key: string }[] };
  if (args.json) {
    io.stdout.write(`${redactedJson(body, config.secrets, 2)}\n`);
    return 0;
  }
  const lines = [
    body.approved.length === 0
      ? 'Nothing approved: no such delete was held.'
      : `Approved ${plural(body.approved.length, 'held delete')}: ${body.approved.join(', ')}.`,
  ];
  if (body.heldDeletions.length > 0) {
    lines.push(`Still held: ${body.heldDeletions.map((h) => h.key).join(', ')}.`);
  }
  io.stdout.write(`${redact(lines.join('\n'), config.secrets)}\n`);
  return 0;
}
