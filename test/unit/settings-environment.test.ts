import { describe, expect, it } from 'vitest';
import { DEFAULTS, ENV, settingsFromEnvironment, settingsToEnvironment, type MonitorSettings } from '../../core/settings';
import { TOPIC, thrown } from './settings-fixtures';

const REQUIRED = { TABLE_NAME: 'aggwatch-history', TOPIC_ARN: TOPIC };

describe('settingsFromEnvironment', () => {
  it('applies the defaults when only the required variables are set', () => {
    // Prepare
    const env = { ...REQUIRED };

    // Act
    const settings = settingsFromEnvironment(env);

    // Assess
    expect(settings).toStrictEqual({
      tableName: 'aggwatch-history',
      topicArn: TOPIC,
      alertStatuses: ['FAILED'],
      remindAfterHours: 24,
      notifyRecoveries: true,
      fullSweepHours: 6,
      historyRetentionDays: 400,
      smsNotices: ['failure', 'monitor-error'],
      securityHubFindings: false,
      aggregatorConcurrency: 5,
      reconcileConcurrency: 10,
    });
    expect(DEFAULTS).toMatchObject({ remindAfterHours: 24, notifyRecoveries: true, fullSweepHours: 6, historyRetentionDays: 400 });
  });

  it('treats empty and blank optional variables as unset', () => {
    // Prepare
    const env = { ...REQUIRED, AGGREGATORS: ' , ', ALERT_STATUSES: '', REMIND_AFTER_HOURS: '  ', STALE_AFTER_HOURS: '' };

    // Act
    const settings = settingsFromEnvironment(env);

    // Assess
    expect(settings).toStrictEqual(settingsFromEnvironment(REQUIRED));
    expect(settings).not.toHaveProperty('aggregators');
    expect(settings).not.toHaveProperty('staleAfterHours');
  });

  it('parses every variable', () => {
    // Prepare
    const env = {
      AGGREGATORS: 'org-agg, second',
      TABLE_NAME: 'my.table',
      TOPIC_ARN: TOPIC,
      ALERT_STATUSES: 'outdated,failed',
      REMIND_AFTER_HOURS: '12',
      NOTIFY_RECOVERIES: 'FALSE',
      STALE_AFTER_HOURS: ' 48 ',
      FULL_SWEEP_HOURS: '3',
      HISTORY_RETENTION_DAYS: '36500',
      SMS_NOTICES: 'Recovery, reminder',
      EVENT_BUS_NAME: 'security',
      SECURITY_HUB_FINDINGS: 'True',
      CHAT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:chat',
      AGGREGATOR_CONCURRENCY: '50',
      RECONCILE_CONCURRENCY: ' 40',
    };

    // Act
    const settings = settingsFromEnvironment(env);

    // Assess
    expect(settings).toStrictEqual({
      aggregators: ['org-agg', 'second'],
      tableName: 'my.table',
      topicArn: TOPIC,
      alertStatuses: ['OUTDATED', 'FAILED'],
      remindAfterHours: 12,
      notifyRecoveries: false,
      staleAfterHours: 48,
      fullSweepHours: 3,
      historyRetentionDays: 36500,
      smsNotices: ['recovery', 'reminder'],
      eventBusName: 'security',
      securityHubFindings: true,
      chatTopicArn: 'arn:aws:sns:eu-west-1:123456789012:chat',
      aggregatorConcurrency: 50,
      reconcileConcurrency: 40,
    });
  });

  it('reports missing TABLE_NAME and TOPIC_ARN (unset or blank)', () => {
    // Prepare
    const env = { TOPIC_ARN: '   ' };

    // Act
    const error = thrown(() => settingsFromEnvironment(env));

    // Assess
    expect(error.message).toBe(
      'Invalid configuration:\n' +
        '- Missing TABLE_NAME: the environment variable must be set (the stack sets it).\n' +
        '- Missing TOPIC_ARN: the environment variable must be set (the stack sets it).',
    );
  });

  it('fails on a single bad optional value rather than falling back to its default', () => {
    // Prepare
    const env = { ...REQUIRED, FULL_SWEEP_HOURS: '0' };

    // Act
    const error = thrown(() => settingsFromEnvironment(env));

    // Assess
    expect(error.message).toBe(
      'Invalid configuration:\n- Invalid FULL_SWEEP_HOURS: "0". Allowed: a whole number from 1 to 1000000.',
    );
  });

  it('reports every problem together, in one message', () => {
    // Prepare
    const env = {
      AGGREGATORS: 'ok,not ok',
      TABLE_NAME: 'x',
      ALERT_STATUSES: 'FAILED,SUCCEEDED',
      REMIND_AFTER_HOURS: '0',
      NOTIFY_RECOVERIES: 'yes',
      STALE_AFTER_HOURS: '1.5',
      FULL_SWEEP_HOURS: 'abc',
      HISTORY_RETENTION_DAYS: '36501',
      SMS_NOTICES: 'failure,sms',
    };

    // Act
    const error = thrown(() => settingsFromEnvironment(env));

    // Assess
    expect(error.message).toBe(
      [
        'Invalid configuration:',
        '- Invalid AGGREGATORS: "not ok". Allowed: aggregator names of 1 to 256 letters, digits, _ or - ([\\w-]{1,256}).',
        '- Invalid TABLE_NAME: "x". Allowed: a DynamoDB table name ([\\w.-]{3,255}).',
        '- Missing TOPIC_ARN: the environment variable must be set (the stack sets it).',
        '- Invalid ALERT_STATUSES: "SUCCEEDED". Allowed: one or more of FAILED, OUTDATED.',
        '- Invalid REMIND_AFTER_HOURS: "0". Allowed: a whole number from 1 to 1000000.',
        '- Invalid NOTIFY_RECOVERIES: "yes". Allowed: true or false.',
        '- Invalid STALE_AFTER_HOURS: "1.5". Allowed: a whole number from 1 to 1000000.',
        '- Invalid FULL_SWEEP_HOURS: "abc". Allowed: a whole number from 1 to 1000000.',
        '- Invalid HISTORY_RETENTION_DAYS: "36501". Allowed: a whole number from 1 to 36500.',
        '- Invalid SMS_NOTICES: "sms". Allowed: one or more of failure, reminder, recovery, monitor-error.',
      ].join('\n'),
    );
  });

  it('uses the variable names in ENV', () => {
    // Prepare
    const names = Object.values(ENV);

    // Act
    const sorted = [...names].sort();

    // Assess
    expect(sorted).toStrictEqual([
      'AGGREGATORS',
      'AGGREGATOR_CONCURRENCY',
      'ALERT_STATUSES',
      'CHAT_TOPIC_ARN',
      'EVENT_BUS_NAME',
      'FULL_SWEEP_HOURS',
      'HISTORY_RETENTION_DAYS',
      'NOTIFY_RECOVERIES',
      'RECONCILE_CONCURRENCY',
      'REMIND_AFTER_HOURS',
      'REPORT_BUCKET',
      'SECURITY_HUB_FINDINGS',
      'SMS_NOTICES',
      'STALE_AFTER_HOURS',
      'TABLE_NAME',
      'TOPIC_ARN',
    ]);
  });

  const full: MonitorSettings = {
    aggregators: ['org-agg', 'second_agg'],
    tableName: 'aggwatch-history',
    topicArn: TOPIC,
    alertStatuses: ['FAILED', 'OUTDATED'],
    remindAfterHours: 6,
    notifyRecoveries: false,
    staleAfterHours: 72,
    fullSweepHours: 2,
    historyRetentionDays: 30,
    smsNotices: ['failure', 'recovery'],
    eventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/security',
    securityHubFindings: true,
    chatTopicArn: 'arn:aws:sns:eu-west-1:123456789012:aggwatch-chat',
    reportBucket: 'aggwatch-reports.example',
    aggregatorConcurrency: 7,
    reconcileConcurrency: 12,
  };
  const { aggregators: _a, staleAfterHours: _s, eventBusName: _e, chatTopicArn: _c, reportBucket: _r, ...rest } = full;
  const minimal: MonitorSettings = { ...rest, securityHubFindings: false };

  it.each<[string, MonitorSettings]>([
    ['with aggregators and staleAfterHours', full],
    ['without aggregators and staleAfterHours', minimal],
  ])('round-trips through the environment %s', (_what, settings) => {
    // Prepare
    const env = settingsToEnvironment(settings);

    // Act
    const back = settingsFromEnvironment(env);

    // Assess
    expect(back).toStrictEqual(settings);
  });

  it('writes the environment the construct gives the function', () => {
    // Prepare
    const settings = minimal;

    // Act
    const env = settingsToEnvironment(settings);

    // Assess
    expect(env).toStrictEqual({
      AGGREGATORS: '',
      TABLE_NAME: 'aggwatch-history',
      TOPIC_ARN: TOPIC,
      ALERT_STATUSES: 'FAILED,OUTDATED',
      REMIND_AFTER_HOURS: '6',
      NOTIFY_RECOVERIES: 'false',
      FULL_SWEEP_HOURS: '2',
      HISTORY_RETENTION_DAYS: '30',
      SMS_NOTICES: 'failure,recovery',
      SECURITY_HUB_FINDINGS: 'false',
      AGGREGATOR_CONCURRENCY: '7',
      RECONCILE_CONCURRENCY: '12',
    });
  });
});
