import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** The pid of a process that has exited: a lock it left behind is stale. */
export async function pidOfExitedProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}
