import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { SettingsError } from '../../core/settings';
import {
  CONTEXT_KEYS,
  UnknownContextKeyError,
  monitorPropsFromContext,
  rejectMisspelledKeys,
} from '../../lib/context-settings';
import { SourceStatus } from '../../lib/config-aggregator-monitor';
import { synthStack } from './support';

function settingsError(run: () => unknown): SettingsError {
  try {
    run();
  } catch (e) {
    if (e instanceof SettingsError) return e;
    throw e;
  }
  throw new Error('expected a SettingsError');
}

describe('monitorPropsFromContext', () => {
  it('leaves every setting unset when the context has none, so the construct defaults apply', () => {
    expect(monitorPropsFromContext({})).toEqual({});
  });

  it('reads command-line strings: comma-separated lists, numbers, booleans', () => {
    expect(
      monitorPropsFromContext({
        aggregators: 'org-aggregator, second_one',
        emails: 'ops@example.com,sec@example.com',
        smsNumbers: '+15555550100',
        schedule: 'cron(0/30 * * * ? *)',
        historyRetentionDays: '90',
        alertStatuses: 'failed,OUTDATED',
        remindAfterHours: '12',
        notifyRecoveries: 'FALSE',
        staleAfterHours: '48',
        fullSweepHours: '3',
        topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts',
        logRetention: '30',
        reserveConcurrency: 'false',
      }),
    ).toEqual({
      aggregators: ['org-aggregator', 'second_one'],
      emails: ['ops@example.com', 'sec@example.com'],
      smsNumbers: ['+15555550100'],
      // The keys in hours and days set the Duration props that replaced the numeric ones.
      schedule: events.Schedule.expression('cron(0/30 * * * ? *)'),
      historyRetention: Duration.days(90),
      alertStatuses: [SourceStatus.FAILED, SourceStatus.OUTDATED],
      remindAfter: Duration.hours(12),
      notifyRecoveries: false,
      staleAfter: Duration.hours(48),
      fullSweepInterval: Duration.hours(3),
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts',
      logRetention: logs.RetentionDays.ONE_MONTH,
      reserveConcurrency: false,
    });
  });

  it('reads cdk.json values: JSON arrays, numbers and booleans', () => {
    expect(
      monitorPropsFromContext({
        aggregators: ['org-aggregator', 'second'],
        emails: ['ops@example.com'],
        alertStatuses: ['FAILED'],
        historyRetentionDays: 30,
        notifyRecoveries: true,
        reserveConcurrency: false,
        logRetention: 365,
      }),
    ).toEqual({
      aggregators: ['org-aggregator', 'second'],
      emails: ['ops@example.com'],
      alertStatuses: [SourceStatus.FAILED],
      historyRetention: Duration.days(30),
      notifyRecoveries: true,
      reserveConcurrency: false,
      logRetention: logs.RetentionDays.ONE_YEAR,
    });
  });

  it('treats an empty value (-c key=) as unset', () => {
    expect(monitorPropsFromContext({ aggregators: '', schedule: ' ', staleAfterHours: '' })).toEqual({});
  });

  it('ignores context that is not ours (CDK feature flags and the like)', () => {
    expect(
      monitorPropsFromContext({
        '@aws-cdk/aws-iam:minimizePolicies': true,
        'aws:cdk:bundling-stacks': [],
        'cdk-something': 1,
        'myteam:owner': 'x',
        completelyDifferent: 'x',
      }),
    ).toEqual({});
  });

  // One bad value per key: the error names the key, the value and what is allowed.
  it.each<[string, unknown, unknown, RegExp]>([
    ['aggregators', 'bad name!', 'bad name!', /aggregator names/],
    ['aggregators', ['ok', 7], ['ok', 7], /JSON array of strings/],
    ['emails', 'ops@example.com,not-an-address', 'not-an-address', /e-mail addresses/],
    ['smsNumbers', '5555550100', '5555550100', /E\.164/],
    ['schedule', 'rate(1 minutes)', 'rate(1 minutes)', /rate\(N unit\)/],
    ['schedule', 15, 15, /rate\(N unit\)/],
    ['historyRetentionDays', '0', '0', /whole number from 1 to 36500/],
    ['historyRetentionDays', '36501', '36501', /whole number from 1 to 36500/],
    ['alertStatuses', 'FAILED,BROKEN', 'BROKEN', /FAILED, OUTDATED/],
    ['remindAfterHours', 'soon', 'soon', /whole number/],
    ['remindAfterHours', { hours: 1 }, { hours: 1 }, /whole number/],
    ['notifyRecoveries', 'yes', 'yes', /true or false/],
    ['notifyRecoveries', 1, 1, /true or false/],
    ['staleAfterHours', '-3', '-3', /whole number/],
    ['fullSweepHours', '1.5', '1.5', /whole number/],
    ['topicArn', 'arn:aws:sqs:us-east-1:123456789012:q', 'arn:aws:sqs:us-east-1:123456789012:q', /SNS topic ARN/],
    ['logRetention', '42', '42', /one of 1, 3, 5/],
    ['reserveConcurrency', 'maybe', 'maybe', /true or false/],
  ])('rejects %s = %j', (key, value, reported, allowed) => {
    const error = settingsError(() => monitorPropsFromContext({ [key]: value }));
    expect(error.key).toBe(key);
    expect(error.value).toEqual(reported);
    expect(error.allowed).toMatch(allowed);
    expect(error.message).toContain(`Invalid ${key}: `);
  });
});

