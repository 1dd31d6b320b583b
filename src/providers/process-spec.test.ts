import { describe, expect, it } from 'vitest';
import { processProvider } from './process.js';
import { processSpecProblems, settingsOf } from './process-spec.js';

const ok = { command: '/usr/bin/node', args: ['server.js'], version: '1.0.0' };

describe('process spec', () => {
  it('accepts the documented shapes', () => {
    expect(processSpecProblems(ok)).toEqual([]);
    expect(
      processSpecProblems({
        ...ok,
        command: 'node',
        env: { GREETING: 'hi' },
        cwd: './apps/web',
        port: 'auto',
        health: { http: { path: '/healthz', port: 8080 }, timeout: '2s', startPeriod: 30_000 },
        stopGrace: '5s',
      }),
    ).toEqual([]);
    expect(processSpecProblems({ ...ok, port: 8080, health: { tcp: {} } })).toEqual([]);
    expect(processSpecProblems({ ...ok, health: { exec: { command: '/bin/true', args: [] } } })).toEqual([]);
  });

  it('reports every problem at once, each at its field', () => {
    const problems = processSpecProblems({
      args: ['a', 2],
      env: { A: 1, B: 'b', PORT: '80' },
      version: 3,
      port: 70_000,
      health: { http: { path: 'healthz' }, tcp: { port: 0 }, timeout: '2', surprise: true },
      stopGrace: 'soon',
      restartPolicy: 'always',
    });
    expect(problems.map((p) => p.path)).toEqual([
      'restartPolicy',
      'command',
      'args[1]',
      'env.A',
      'env.PORT',
      'version',
      'port',
      'health.surprise',
      'health',
      'health.http.path',
      'health.tcp.port',
      'health.timeout',
      'stopGrace',
    ]);
    const at = (path: string) => problems.find((p) => p.path === path)?.message;
    expect(at('command')).toMatch(
      /Expected `spec.command` to be an absolute path or a name found on PATH.*got `undefined`/,
    );
    expect(at('env.A')).toMatch(/`spec.env.A` to be a string.*got `1` \(number\)/);
    expect(at('port')).toMatch(/`auto` or a TCP port from 1 to 65535, got `70000`/);
    expect(at('health')).toMatch(/has `http` and `tcp`: give one probe/);
    expect(at('restartPolicy')).toMatch(/Unknown field `spec.restartPolicy`/);
  });

  it('refuses a relative command path, a probe without a port, and a spec that is not an object', () => {
    expect(processSpecProblems({ ...ok, command: './server' }).map((p) => p.path)).toEqual(['command']);
    expect(processSpecProblems({ ...ok, health: { http: {} } })).toEqual([
      expect.objectContaining({ path: 'health.http.port', message: expect.stringMatching(/has none/) }),
    ]);
    expect(processSpecProblems('web')).toEqual([expect.objectContaining({ path: '' })]);
    expect(processSpecProblems({ ...ok, env: { 'a=b': 'x' } }).map((p) => p.path)).toEqual(['env.a=b']);
  });

  it('fills in the defaults: no probe, 2s per probe, 30s to start, 5s to stop', () => {
    expect(settingsOf(ok)).toEqual({
      probe: undefined,
      timeoutMs: 2000,
      startPeriodMs: 30_000,
      stopGraceMs: 5000,
    });
    expect(settingsOf({ ...ok, port: 'auto', health: { http: {}, timeout: '500ms' }, stopGrace: 0 })).toEqual(
      {
        probe: { type: 'http', path: '/', port: undefined },
        timeoutMs: 500,
        startPeriodMs: 30_000,
        stopGraceMs: 0,
      },
    );
  });

  it('is the provider’s checkSpec, and a bad spec is a permanent error', async () => {
    const services = processProvider({ dir: '/nonexistent/run', kind: 'services' });
    expect(services.checkSpec!({ ...ok, version: '' } as never)).toHaveLength(1);
    await expect(
      services.create({ kind: 'services', name: 'web', spec: { ...ok, port: -1 } as never }, {} as never),
    ).rejects.toMatchObject({ kind: 'permanent' });
  });

  it('rejects bad options', () => {
    expect(() => processProvider({} as never)).toThrow(/`options.dir` to be a non-empty string/);
    expect(() => processProvider({ dir: './run', roots: '.' } as never)).toThrow(
      /Unknown option `options.roots`/,
    );
  });
});
