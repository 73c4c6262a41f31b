import { describe, expect, it } from 'vitest';
import { AggregatorMissingError, ConfigRequestError } from '../../adapters/config-reader';
import { UnwrittenItemsError } from '../../adapters/store/history-store';
import { CliError, UsageError } from '../../cli/errors';
import { DeadlineError } from '../../core/deadline';
import { AggwatchError, errorCode, systemErrorCode } from '../../core/errors';
import { ConfigurationError, SettingsError } from '../../core/settings';
import { UnknownContextKeyError } from '../../lib/context-settings';

const cause = new Error('underlying');

describe('AggwatchError', () => {
  it.each<[string, AggwatchError, string]>([
    ['SettingsError', new SettingsError('KEY', 'bad', 'good'), 'InvalidSetting'],
    ['ConfigurationError', new ConfigurationError(['one', 'two']), 'InvalidConfiguration'],
    ['DeadlineError', new DeadlineError('late', { cause }), 'DeadlineExceeded'],
    ['AggregatorMissingError', new AggregatorMissingError('org', cause), 'NoSuchConfigurationAggregatorException'],
    ['ConfigRequestError', new ConfigRequestError('InvalidLimitException', 'Limit', 100, cause), 'InvalidLimitException'],
    ['UnwrittenItemsError', new UnwrittenItemsError('3 items', { cause }), 'UnprocessedItems'],
    ['CliError', new CliError('failed', { cause }), 'CommandFailed'],
    ['UsageError', new UsageError('wrong', { cause }), 'InvalidUsage'],
    ['UnknownContextKeyError', new UnknownContextKeyError('aggregator', 'aggregators'), 'UnknownContextKey'],
  ])('%s derives from AggwatchError, with its name and a stable code', (name, error, code) => {
    // Prepare: the errors above

    // Act
    const recorded = errorCode(error);

    // Assess
    expect(error).toBeInstanceOf(AggwatchError);
    expect(error).toBeInstanceOf(Error);
    expect([error.name, error.code, recorded]).toStrictEqual([name, code, code]);
  });

  it('carries the error it wraps as cause', () => {
    // Prepare
    const errors = [
      new DeadlineError('late', { cause }),
      new AggregatorMissingError('org', cause),
      new ConfigRequestError('InvalidLimitException', 'Limit', 100, cause, ' (detail)'),
      new UsageError('wrong', { cause }),
    ];

    // Act
    const causes = errors.map((e) => e.cause);

    // Assess
    expect(causes).toStrictEqual(errors.map(() => cause));
    expect(errors[2]?.message).toBe('Config rejected Limit=100: InvalidLimitException: underlying (detail)');
  });

  it('keeps the exit codes of the CLI errors', () => {
    expect([new CliError('x').exitCode, new UsageError('x').exitCode, new CliError('x', { exitCode: 2 }).exitCode]).toStrictEqual([1, 2, 2]);
  });
});

describe('errorCode of what others throw', () => {
  it.each<[string, unknown, string]>([
    ['a Node.js system error: its code', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'ECONNREFUSED'],
    ['an AWS SDK service error: its name', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }), 'ThrottlingException'],
    ['a code that is not a string: the name', Object.assign(new TypeError('x'), { code: 42 }), 'TypeError'],
    ['not an Error at all', 'a string', 'Error'],
  ])('%s', (_what, thrown, code) => {
    expect(errorCode(thrown)).toBe(code);
  });

  it('reads no system error code from our own errors', () => {
    expect(systemErrorCode(new DeadlineError('late'))).toBeUndefined();
  });
});
