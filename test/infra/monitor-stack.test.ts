/**
 * The stack as `npx cdk synth -c aggregators=org-aggregator -c emails=ops@example.com -c smsNumbers=+15555550100`
 * builds it, bundling the function for real.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArnFormat, Token } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS, ENV, settingsToEnvironment } from '../../core/settings';
import { TELEMETRY } from '../../core/telemetry';
import { HANDLER_TABLE_ACTIONS, createTableInput } from '../../adapters/store/table-schema';
import { CONFIG_ACTIONS } from '../../lib/config-aggregator-monitor';
import type { MonitorStack } from '../../lib/monitor-stack';
import { OUTPUTS } from '../../lib/monitor-stack';
import {
  acknowledgments,
  actionsOf,
  arnOf,
  logicalId,
  nagViolations,
  ref,
  roleStatements,
  synthStack,
  type Synthesized,
} from './support';

const CONTEXT = { aggregators: 'org-aggregator', emails: 'ops@example.com', smsNumbers: '+15555550100' };

let s: Synthesized<MonitorStack>;
let assembly: CloudAssembly;
let m: MonitorStack['monitor'];

beforeAll(() => {
  s = synthStack(CONTEXT, { bundle: true });
  m = s.subject.monitor;
  assembly = s.app.synth();
});

/** A dashboard body is a Fn::Join of JSON text and tokens: join it with each token replaced by `<logicalId>`. */
function dashboardBody(): { widgets: { type: string; properties: Record<string, unknown> }[] } {
  const dashboard = Object.values(s.template.findResources('AWS::CloudWatch::Dashboard'))[0];
  const parts = dashboard?.Properties.DashboardBody['Fn::Join'][1] as unknown[];
  const text = parts
    .map((p) => (typeof p === 'string' ? p : `<${JSON.stringify(p).replace(/"/g, "'")}>`))
    .join('');
  return JSON.parse(text);
}

describe('resources', () => {
  it('creates exactly the expected resources', () => {
    const counts: Record<string, number> = {
      'AWS::DynamoDB::Table': 1,
      'AWS::Lambda::Function': 1,
      'AWS::Lambda::EventInvokeConfig': 1,
      'AWS::Logs::LogGroup': 1,
      'AWS::IAM::Role': 1,
      'AWS::IAM::Policy': 1,
      'AWS::SQS::Queue': 1,
      'AWS::Events::Rule': 1,
      'AWS::KMS::Key': 1,
      'AWS::SNS::Topic': 1,
      'AWS::SNS::TopicPolicy': 1,
      'AWS::SNS::Subscription': 2,
      'AWS::CloudWatch::Alarm': 4,
      'AWS::CloudWatch::Dashboard': 1,
    };
    for (const [type, count] of Object.entries(counts)) s.template.resourceCountIs(type, count);
  });

  it('is environment-agnostic: no account, no region, no lookups', () => {
    expect(Token.isUnresolved(s.stack.account)).toBe(true);
    expect(Token.isUnresolved(s.stack.region)).toBe(true);
    expect(assembly.manifest.missing ?? []).toEqual([]);
  });
});

