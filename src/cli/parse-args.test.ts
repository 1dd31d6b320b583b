import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from './commands.js';
import { parseInvocation } from './parse-args.js';

describe('the command line', () => {
  it('reads each command with its defaults', () => {
    expect(parseInvocation(['validate'])).toEqual({
      kind: 'command',
      args: { command: 'validate', config: 'setpoint.yaml', json: false },
    });
    expect(parseInvocation(['plan', '--detailed-exitcode', '-c', 'x.yaml', '--json'])).toEqual({
      kind: 'command',
      args: { command: 'plan', config: 'x.yaml', json: true, detailedExitcode: true },
    });
    expect(parseInvocation(['apply'])).toEqual({
      kind: 'command',
      args: {
        command: 'apply',
        config: 'setpoint.yaml',
        json: false,
        dryRun: false,
        timeoutMs: 300_000,
        approveDeletions: false,
      },
    });
    expect(parseInvocation(['apply', '--dry-run', '--timeout', '90s', '--config=a/b.yaml'])).toMatchObject({
      args: { dryRun: true, timeoutMs: 90_000, config: 'a/b.yaml' },
    });
    expect(parseInvocation(['run', '--log-level', 'debug'])).toMatchObject({
      args: { command: 'run', logLevel: 'debug' },
    });
    expect(parseInvocation(['status', '--json'])).toMatchObject({ args: { command: 'status', json: true } });
  });

  it('gives the main help with no arguments, -h, --help and help', () => {
    for (const argv of [[], ['-h'], ['--help'], ['help']]) {
      const parsed = parseInvocation(argv);
      expect(parsed.kind).toBe('help');
      if (parsed.kind === 'help')
        for (const name of COMMAND_NAMES) expect(parsed.text).toContain(`  ${name}`);
    }
  });

  it('gives each command its own help, listing its options and exit statuses', () => {
    const plan = parseInvocation(['plan', '--help']);
    expect(plan.kind === 'help' && plan.text).toContain('--detailed-exitcode');
    expect(plan.kind === 'help' && plan.text).toContain('2  with --detailed-exitcode: there are changes');
    const apply = parseInvocation(['help', 'apply']);
    expect(apply.kind === 'help' && apply.text).toMatch(/--timeout <duration>.*default 5m/);
    for (const name of COMMAND_NAMES) {
      const help = parseInvocation([name, '-h']);
      expect(help.kind === 'help' && help.text).toMatch(new RegExp(`^Usage: setpoint ${name} `));
      expect(help.kind === 'help' && help.text).toContain('-c, --config <file>');
    }
  });

  it('reads the client commands: their arguments, output, server and versions', () => {
    expect(parseInvocation(['get'])).toEqual({
      kind: 'command',
      args: {
        command: 'get',
        config: 'setpoint.yaml',
        json: false,
        server: undefined,
        output: 'table',
        kind: undefined,
        name: undefined,
        selector: undefined,
      },
    });
    expect(parseInvocation(['get', 'files/site/index.html', '-o', 'yaml'])).toMatchObject({
      args: { kind: 'files', name: 'site/index.html', output: 'yaml' },
    });
    expect(parseInvocation(['get', 'files', '-l', 'team=a', '--json'])).toMatchObject({
      args: { kind: 'files', name: undefined, selector: 'team=a', output: 'json' },
    });
    expect(
      parseInvocation(['apply', '-f', 'a.yaml', '--file', '-', '--server', 'http://h:1', '-o', 'json']),
    ).toMatchObject({
      args: { command: 'apply', files: ['a.yaml', '-'], server: 'http://h:1', output: 'json' },
    });
    const converge = parseInvocation(['apply']);
    expect(converge.kind === 'command' && 'files' in converge.args).toBe(false);
    expect(parseInvocation(['delete', 'files/a', 'files/b'])).toMatchObject({
      args: { command: 'delete', keys: ['files/a', 'files/b'], resourceVersion: undefined },
    });
    expect(parseInvocation(['watch', 'files', '--resource-version', '12', '-o', 'json'])).toMatchObject({
      args: { command: 'watch', kind: 'files', resourceVersion: 12, output: 'json' },
    });
    const refused: [string[], RegExp][] = [
      [['get', 'files/a', 'files/b'], /unexpected argument "files\/b"/],
      [['get', 'files/a', '-l', 'x=y'], /-l selects among many/],
      [['get', '-o', 'xml'], /-o "xml" is not one of table, json, yaml/],
      [['get', '--json', '-o', 'yaml'], /--json and -o yaml ask for two outputs/],
      [['get', '--server', 'localhost:9464'], /--server "localhost:9464" is not an http/],
      [['delete'], /name what to delete: KIND\/NAME/],
      [['delete', 'files'], /"files" is not KIND\/NAME/],
      [['delete', 'files/a', 'files/b', '--resource-version', '3'], /goes with one KIND\/NAME/],
      [['watch', 'files/a'], /is not a KIND/],
      [['watch', '-o', 'yaml'], /-o "yaml" is not one of table, json/],
      [['watch', '--resource-version', 'x'], /is not a resource version/],
      [['apply', '-f', 'a.yaml', '--dry-run'], /--dry-run does not go with -f/],
      [['apply', '-f', 'a.yaml', '--timeout', '1m'], /--timeout does not go with -f/],
      [['apply', '-o', 'json'], /--output goes with -f/],
      [['status', 'files'], /unexpected argument "files"/],
    ];
    for (const [argv, message] of refused) {
      const parsed = parseInvocation(argv);
      expect(parsed.kind, argv.join(' ')).toBe('usage-error');
      if (parsed.kind === 'usage-error') expect(parsed.message, argv.join(' ')).toMatch(message);
    }
  });

  it('answers --version', () => {
    expect(parseInvocation(['--version'])).toEqual({ kind: 'version' });
  });

  it('refuses unknown commands, options, arguments and bad values, pointing at the help', () => {
    const cases: [string[], RegExp][] = [
      [['deploy'], /unknown command "deploy".*commands: validate, plan, apply, run, status/],
      [['--json'], /unknown command "--json" \(put options after the command\)/],
      [
        ['plan', '--detailed'],
        /^unknown option "--detailed" for plan \(its options: --detailed-exitcode, --config \(-c\), --json, --help \(-h\)\); see setpoint plan --help$/,
      ],
      [['status', '-x'], /^unknown option "-x" for status/],
      [['validate', '--json=yes'], /^--json takes no value/],
      [['validate', 'extra'], /unexpected argument "extra"/],
      [['apply', '--timeout', '30'], /^--timeout: "30" has no unit/],
      [['apply', '--timeout', '0s'], /^--timeout: "0s" must be more than 0/],
      [['run', '--log-level', 'loud'], /--log-level "loud" is not one of trace, debug/],
      [['plan', '-c'], /^--config needs a value; see setpoint plan --help$/],
      [['run', '--log-level'], /^--log-level needs a value/],
      [['help', 'nope'], /unknown command "nope"/],
    ];
    for (const [argv, message] of cases) {
      const parsed = parseInvocation(argv);
      expect(parsed.kind, argv.join(' ')).toBe('usage-error');
      if (parsed.kind === 'usage-error') expect(parsed.message).toMatch(message);
    }
  });
});