describe('misspelled context keys', () => {
  it.each([
    ['aggregator', 'aggregators'],
    ['Aggregators', 'aggregators'],
    ['email', 'emails'],
    ['smsNumber', 'smsNumbers'],
    ['sms-numbers', 'smsNumbers'],
    ['shedule', 'schedule'],
    ['topicARN', 'topicArn'],
    ['topic-arn', 'topicArn'],
    ['alertStatus', 'alertStatuses'],
    ['stalAfterHour', 'staleAfterHours'],
    ['reservedConcurrency', 'reserveConcurrency'],
    ['logRetension', 'logRetention'],
    ['fullsweephours', 'fullSweepHours'],
  ])("'%s' is taken for '%s'", (typo, meant) => {
    expect(() => rejectMisspelledKeys([typo])).toThrow(
      new UnknownContextKeyError(typo, meant),
    );
    expect(() => monitorPropsFromContext({ [typo]: 'x' })).toThrow(
      `Unknown context key '${typo}'. Did you mean '${meant}'?`,
    );
  });

  it('leaves our own keys, CDK keys and unrelated keys alone', () => {
    expect(() =>
      rejectMisspelledKeys([
        ...CONTEXT_KEYS,
        '@aws-cdk/core:target-partitions',
        'aws:cdk:enable-path-metadata',
        'awsEmails',
        'cdkEmails',
        'emails:x',
        'team',
        'costCentre',
      ]),
    ).not.toThrow();
  });

  it('leaves keys more than two edits from any of ours alone, and picks the nearest of ours', () => {
    expect(() => rejectMisspelledKeys(['shedul', 'emailz', 'notifyRecovers'])).toThrow("Did you mean 'schedule'?");
    expect(() => rejectMisspelledKeys(['topicArnXYZ', 'remindAfter'])).not.toThrow();
    expect(() => rejectMisspelledKeys(['stalAfterHour'])).toThrow("Did you mean 'staleAfterHours'?");
  });
});

describe('MonitorStack reads its settings from the context', () => {
  it('fails synthesis on a bad value with the key, the value and what is allowed', () => {
    expect(() => synthStack({ aggregators: 'bad name!' })).toThrow(
      'Invalid aggregators: "bad name!". ' +
        'Allowed: aggregator names of 1 to 256 letters, digits, _ or - ([\\w-]{1,256}).',
    );
  });

  it.each<[string, string]>([
    ['emails', 'nope'],
    ['smsNumbers', '12345'],
    ['schedule', 'cron(0 12 * * * *)'],
    ['historyRetentionDays', '0'],
    ['alertStatuses', 'SUCCEEDED'],
    ['remindAfterHours', 'x'],
    ['notifyRecoveries', 'on'],
    ['staleAfterHours', '0'],
    ['fullSweepHours', '2000000'],
    ['topicArn', 'alerts'],
    ['logRetention', '2'],
    ['reserveConcurrency', '1'],
  ])('fails synthesis on %s=%s', (key, value) => {
    const error = settingsError(() => synthStack({ [key]: value }));
    expect(error.key).toBe(key);
    expect(error.message).toContain(`Invalid ${key}: `);
  });

  it('fails synthesis on a misspelled key', () => {
    expect(() => synthStack({ aggregator: 'org-aggregator' })).toThrow(
      "Unknown context key 'aggregator'. Did you mean 'aggregators'?",
    );
  });
});