describe('table', () => {
  const schema = createTableInput('unused');

  it('has the keys and indexes of createTableInput()', () => {
    const sortByName = (defs: { AttributeName?: string }[] = []) =>
      [...defs].sort((a, b) => (a.AttributeName ?? '').localeCompare(b.AttributeName ?? ''));
    const table = Object.values(s.template.findResources('AWS::DynamoDB::Table'))[0];
    expect(sortByName(table?.Properties.AttributeDefinitions)).toEqual(sortByName(schema.AttributeDefinitions));
    expect(table?.Properties.KeySchema).toEqual(schema.KeySchema);
    expect(table?.Properties.LocalSecondaryIndexes).toEqual(schema.LocalSecondaryIndexes);
    expect(table?.Properties.GlobalSecondaryIndexes).toEqual(schema.GlobalSecondaryIndexes);
  });

  it('is on demand with point-in-time recovery, TTL and deletion protection, and is retained', () => {
    s.template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        BillingMode: schema.BillingMode,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        DeletionProtectionEnabled: true,
        ProvisionedThroughput: Match.absent(),
        // DynamoDB's AWS managed key (CT.DYNAMODB.PR.2).
        SSESpecification: { SSEEnabled: true },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('function', () => {
  it('runs Node.js 24 on arm64 with 512 MB, 15 minutes and one reserved execution', () => {
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 900,
      ReservedConcurrentExecutions: 1,
      Handler: 'index.handler',
      Role: arnOf(m.role),
    });
  });

  it('gets exactly the environment settingsToEnvironment() gives, plus the Powertools settings', () => {
    const expected: Record<string, unknown> = {
      ...settingsToEnvironment({
        aggregators: ['org-aggregator'],
        tableName: 'table',
        topicArn: 'topic',
        alertStatuses: DEFAULTS.alertStatuses,
        remindAfterHours: DEFAULTS.remindAfterHours,
        notifyRecoveries: DEFAULTS.notifyRecoveries,
        fullSweepHours: DEFAULTS.fullSweepHours,
        historyRetentionDays: DEFAULTS.historyRetentionDays,
      }),
      [ENV.tableName]: ref(m.table),
      [ENV.topicArn]: ref(m.topic),
      POWERTOOLS_SERVICE_NAME: TELEMETRY.service,
      POWERTOOLS_METRICS_NAMESPACE: TELEMETRY.namespace,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.exact(expected) },
    });
    expect(expected[ENV.staleAfterHours]).toBeUndefined();
  });

  it('logs JSON to its own log group, kept for a year, encrypted with the monitor\'s key and retained', () => {
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogFormat: 'JSON', LogGroup: ref(m.logGroup) },
    });
    s.template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365, KmsKeyId: arnOf(m.key) },
      DeletionPolicy: 'Retain',
    });
  });

  it('retries a failed run twice, then sends it to the dead-letter queue', () => {
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(m.function),
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: arnOf(m.dlq) } },
    });
  });

  it('deploys a minified ESM bundle with the AWS SDK inside (locally built, no Docker)', () => {
    const fn = Object.values(s.template.findResources('AWS::Lambda::Function'))[0];
    const key = fn?.Properties.Code.S3Key as string;
    const dir = join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
    const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(bundle.startsWith("import{createRequire}from'node:module';")).toBe(true);
    // Everything is inside but Node's own modules; the Config client is among what is inside.
    const imported = [...bundle.matchAll(/(?:\bfrom|\bimport\()\s*"(@?[a-z][\w./-]*)"/g)].map((match) => match[1]);
    expect(imported.filter((specifier) => !specifier?.startsWith('node:'))).toEqual([]);
    expect(bundle.includes('DescribeConfigurationAggregatorSourcesStatus')).toBe(true);
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(false);
    // Minified: long lines, not one statement per line.
    expect(bundle.split('\n').length).toBeLessThan(bundle.length / 200);
  });
});

describe('schedule', () => {
  it('runs every 15 minutes, retrying twice and dead-lettering to the queue', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [
        {
          Id: Match.anyValue(),
          Arn: arnOf(m.function),
          DeadLetterConfig: { Arn: arnOf(m.dlq) },
          RetryPolicy: { MaximumRetryAttempts: 2 },
        },
      ],
    });
  });

  it('may invoke the function, from this rule only', () => {
    s.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: arnOf(m.function),
      Principal: 'events.amazonaws.com',
      SourceArn: arnOf(m.rule),
    });
  });
});

describe('dead-letter queue', () => {
  it('is encrypted, keeps messages 14 days and declares itself a dead-letter queue', () => {
    s.template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
      RedriveAllowPolicy: { redrivePermission: 'allowAll' },
    });
  });

  it('refuses requests without TLS and takes messages from the schedule rule', () => {
    s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(m.dlq)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: arnOf(m.dlq),
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': arnOf(m.rule) } },
            Resource: arnOf(m.dlq),
          }),
        ]),
      },
    });
  });
});

describe('key', () => {
  it('is retained with the log group it encrypts', () => {
    s.template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('allows grants only for AWS resources (CT.KMS.PR.3) and CloudWatch Logs only for this account\'s log groups', () => {
    s.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'DenyGrantsNotForAwsResources',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'kms:CreateGrant',
            Resource: '*',
            Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
          },
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsForThisAccountsLogGroups',
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } },
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': s.stack.resolve(
                  s.stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
                ),
              },
            },
          }),
        ]),
      },
    });
  });
});

