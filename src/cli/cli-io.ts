import { type Clock, systemClock, systemRandom } from '../time/clock.js';
import type { Random } from '../time/random.js';

/** Somewhere text goes: the process's stdout or stderr, or a buffer in a test. */
export interface Output {
  write(text: string): void;
  /** A terminal: progress lines may be redrawn, and colour is allowed. */
  readonly isTTY: boolean;
}

export type StopSignal = 'SIGINT' | 'SIGTERM';

/**
 * Everything the command line touches in the outside world, in one place: the two output
 * streams, the environment, the working directory, time, randomness and signals. `main` passes
 * the real ones; tests may pass their own and run a command in-process.
 */
export interface CliIo {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly clock: Clock;
  readonly random: Random;
  /** Call `fn` on SIGINT or SIGTERM; returns a function that stops listening. */
  onSignal(fn: (signal: StopSignal) => void): () => void;
  /**
   * Keep the process alive until the returned function is called. The runtime's timers never
   * hold the process open on their own, so a command waiting on them (`apply` between retries)
   * holds it open itself.
   */
  hold(): () => void;
  /** End the process now (a second Ctrl-C during a graceful stop). */
  exit(code: number): void;
  /** All of standard input, as text (`apply -f -`). Absent: there is none to read. */
  readStdin?(): Promise<string>;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

function streamOutput(stream: NodeJS.WriteStream): Output {
  return {
    write: (text) => {
      stream.write(text);
    },
    get isTTY() {
      return stream.isTTY === true;
    },
  };
}

/** The real process: its streams, environment, clock and signals. */
export function processIo(): CliIo {
  return {
    stdout: streamOutput(process.stdout),
    stderr: streamOutput(process.stderr),
    env: process.env,
    cwd: process.cwd(),
    clock: systemClock,
    random: systemRandom,
    onSignal(fn) {
      const onInt = () => fn('SIGINT');
      const onTerm = () => fn('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      return () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      };
    },
    hold() {
      const handle = systemClock.setTimeout(() => {}, MAX_TIMER_MS) as { ref?: () => void };
      handle.ref?.();
      return () => systemClock.clearTimeout(handle);
    },
    exit(code) {
      process.exit(code);
    },
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/**
 * Colour only for a terminal, and never when `NO_COLOR` is set to anything but the empty
 * string (https://no-color.org).
 */
export function colorFor(output: Output, env: CliIo['env']): boolean {
  const noColor = env.NO_COLOR;
  return output.isTTY && (noColor === undefined || noColor === '');
}
