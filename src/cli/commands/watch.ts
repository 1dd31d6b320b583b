import { redact } from '../../contract/redact.js';
import { redactedJson } from '../../server/redact-json.js';
import { apiTargetFor, nothingAnswered, reportRefusal } from '../api-client.js';
import { follow, type WatchEventJson } from '../api-watch.js';
import type { CliIo } from '../cli-io.js';
import type { CommandArgs } from '../parse-args.js';
import { statusField } from './get.js';

type WatchArgs = Extract<CommandArgs, { command: 'watch' }>;

/**
 * `setpoint watch [KIND]`: one line per change to a running instance's desired resources, until
 * SIGINT or SIGTERM. Reconnects on its own (see `follow`).
 */
export async function watchCommand(args: WatchArgs, io: CliIo): Promise<number> {
  const target = await apiTargetFor(args, io);
  if (target === undefined) return 1;
  const stop = new AbortController();
  const off = io.onSignal(() => stop.abort());
  const release = io.hold();
  try {
    const end = await follow({
      target,
      io,
      kind: args.kind,
      selector: args.selector,
      from: args.resourceVersion,
      signal: stop.signal,
      note: (text) => io.stderr.write(`setpoint: ${redact(text, target.secrets)}\n`),
      onEvent: (event) => {
        const line = args.output === 'json' ? redactedJson(event, target.secrets) : eventLine(event);
        if (line !== undefined) io.stdout.write(`${redact(line, target.secrets)}\n`);
      },
    });
    if (end.kind === 'none') {
      nothingAnswered(target, io);
      return 1;
    }
    if (end.kind === 'refused') {
      reportRefusal(target, io, end.status, end.error);
      return 1;
    }
    return 0;
  } finally {
    release();
    off();
  }
}

/** `MODIFIED files/motd v12 phase=synced`; a bookmark is no change, and has no line. */
export function eventLine(event: WatchEventJson): string | undefined {
  if (event.type === 'BOOKMARK' || event.object === undefined) return undefined;
  const { kind, name } = event.object;
  return `${event.type} ${kind}/${name} v${event.resourceVersion} phase=${statusField(event.object, 'phase')}`;
}