describe('topic', () => {
  it('is encrypted with a rotating customer-managed key that CloudWatch alarms may use', () => {
    s.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(m.key) });
    s.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
          },
        ]),
      },
    });
  });

  it('refuses publishing without TLS, and lets only this account\'s alarms publish as CloudWatch', () => {
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [ref(m.topic)],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'AllowPublishThroughSSLOnly',
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: ref(m.topic),
          },
          {
            Sid: 'AllowThisAccountsAlarmsToPublish',
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': s.stack.resolve(s.stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })) },
            },
            Resource: ref(m.topic),
          },
        ],
      },
    });
  });

  it('subscribes the e-mail address and the phone number', () => {
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: ref(m.topic),
    });
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sms',
      Endpoint: '+15555550100',
      TopicArn: ref(m.topic),
    });
  });
});

describe('function role', () => {
  it('is assumed by Lambda only and has no managed policies', () => {
    s.template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
        ],
      },
      ManagedPolicyArns: Match.absent(),
    });
  });

  it('has exactly these statements', () => {
    const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    const expected = [
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: arnOf(m.logGroup) },
      {
        Effect: 'Allow',
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        Resource: arnOf(m.dlq),
      },
      {
        Effect: 'Allow',
        Action: CONFIG_ACTIONS[0],
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':config:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':config-aggregator/*',
            ],
          ],
        },
      },
      { Effect: 'Allow', Action: [...HANDLER_TABLE_ACTIONS], Resource: arnOf(m.table) },
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: { 'Fn::Join': ['', [arnOf(m.table), '/index/*']] } },
      { Effect: 'Allow', Action: 'sns:Publish', Resource: ref(m.topic) },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: arnOf(m.key) },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: arnOf(m.key),
        Condition: {
          StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } },
          ArnEquals: {
            'kms:EncryptionContext:aws:logs:arn': s.stack.resolve(
              s.stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: m.logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
            ),
          },
        },
      },
    ];
    expect(CONFIG_ACTIONS).toEqual([
      'config:DescribeConfigurationAggregatorSourcesStatus',
      'config:DescribeConfigurationAggregators',
    ]);
    expect(roleStatements(s.template, logicalId(m.role)).sort(byJson)).toEqual(expected.sort(byJson));
  });

  it('grants no wildcard action and no resource *', () => {
    const statements = roleStatements(s.template, logicalId(m.role));
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    expect(actions).not.toContain('dynamodb:*');
    expect(statements.filter((st) => JSON.stringify(st.Resource) === '"*"')).toEqual([]);
    expect(statements.every((st) => st.Effect === 'Allow')).toBe(true);
  });
});

describe('alarms', () => {
  const topicActions = () => ({ AlarmActions: [ref(m.topic)], OKActions: [ref(m.topic)] });
  const service = [{ Name: TELEMETRY.dimensions.service, Value: TELEMETRY.service }];

  it('alarms on any function error', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: ref(m.function) }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      ...topicActions(),
    });
  });

  it('alarms when no run succeeded within two schedule periods, silence included', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: TELEMETRY.namespace,
      MetricName: TELEMETRY.metrics.successfulRuns,
      Dimensions: service,
      Statistic: 'Sum',
      Period: 900,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      ...topicActions(),
    });
  });

  it('alarms while any source is FAILED', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: TELEMETRY.namespace,
      MetricName: TELEMETRY.metrics.failedSources,
      Dimensions: service,
      Statistic: 'Maximum',
      Period: 900,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'ignore',
      ...topicActions(),
    });
  });

  it('alarms on any message in the dead-letter queue', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(m.dlq), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      ...topicActions(),
    });
  });

  it('exposes the four alarms, each notifying the topic', () => {
    expect(Object.keys(m.alarms).sort()).toEqual(['deadLetters', 'errors', 'failedSources', 'noSuccessfulRun']);
    const alarms = s.template.findResources('AWS::CloudWatch::Alarm');
    for (const alarm of Object.values(m.alarms)) {
      expect(alarms[logicalId(alarm)]?.Properties).toMatchObject(topicActions());
    }
  });
});

describe('dashboard', () => {
  it('graphs sources per status and aggregator with a SEARCH expression', () => {
    const search =
      `SEARCH('{${TELEMETRY.namespace},service,Aggregator,Status} ` +
      `MetricName="${TELEMETRY.metrics.sources}" service="${TELEMETRY.service}"', 'Maximum', 900)`;
    const widget = dashboardBody().widgets.find((w) => w.properties.title === 'Sources per status, per aggregator');
    expect(widget?.properties.metrics).toEqual([[{ expression: search, period: 900 }]]);
  });

  it('graphs runs, errors and duration from the function and the monitor metrics', () => {
    const fn = `<{'Ref':'${logicalId(m.function)}'}>`;
    const own = (metric: string) => [TELEMETRY.namespace, metric, 'service', TELEMETRY.service];
    const metrics = (title: string) =>
      (dashboardBody().widgets.find((w) => w.properties.title === title)?.properties.metrics as unknown[][]).map(
        (line) => line.slice(0, -1),
      );
    expect(metrics('Runs')).toEqual([
      own(TELEMETRY.metrics.successfulRuns),
      ['AWS/Lambda', 'Invocations', 'FunctionName', fn],
    ]);
    expect(metrics('Errors')).toEqual([
      ['AWS/Lambda', 'Errors', 'FunctionName', fn],
      own(TELEMETRY.metrics.aggregatorErrors),
    ]);
    expect(metrics('Duration (ms)')).toEqual([
      ['AWS/Lambda', 'Duration', 'FunctionName', fn],
      ['AWS/Lambda', 'Duration', 'FunctionName', fn],
      own(TELEMETRY.metrics.runDuration),
    ]);
    const stats = (dashboardBody().widgets.find((w) => w.properties.title === 'Duration (ms)')?.properties
      .metrics as { stat: string }[][]).map((line) => line[line.length - 1]?.stat);
    expect(stats).toEqual(['p50', 'Maximum', 'Maximum']);
  });

  it('shows the alarms', () => {
    const widget = dashboardBody().widgets.find((w) => w.type === 'alarm');
    expect(widget?.properties.alarms).toHaveLength(4);
  });
});

describe('outputs', () => {
  it('keeps its output keys stable', () => {
    expect(OUTPUTS).toEqual({
      tableName: 'TableName',
      topicArn: 'TopicArn',
      functionName: 'FunctionName',
      dashboardUrl: 'DashboardUrl',
    });
    expect(Object.keys(s.template.findOutputs('*')).sort()).toEqual(Object.values(OUTPUTS).sort());
  });

  it('outputs the table, topic and function names and the dashboard URL', () => {
    s.template.hasOutput('TableName', { Value: ref(m.table) });
    s.template.hasOutput('TopicArn', { Value: ref(m.topic) });
    s.template.hasOutput('FunctionName', { Value: ref(m.function) });
    s.template.hasOutput('DashboardUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            { Ref: 'AWS::Region' },
            '.console.aws.amazon.com/cloudwatch/home?region=',
            { Ref: 'AWS::Region' },
            '#dashboards/dashboard/',
            ref(m.dashboard),
          ],
        ],
      },
    });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no error and no warning', () => {
    expect(nagViolations(s.app)).toEqual([]);
  });

  it('acknowledges only the deliberate findings, each on its own construct, with a reason', () => {
    const found = acknowledgments(s.app);
    expect(found.map(({ path, id }) => ({ path, id })).sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { path: m.role.node.path, id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]' },
      {
        path: m.role.node.path,
        id: `AwsSolutions-IAM5[Resource::<${logicalId(m.table)}.Arn>/index/*]`,
      },
      {
        path: m.role.node.path,
        id:
          'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:config:<AWS::Region>:<AWS::AccountId>:' +
          'config-aggregator/*]',
      },
      { path: m.dlq.node.path, id: 'AwsSolutions-SQS3' },
    ]);
    for (const { reason } of found) expect(reason.length).toBeGreaterThan(60);
  });
});
