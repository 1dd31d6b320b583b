import type { CliIo } from '../../src/cli/cli-io.js';
import type { Clock } from '../../src/time/clock.js';
import { systemClock, systemRandom } from '../../src/time/clock.js';
import type { Random } from '../../src/time/random.js';

/**
 * The command line's I/O for running it in-process from `cwd`: what it writes is captured in
 * `out`; signals and holds do nothing; an `exit` (which only `run` asks for) throws.
 */
export function capturedIo(
  cwd: string,
  options: { env?: Record<string, string>; clock?: Clock; random?: Random } = {},
): { io: CliIo; out: { stdout: string; stderr: string } } {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    stdout: {
      write: (text) => {
        out.stdout += text;
      },
      isTTY: false,
    },
    stderr: {
      write: (text) => {
        out.stderr += text;
      },
      isTTY: false,
    },
    env: options.env ?? { NO_COLOR: '1' },
    cwd,
    clock: options.clock ?? systemClock,
    random: options.random ?? systemRandom,
    onSignal: () => () => {},
    hold: () => () => {},
    exit: (code) => {
      throw new Error(`exit ${code}`);
    },
  };
  return { io, out };
}
