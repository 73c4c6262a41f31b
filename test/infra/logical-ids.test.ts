/**
 * The deployed stack's logical ids, pinned: a construct id that changes makes CloudFormation replace the resource
 * (the table is retained and deletion-protected, so a new, empty one would appear beside it). Resources may be
 * added; none of these may be renamed, retyped or dropped.
 */
import { describe, expect, it } from 'vitest';
import { synthStack } from './support';

const DEPLOYED = {
  MonitorTable589C0E27: 'AWS::DynamoDB::Table',
  MonitorKey4247C083: 'AWS::KMS::Key',
  MonitorTopic82068838: 'AWS::SNS::Topic',
  MonitorTopicPolicy3AD9C04A: 'AWS::SNS::TopicPolicy',
  MonitorDeadLetterQueue1D772ECF: 'AWS::SQS::Queue',
  MonitorDeadLetterQueuePolicy7DB17A6A: 'AWS::SQS::QueuePolicy',
  MonitorLogGroupE7672C83: 'AWS::Logs::LogGroup',
  MonitorRole6D26CBE9: 'AWS::IAM::Role',
  MonitorRoleDefaultPolicyF93FBA6D: 'AWS::IAM::Policy',
  MonitorFunction39E4128B: 'AWS::Lambda::Function',
  MonitorFunctionEventInvokeConfig986892E1: 'AWS::Lambda::EventInvokeConfig',
  MonitorSchedule8012EAAD: 'AWS::Events::Rule',
  MonitorScheduleAllowEventRuleConfigAggregatorWatchMonitorFunction9C7DFF85623594CE: 'AWS::Lambda::Permission',
  MonitorErrorsAlarm044FB601: 'AWS::CloudWatch::Alarm',
  MonitorNoSuccessfulRunAlarm7003A5ED: 'AWS::CloudWatch::Alarm',
  MonitorFailedSourcesAlarm4A04CD5E: 'AWS::CloudWatch::Alarm',
  MonitorDeadLetterQueueAlarm0097D3D1: 'AWS::CloudWatch::Alarm',
  MonitorDashboardEBC49162: 'AWS::CloudWatch::Dashboard',
} as const;

describe('the stack keeps its logical ids', () => {
  it('every deployed resource keeps its logical id and type', () => {
    const { template } = synthStack({ aggregators: 'org' });
    const resources = template.toJSON().Resources as Record<string, { Type: string }>;
    const types = Object.fromEntries(Object.entries(resources).map(([id, r]) => [id, r.Type]));
    expect(types).toMatchObject(DEPLOYED);
  });
});
