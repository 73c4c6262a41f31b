/**
 * The stack as `npx cdk synth -c aggregators=org-aggregator -c emails=ops@example.com -c smsNumbers=+15555550100`
 * builds it, bundling the functions for real: its resources, table, function, dispatcher, schedule and dead-letter
 * queue. The state machine's definition is test/infra/workflow.test.ts's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Token } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS, ENV, settingsToEnvironment } from '../../core/settings';
import { TELEMETRY } from '../../core/telemetry';
import { createTableInput } from '../../adapters/store/table-schema';
import type { MonitorStack } from '../../lib/monitor-stack';
import { README_CONTEXT, arnOf, logicalId, ref, synthStack, type Synthesized } from './support';

let s: Synthesized<MonitorStack>;
let assembly: CloudAssembly;
let m: MonitorStack['monitor'];

beforeAll(() => {
  s = synthStack(README_CONTEXT, { bundle: true });
  m = s.subject.monitor;
  assembly = s.app.synth();
});

/** The cdk.out directory of a function's asset. */
function assetDir(fn: IConstruct): string {
  const key = fnProps(fn)?.Code.S3Key as string;
  return join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
}

describe('resources', () => {
  it('creates exactly the expected resources', () => {
    const counts: Record<string, number> = {
      'AWS::DynamoDB::Table': 1,
      'AWS::Lambda::Function': 2,
      'AWS::Lambda::EventInvokeConfig': 1,
      'AWS::Logs::LogGroup': 3,
      'AWS::IAM::Role': 3,
      'AWS::IAM::Policy': 3,
      'AWS::StepFunctions::StateMachine': 1,
      'AWS::SQS::Queue': 1,
      'AWS::Events::Rule': 1,
      'AWS::KMS::Key': 1,
      'AWS::SNS::Topic': 2,
      'AWS::SNS::TopicPolicy': 2,
      'AWS::SNS::Subscription': 4,
      'AWS::CloudWatch::Alarm': 5,
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

const fnProps = (fn: IConstruct) => s.template.findResources('AWS::Lambda::Function')[logicalId(fn)]?.Properties;

describe('function', () => {
  it('runs Node.js 24 on arm64 with 512 MB, 15 minutes and as many reserved executions as the state machine runs at once', () => {
    expect(fnProps(m.function)).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 900,
      ReservedConcurrentExecutions: DEFAULTS.reconcileConcurrency,
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
        aggregatorConcurrency: DEFAULTS.aggregatorConcurrency,
        reconcileConcurrency: DEFAULTS.reconcileConcurrency,
        notifyRecoveries: DEFAULTS.notifyRecoveries,
        fullSweepHours: DEFAULTS.fullSweepHours,
        historyRetentionDays: DEFAULTS.historyRetentionDays,
        smsNotices: DEFAULTS.smsNotices,
        securityHubFindings: DEFAULTS.securityHubFindings,
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

  it('has no asynchronous-invocation settings: the state machine invokes it synchronously and retries it itself', () => {
    const configs = Object.values(s.template.findResources('AWS::Lambda::EventInvokeConfig'));
    expect(configs.map((c) => c.Properties.FunctionName)).toEqual([ref(m.dispatcher)]);
  });

  it('deploys a minified ESM bundle with the AWS SDK inside (locally built, no Docker)', () => {
    const dir = assetDir(m.function);
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

describe('dispatcher', () => {
  it('runs on the same runtime, small and short, with one reserved execution, in its own role and log group', () => {
    expect(fnProps(m.dispatcher)).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 60,
      ReservedConcurrentExecutions: 1,
      Handler: 'index.handler',
      Role: arnOf(m.dispatcherRole),
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.stringMatching(/^MonitorDispatcherLogGroup/) } },
    });
  });

  it('is told the state machine, the table and the history retention, and its metrics namespace', () => {
    expect(fnProps(m.dispatcher)?.Environment.Variables).toEqual({
      STATE_MACHINE_ARN: ref(m.stateMachine),
      [ENV.tableName]: ref(m.table),
      [ENV.historyRetentionDays]: String(DEFAULTS.historyRetentionDays),
      POWERTOOLS_SERVICE_NAME: TELEMETRY.service,
      POWERTOOLS_METRICS_NAMESPACE: TELEMETRY.namespace,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('retries a failed tick twice within one schedule period, then sends it to the dead-letter queue', () => {
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(m.dispatcher),
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 900,
      DestinationConfig: { OnFailure: { Destination: arnOf(m.dlq) } },
    });
  });

  it('deploys its own self-contained ESM bundle (locally built, no Docker)', () => {
    const dir = assetDir(m.dispatcher);
    const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(dir).not.toBe(assetDir(m.function));
    expect(bundle.startsWith("import{createRequire}from'node:module';")).toBe(true);
    const imported = [...bundle.matchAll(/(?:\bfrom|\bimport\()\s*"(@?[a-z][\w./-]*)"/g)].map((match) => match[1]);
    expect(imported.filter((specifier) => !specifier?.startsWith('node:'))).toEqual([]);
    expect(bundle).toMatch(/export\{[^}]*\bas handler\b|export\{handler\}/);
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(false);
  });
});

describe('schedule', () => {
  it('runs every 15 minutes, invoking the dispatcher, retrying twice within a period and dead-lettering to the queue', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [
        {
          Id: Match.anyValue(),
          Arn: arnOf(m.dispatcher),
          DeadLetterConfig: { Arn: arnOf(m.dlq) },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 900 },
        },
      ],
    });
  });

  it('may invoke the dispatcher, from this rule only, and nothing else', () => {
    const permissions = Object.values(s.template.findResources('AWS::Lambda::Permission')).map((p) => p.Properties);
    expect(permissions).toEqual([
      { Action: 'lambda:InvokeFunction', FunctionName: arnOf(m.dispatcher), Principal: 'events.amazonaws.com', SourceArn: arnOf(m.rule) },
    ]);
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
