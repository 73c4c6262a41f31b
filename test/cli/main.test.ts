/**
 * The command line itself: help, version and usage errors, in-process (no AWS call is made).
 */
import { describe, expect, it } from 'vitest';
import { cli } from './support';

describe('runCli', () => {
  it('prints help with every command and examples on stdout (exit 0)', async () => {
    const r = await cli(['--help']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/^Usage: aggwatch \[options\] \[command\]/);
    for (const command of ['status', 'current', 'history', 'failures', 'runs']) expect(r.out).toMatch(new RegExp(`^  ${command} `, 'm'));
    for (const option of ['--table <name>', '--stack <name>', '--profile <name>', '--region <region>']) expect(r.out).toContain(option);
    expect(r.out).toContain('Examples:');
  });

  it.each([
    ['status', '$ aggwatch status --aggregator org --status FAILED,OUTDATED'],
    ['current', '$ aggwatch current --aggregator org --status FAILED'],
    ['history', '$ aggwatch history --source 111111111111 --source-region eu-west-1 --since 7d'],
    ['failures', '$ aggwatch failures --since 7d --aggregator org'],
    ['runs', '$ aggwatch runs --since 2h --aggregator org'],
  ])('prints the help of %s with its options, the global ones and examples', async (command, example) => {
    const r = await cli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^Usage: aggwatch ${command} \\[options\\]`));
    expect(r.out).toContain('--json');
    expect(r.out).toContain('Global Options:');
    expect(r.out).toContain(example);
  });

  it('prints the version', async () => {
    const r = await cli(['--version']);
    expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
  });

  it.each([
    [[], /^Usage: aggwatch/],
    [['bogus'], /^aggwatch: unknown command 'bogus'\n\(add --help for usage\)\n$/],
    [['current', '--bogus'], /^aggwatch: unknown option '--bogus'/],
    [['current', 'extra'], /^aggwatch: too many arguments for 'current'/],
    [['history', '--source'], /^aggwatch: option '--source <id>' argument missing/],
    [['--table', 'x', 'current'], /^aggwatch: Invalid --table: "x"\. Allowed: a DynamoDB table name/],
  ])('treats %j as a usage error (exit 2, message on stderr)', async (argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
  });
});
