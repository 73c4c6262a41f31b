/**
 * The stack as `npx cdk synth -c aggregators=org-aggregator -c emails=ops@example.com -c smsNumbers=+15555550100`
 * builds it: the notices topic, the alarm topic and the roles of the function, the dispatcher and the state machine.
 */
import { ArnFormat } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { HANDLER_TABLE_ACTIONS } from '../../adapters/store/table-schema';
import { CONFIG_ACTIONS } from '../../lib/config-aggregator-monitor';
import type { MonitorStack } from '../../lib/monitor-stack';
import { STATE_MACHINE_STAR_ACTIONS } from '../../lib/monitor/workflow';
import {
  actionsOf,
  arnOf,
  logicalId,
  ref,
  roleStatements,
  README_CONTEXT,
  synthStack,
  type Synthesized,
} from './support';

let s: Synthesized<MonitorStack>;
let m: MonitorStack['monitor'];

beforeAll(() => {
  s = synthStack(README_CONTEXT);
  m = s.subject.monitor;
});

/** The statement `enforceSSL` puts in a topic's policy: no Publish over plain HTTP. */
const tlsOnly = (topic: unknown) => ({
  Sid: 'AllowPublishThroughSSLOnly',
  Effect: 'Deny',
  Action: 'sns:Publish',
  Principal: '*',
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  Resource: topic,
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

  it('refuses publishing without TLS', () => {
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [ref(m.topic)],
      PolicyDocument: {
        Statement: [
          tlsOnly(ref(m.topic)),
        ],
      },
    });
  });

  it('subscribes the e-mail address and the phone number, each to its own format', () => {
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: ref(m.topic),
      FilterPolicy: { format: ['email'] },
    });
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sms',
      Endpoint: '+15555550100',
      TopicArn: ref(m.topic),
      FilterPolicy: { format: ['sms'] },
    });
  });
});

describe('alarm topic', () => {
  it('is encrypted with the monitor key, refuses publishing without TLS, and lets only this account\'s alarms publish as CloudWatch', () => {
    s.template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(m.key), 'Arn'] },
      DisplayName: 'Config aggregator watch',
    });
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [ref(m.alarmTopic)],
      PolicyDocument: {
        Statement: [
          tlsOnly(ref(m.alarmTopic)),
          {
            Sid: 'AllowThisAccountsAlarmsToPublish',
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': s.stack.resolve(s.stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })) },
            },
            Resource: ref(m.alarmTopic),
          },
        ],
      },
    });
  });

  it('has the e-mail address and the phone number subscribed with no filter: alarm notifications carry no attributes', () => {
    for (const [protocol, endpoint] of [['email', 'ops@example.com'], ['sms', '+15555550100']]) {
      s.template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: protocol,
        Endpoint: endpoint,
        TopicArn: ref(m.alarmTopic),
        FilterPolicy: Match.absent(),
      });
    }
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
        Action: 'events:PutEvents',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':event-bus/default']] },
      },
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

/** The statement letting a role use the monitor key through CloudWatch Logs, for its own log group only. */
const logsKey = (logGroupLogicalId: string) => ({
  Effect: 'Allow',
  Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
  Resource: arnOf(m.key),
  Condition: {
    StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } },
    ArnEquals: {
      'kms:EncryptionContext:aws:logs:arn': {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:', { Ref: logGroupLogicalId }]],
      },
    },
  },
});

describe('dispatcher role', () => {
  it('is assumed by Lambda only and has no managed policies', () => {
    const role = s.template.findResources('AWS::IAM::Role')[logicalId(m.dispatcherRole)];
    expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('has exactly these statements: this state machine, its executions, PutItem, its log group and the dead-letter queue', () => {
    // Arrange
    const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    const logGroup = logicalId(m.dispatcher.node.scope!.node.findChild('DispatcherLogGroup'));
    const executions = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':execution:', { 'Fn::GetAtt': [logicalId(m.stateMachine), 'Name'] }, ':*'],
      ],
    };
    const expected = [
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] } },
      logsKey(logGroup),
      { Effect: 'Allow', Action: ['states:ListExecutions', 'states:StartExecution'], Resource: ref(m.stateMachine) },
      { Effect: 'Allow', Action: 'states:DescribeExecution', Resource: executions },
      { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: arnOf(m.table) },
      { Effect: 'Allow', Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], Resource: arnOf(m.dlq) },
    ];
    // Act
    const statements = roleStatements(s.template, logicalId(m.dispatcherRole));
    // Assert
    expect(statements.sort(byJson)).toEqual(expected.sort(byJson));
  });
});

describe('state machine role', () => {
  const roleId = () => logicalId(m.node.findChild('StateMachineRole'));

  it('is assumed by Step Functions only, has no managed policies, and is the state machine\'s', () => {
    const role = s.template.findResources('AWS::IAM::Role')[roleId()];
    expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' } },
    ]);
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    s.template.hasResourceProperties('AWS::StepFunctions::StateMachine', { RoleArn: { 'Fn::GetAtt': [roleId(), 'Arn'] } });
  });

  it('may invoke the function (unqualified: no version or alias), deliver its logs and traces, and nothing else', () => {
    expect(roleStatements(s.template, roleId())).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: arnOf(m.function) },
      { Effect: 'Allow', Action: [...STATE_MACHINE_STAR_ACTIONS].sort(), Resource: '*' },
    ]);
  });
});
