/**
 * The construct's variants and the validation of its props. Bundling is skipped here (monitor-stack.test.ts
 * bundles).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AlertableStatus } from '../../core/model';
import { ENV, SettingsError } from '../../core/settings';
import { monitorPropsFromContext } from '../../lib/context-settings';
import { TELEMETRY } from '../../core/telemetry';
import {
  ConfigAggregatorMonitor,
  type ConfigAggregatorMonitorProps,
} from '../../lib/config-aggregator-monitor';
import {
  NO_BUNDLING,
  acknowledgments,
  actionsOf,
  logicalId,
  nagViolations,
  ref,
  roleStatements,
  synthMonitor,
  type Synthesized,
} from './support';

const EXISTING_TOPIC = 'arn:aws:sns:us-east-1:123456789012:existing-alerts';

describe('with an existing topic', () => {
  let s: Synthesized<ConfigAggregatorMonitor>;
  beforeAll(() => {
    s = synthMonitor({
      aggregators: ['org-aggregator'],
      topicArn: EXISTING_TOPIC,
      emails: ['ops@example.com'],
      smsNumbers: ['+15555550100'],
    });
  });

  it('creates no notices topic, only the alarm topic, encrypted with the monitor key', () => {
    const topics = s.template.findResources('AWS::SNS::Topic');
    expect(Object.keys(topics)).toEqual([logicalId(s.subject.alarmTopic)]);
    s.template.resourceCountIs('AWS::KMS::Key', 1);
    s.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(s.subject.key), 'Arn'] } });
    s.template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [logicalId(s.subject.key), 'Arn'] } });
    expect(s.subject.topic.topicArn).toBe(EXISTING_TOPIC);
  });

  it('publishes to it, and only to it', () => {
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.topicArn]: EXISTING_TOPIC }) },
    });
    const statements = roleStatements(s.template, logicalId(s.subject.role));
    const publish = statements.filter((st) => actionsOf(st).some((a) => a.startsWith('sns:')));
    expect(publish).toEqual([{ Effect: 'Allow', Action: 'sns:Publish', Resource: EXISTING_TOPIC }]);
    // The only key use is the log group's, through CloudWatch Logs.
    const kms = statements.filter((st) => actionsOf(st).some((a) => a.startsWith('kms:')));
    expect(kms.map((st) => Object.keys((st.Condition ?? {}) as object))).toEqual([['StringEquals', 'ArnEquals']]);
  });

  it('subscribes the e-mail address and the phone number to it, each to its format, and to the alarm topic unfiltered', () => {
    s.template.resourceCountIs('AWS::SNS::Subscription', 4);
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: EXISTING_TOPIC,
      FilterPolicy: { format: ['email'] },
    });
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sms',
      Endpoint: '+15555550100',
      TopicArn: EXISTING_TOPIC,
      FilterPolicy: { format: ['sms'] },
    });
    for (const [protocol, endpoint] of [['email', 'ops@example.com'], ['sms', '+15555550100']]) {
      s.template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: protocol,
        Endpoint: endpoint,
        TopicArn: { Ref: logicalId(s.subject.alarmTopic) },
        FilterPolicy: Match.absent(),
      });
    }
  });

  it('sends every alarm to the alarm topic, not to the existing topic', () => {
    const alarms = Object.values(s.template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(5);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: logicalId(s.subject.alarmTopic) }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: logicalId(s.subject.alarmTopic) }]);
    }
  });

  it('passes cdk-nag without the key acknowledgment', () => {
    expect(nagViolations(s.app)).toEqual([]);
    expect(acknowledgments(s.app).map((a) => a.id)).not.toContain('AwsSolutions-IAM5[Action::kms:GenerateDataKey*]');
  });
});

describe('an existing topic given as a token', () => {
  it('is taken as it is (only CloudFormation can check it)', () => {
    const app = new App({ context: NO_BUNDLING });
    const stack = new Stack(app, 'TestStack');
    const topic = new sns.Topic(stack, 'Shared');
    const monitor = new ConfigAggregatorMonitor(stack, 'Monitor', { topicArn: topic.topicArn });
    expect(stack.resolve(monitor.topic.topicArn)).toEqual({ Ref: logicalId(topic) });
  });
});

describe('with no aggregators (discovery)', () => {
  let s: Synthesized<ConfigAggregatorMonitor>;
  beforeAll(() => {
    s = synthMonitor({});
  });

  it('passes an empty AGGREGATORS so the function discovers them at run time', () => {
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.aggregators]: '' }) },
    });
  });

  it('treats an empty list the same way', () => {
    const empty = synthMonitor({ aggregators: [] });
    empty.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.aggregators]: '' }) },
    });
  });

  it('may read every aggregator of the account and region', () => {
    const statements = roleStatements(s.template, logicalId(s.subject.role));
    const config = statements.filter((st) => actionsOf(st).some((a) => a.startsWith('config:')));
    expect(config).toEqual([
      {
        Effect: 'Allow',
        Action: 'config:DescribeConfigurationAggregatorSourcesStatus',
        Resource: s.stack.resolve(
          s.stack.formatArn({ service: 'config', resource: 'config-aggregator', resourceName: '*' }),
        ),
      },
      // No resource type in the Service Authorization Reference: only "*" allows it.
      { Effect: 'Allow', Action: 'config:DescribeConfigurationAggregators', Resource: '*' },
    ]);
  });

  it('creates no subscriptions', () => {
    s.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('passes cdk-nag', () => {
    expect(nagViolations(s.app)).toEqual([]);
  });
});

describe('with every setting changed', () => {
  let s: Synthesized<ConfigAggregatorMonitor>;
  beforeAll(() => {
    s = synthMonitor({
      aggregators: ['one', 'two'],
      schedule: 'cron(0 8,20 * * ? *)',
      historyRetentionDays: 30,
      alertStatuses: ['FAILED', 'OUTDATED'],
      remindAfterHours: 6,
      notifyRecoveries: false,
      staleAfterHours: 48,
      fullSweepHours: 2,
      logRetention: logs.RetentionDays.ONE_MONTH,
      reserveConcurrency: false,
    });
  });

  it('passes every setting to the function', () => {
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.aggregators]: 'one,two',
          [ENV.alertStatuses]: 'FAILED,OUTDATED',
          [ENV.remindAfterHours]: '6',
          [ENV.notifyRecoveries]: 'false',
          [ENV.staleAfterHours]: '48',
          [ENV.fullSweepHours]: '2',
          [ENV.historyRetentionDays]: '30',
        }),
      },
    });
  });

  it('does not reserve concurrency when told not to', () => {
    s.template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: Match.absent() });
  });

  it('keeps logs as long as asked', () => {
    s.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('runs on the cron schedule and sizes the no-run alarm to its longest gap (12 hours)', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 8,20 * * ? *)' });
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: TELEMETRY.metrics.successfulRuns,
      Period: 12 * 3600,
      EvaluationPeriods: 2,
    });
  });
});

describe('the schedule sizes the alarms and the dashboard', () => {
  it('rate(5 minutes): 5-minute periods', () => {
    const s = synthMonitor({ schedule: 'rate(5 minutes)' });
    for (const metric of [TELEMETRY.metrics.successfulRuns, TELEMETRY.metrics.failedSources]) {
      s.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: metric, Period: 300 });
    }
    const body = JSON.stringify(Object.values(s.template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    expect(body).toContain("'Maximum', 300)");
  });

  it('rate(2 days): capped so that two periods fit in a day', () => {
    const s = synthMonitor({ schedule: 'rate(2 days)' });
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: TELEMETRY.metrics.successfulRuns,
      Period: 43_200,
    });
  });
});

describe('props validation', () => {
  // Every prop, one bad value each: a SettingsError naming the prop, the value and what is allowed.
  it.each<[keyof ConfigAggregatorMonitorProps, unknown, unknown, RegExp]>([
    ['aggregators', ['good', 'bad name!'], 'bad name!', /aggregator names/],
    ['aggregators', ['a'.repeat(257)], 'a'.repeat(257), /1 to 256/],
    ['emails', ['ops@example'], 'ops@example', /e-mail addresses/],
    ['smsNumbers', ['+0123'], '+0123', /E\.164/],
    ['schedule', 'rate(1 hours)', 'rate(1 hours)', /rate\(N unit\)/],
    ['schedule', 'cron(0 12 * * *)', 'cron(0 12 * * *)', /exactly 6 fields/],
    ['historyRetentionDays', 0, 0, /whole number from 1 to 36500/],
    ['historyRetentionDays', 36_501, 36_501, /whole number from 1 to 36500/],
    ['alertStatuses', ['FAILED', 'SUCCEEDED'], 'SUCCEEDED', /FAILED, OUTDATED/],
    ['alertStatuses', [], [], /one or more of/],
    ['remindAfterHours', 1.5, 1.5, /whole number/],
    ['notifyRecoveries', 'yes', 'yes', /true or false/],
    ['staleAfterHours', -1, -1, /whole number/],
    ['fullSweepHours', 0, 0, /whole number/],
    ['topicArn', 'arn:aws:sns:us-east-1:123:alerts', 'arn:aws:sns:us-east-1:123:alerts', /SNS topic ARN/],
    ['logRetention', 42, 42, /one of 1, 3, 5/],
    ['reserveConcurrency', 'no', 'no', /true or false/],
  ])('rejects %s = %j', (key, value, reported, allowed) => {
    const stack = new Stack(new App({ context: NO_BUNDLING }), 'TestStack');
    let error: unknown;
    try {
      new ConfigAggregatorMonitor(stack, 'Monitor', { [key]: value } as ConfigAggregatorMonitorProps);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const settingsError = error as SettingsError;
    expect(settingsError.key).toBe(key);
    expect(settingsError.value).toEqual(reported);
    expect(settingsError.allowed).toMatch(allowed);
    expect(settingsError.message).toMatch(new RegExp(`^Invalid ${key}: `));
  });

  it('accepts lower-case statuses and trims list items', () => {
    const s = synthMonitor({
      alertStatuses: ['outdated' as AlertableStatus],
      aggregators: [' spaced '],
      emails: [' ops@example.com '],
    });
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.alertStatuses]: 'OUTDATED', [ENV.aggregators]: 'spaced' }) },
    });
    s.template.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'ops@example.com' });
  });
});

describe('cdk-nag check itself', () => {
  it('does report findings (so a clean report means something)', () => {
    const app = new App();
    new sqs.Queue(new Stack(app, 'Bare'), 'Queue');
    expect(nagViolations(app)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^error AwsSolutions-SQS4 /)]),
    );
  });
});

describe('public members', () => {
  it('expose the resources it creates', () => {
    const { subject: m, template } = synthMonitor({});
    for (const construct of [m.table, m.topic, m.function, m.role, m.logGroup, m.dlq, m.rule, m.dashboard, m.key!]) {
      expect(Object.keys(template.toJSON().Resources)).toContain(logicalId(construct));
    }
    expect(ref(m.table)).toEqual({ Ref: logicalId(m.table) });
  });
});

describe('smsNotices', () => {
  it('tells the function which notice kinds go by SMS; the default is new failures and monitor errors', () => {
    const chosen = synthMonitor({ aggregators: ['a'], smsNotices: ['Recovery', 'failure'] });
    chosen.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.smsNotices]: 'recovery,failure' }) },
    });
    synthMonitor({ aggregators: ['a'] }).template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.smsNotices]: 'failure,monitor-error' }) },
    });
  });

  it('refuses a kind that is not a notice, naming it and the kinds allowed', () => {
    expect(() => synthMonitor({ smsNotices: ['failure', 'digest'] })).toThrow(
      new SettingsError('smsNotices', 'digest', 'one or more of failure, reminder, recovery, monitor-error'),
    );
  });

  it('is read from the context like every other setting', () => {
    expect(monitorPropsFromContext({ smsNotices: 'failure, reminder' })).toEqual({ smsNotices: ['failure', 'reminder'] });
  });
});
