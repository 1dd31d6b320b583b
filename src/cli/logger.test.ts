import { describe, expect, it } from 'vitest';
import { TestClock } from '../time/test-clock.js';
import { createCliLogger, prettyLine } from './logger.js';

function capture(pretty: boolean) {
  const lines: string[] = [];
  const output = { write: (text: string) => void lines.push(text), isTTY: pretty };
  const clock = new TestClock({ start: Date.UTC(2024, 0, 2, 3, 4, 5, 678) });
  const cli = createCliLogger({ output, level: 'info', clock, secrets: ['hunter2'], pretty, color: false });
  return { lines, ...cli };
}

describe('the logger of setpoint run', () => {
  it('writes JSON lines with the clock time, secrets redacted wherever they appear', () => {
    const { lines, logger, addSecrets } = capture(false);
    logger.info(
      { url: 'postgres://u:hunter2@db', headers: { authorization: 'Bearer abc' } },
      'connect hunter2',
    );
    addSecrets(['quote"d']);
    logger.warn({ note: 'a quote"d secret' }, 'later');
    logger.debug('not at info');
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({
      level: 30,
      time: Date.UTC(2024, 0, 2, 3, 4, 5, 678),
      url: 'postgres://u:[redacted]@db',
      headers: { authorization: '[redacted]' },
      msg: 'connect [redacted]',
    });
    expect(JSON.parse(lines[1]!)).toMatchObject({ note: 'a [redacted] secret' });
  });

  it('hides a secret holding a quote and a backslash, even in JSON logged as a string', () => {
    for (const pretty of [false, true]) {
      const { lines, logger, addSecrets } = capture(pretty);
      const secret = 'p"w\\d';
      addSecrets([secret]);
      logger.warn(
        { body: JSON.stringify({ spec: { password: secret } }), err: new Error(`no ${secret}`) },
        'x',
      );
      const text = lines.join('');
      expect(text).toContain('[redacted]');
      for (const form of [secret, 'p\\"w\\\\d', 'p\\\\\\"w\\\\\\\\d']) expect(text).not.toContain(form);
    }
  });

  it('writes one-liners for a terminal', () => {
    const { lines, logger } = capture(true);
    logger.error({ key: 'files/motd', attempt: 2 }, 'files/motd: create failed with hunter2');
    expect(lines).toEqual([
      '03:04:05.678 ERROR files/motd: create failed with [redacted] key=files/motd attempt=2\n',
    ]);
    expect(prettyLine('not json', false)).toBe('not json');
  });
});
