import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { rejection } from '../../../test/helpers/git-repos.js';
import { TestClock } from '../../time/test-clock.js';
import { GitError, gitEnv, gitVersion, redactCredentials, runGit, urlSecrets } from './git.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new bare repository in a temporary directory: `--git-dir=` it. */
async function bareRepo(clock: TestClock): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'setpoint-rungit-'));
  dirs.push(dir);
  await runGit(['init', '--bare', '--quiet', join(dir, 'r.git')], { clock });
  return join(dir, 'r.git');
}

const gitFailure = (promise: Promise<unknown>) => rejection(promise, GitError.is, 'GitError');

describe('redactCredentials', () => {
  it("writes every URL's user information as ***@, and hides the secrets given", () => {
    const text = "fatal: unable to access 'https://bot:hunter2@example.com/r.git/' (ssh://git@h/x, s3cr3t)";
    expect(redactCredentials(text, ['s3cr3t'])).toBe(
      "fatal: unable to access 'https://***@example.com/r.git/' (ssh://***@h/x, [redacted])",
    );
    expect(redactCredentials('no url here', [])).toBe('no url here');
  });

  it("finds a URL's credentials as written and decoded; a user name alone over http(s)", () => {
    expect(urlSecrets('https://bot:p%40ss@example.com/r.git')).toEqual(['p%40ss', 'p@ss']);
    expect(urlSecrets('https://ghp_token123@example.com/r.git')).toEqual(['ghp_token123']);
    expect(urlSecrets('ssh://git@example.com/r.git')).toEqual([]);
    expect(urlSecrets('/srv/git/r.git')).toEqual([]);
    // A password decoded and written back whole is hidden too.
    expect(redactCredentials('user p@ss', urlSecrets('https://u:p%40ss@h/'))).toBe('user [redacted]');
  });
});

describe('the environment git runs in', () => {
  it('never prompts, speaks English, allows the usual transports, and drops variables that redirect it', () => {
    const env = gitEnv(
      { PATH: '/bin', GIT_DIR: '/elsewhere', GIT_INDEX_FILE: '/i', LANG: 'de_DE.UTF-8' },
      [],
    );
    expect(env).toEqual({
      PATH: '/bin',
      LANG: 'de_DE.UTF-8',
      LC_ALL: 'C',
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: 'true',
      GIT_ALLOW_PROTOCOL: 'file:git:http:https:ssh',
    });
    expect(gitEnv({ GIT_ASKPASS: '/opt/askpass' }, []).GIT_ASKPASS).toBe('/opt/askpass');
  });

  it("passes config after the environment's own, and sets the run's variables last", () => {
    const base = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: 'X: y' };
    const env = gitEnv(base, [['remote.r.url', 'https://h/r.git']], { GIT_INDEX_FILE: '/tmp/index' });
    expect(env).toMatchObject({
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_KEY_1: 'remote.r.url',
      GIT_CONFIG_VALUE_1: 'https://h/r.git',
      GIT_INDEX_FILE: '/tmp/index',
    });
  });
});

describe('runGit', () => {
  it('runs the system git and returns its output', async () => {
    const clock = new TestClock();
    const version = await gitVersion({ clock });
    expect(version[0]).toBeGreaterThanOrEqual(2);
    const repo = await bareRepo(clock);
    const out = await runGit([`--git-dir=${repo}`, 'rev-parse', '--is-bare-repository'], { clock });
    expect(out.stdout).toBe('true\n');
    expect(clock.pending()).toBe(0);
  });

  it("fails with git's message, the URL's credentials and the secrets given hidden in every field", async () => {
    const clock = new TestClock();
    const repo = await bareRepo(clock);
    // git repeats a name it cannot resolve: here one holding credentials.
    const name = 'https://bot:tok-1f2e3d@example.com/zz-private-zz.git';
    const error = await gitFailure(
      runGit([`--git-dir=${repo}`, 'show-ref', '--verify', name], {
        clock,
        secrets: ['zz-private-zz'],
      }),
    );
    expect(error.failure).toBe('failed');
    expect(error.exitCode).toBe(128);
    expect(error.detail).toBe('exit code 128');
    expect(error.stderr).toBe("fatal: 'https://***@example.com/[redacted].git' - not a valid ref");
    expect(error.command).toBe(
      `git --git-dir=${repo} show-ref --verify https://***@example.com/[redacted].git`,
    );
    for (const form of [error.message, error.stack ?? '', inspect(error), JSON.stringify(error)]) {
      expect(form).not.toContain('tok-1f2e3d');
      expect(form).not.toContain('zz-private-zz');
    }
  });

  it('hides an auth header given as config in the environment', async () => {
    const clock = new TestClock();
    const header = 'Authorization: Bearer hdr-7c6b5a';
    const env = {
      ...process.env,
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: header,
    };
    const error = await gitFailure(
      runGit([`--git-dir=${await bareRepo(clock)}`, 'show-ref', '--verify', 'hdr-7c6b5a'], { clock, env }),
    );
    expect(error.message).not.toContain('hdr-7c6b5a');
    expect(error.message).toContain('[redacted]');
  });

  it('reports an abort before the start without starting git', async () => {
    const error = await gitFailure(
      runGit(['version'], { clock: new TestClock(), signal: AbortSignal.abort() }),
    );
    expect(error.failure).toBe('aborted');
    expect(error.message).toBe('git version: aborted before it started');
  });
});
