import { type ChildProcess, spawn } from 'node:child_process';
import { builtCli } from './built-cli.js';
import { until } from './poll.js';

/**
 * `setpoint run` in `dir` as a process (the built CLI, with `env` added to this process's),
 * added to `children` for the test to kill; resolves once it serves, with its URL and its log (stderr) so far.
 */
export async function startServingRun(dir: string, children: ChildProcess[], env?: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [builtCli().bin, 'run'], {
    cwd: dir,
    ...(env !== undefined ? { env: { ...process.env, ...env } } : {}),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  let url = '';
  await until('it serves', () => {
    url = /"url":"(http:[^"]+)"/.exec(log)?.[1] ?? '';
    return url !== '';
  });
  return { child, url, log: () => log };
}
