/**
 * The deployed stack's logical ids, pinned: a construct id that changes makes CloudFormation replace the resource
 * (the table is retained and deletion-protected, so a new, empty one would appear beside it). Resources may be
 * added; none of these may be renamed, retyped or dropped, except those in RETIRED, each with why.
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
  MonitorSchedule8012EAAD: 'AWS::Events::Rule',
  MonitorNoSuccessfulRunAlarm7003A5ED: 'AWS::CloudWatch::Alarm',
  MonitorFailedSourcesAlarm4A04CD5E: 'AWS::CloudWatch::Alarm',
  MonitorDeadLetterQueueAlarm0097D3D1: 'AWS::CloudWatch::Alarm',
  MonitorDashboardEBC49162: 'AWS::CloudWatch::Dashboard',
  // Added with the run's state machine (issue 13).
  MonitorStateMachine4955146F: 'AWS::StepFunctions::StateMachine',
  MonitorStateMachineRole1B62103C: 'AWS::IAM::Role',
  MonitorStateMachineRoleDefaultPolicy27ECDD93: 'AWS::IAM::Policy',
  MonitorStateMachineLogGroup7263338A: 'AWS::Logs::LogGroup',
  MonitorDispatcher452A8002: 'AWS::Lambda::Function',
  MonitorDispatcherEventInvokeConfig0AEC2A67: 'AWS::Lambda::EventInvokeConfig',
  MonitorDispatcherRole2D5C4092: 'AWS::IAM::Role',
  MonitorDispatcherRoleDefaultPolicy9B8254B2: 'AWS::IAM::Policy',
  MonitorDispatcherLogGroup8AB60D76: 'AWS::Logs::LogGroup',
  MonitorScheduleAllowEventRuleConfigAggregatorWatchMonitorDispatcherA83677C45F3CE0ED: 'AWS::Lambda::Permission',
  MonitorExecutionsFailedAlarm95E20DF3: 'AWS::CloudWatch::Alarm',
  MonitorRunOutlastedScheduleAlarm25BEE0A7: 'AWS::CloudWatch::Alarm',
} as const;

/**
 * Dropped when the schedule moved to the dispatcher (docs/decisions/engine.md, "Migration of a deployed stack"),
 * none holding data: CloudFormation deletes them in the update's clean-up, after the rule targets the dispatcher.
 */
const RETIRED = {
  // Step Functions invokes the function synchronously: no asynchronous retries or destination (the dispatcher's now).
  MonitorFunctionEventInvokeConfig986892E1: 'AWS::Lambda::EventInvokeConfig',
  // The rule's permission to invoke the function: the rule invokes the dispatcher.
  MonitorScheduleAllowEventRuleConfigAggregatorWatchMonitorFunction9C7DFF85623594CE: 'AWS::Lambda::Permission',
  // The function-errors alarm: a killed, retried step is a function error but not a failed run; ExecutionsFailed.
  MonitorErrorsAlarm044FB601: 'AWS::CloudWatch::Alarm',
} as const;

describe('the stack keeps its logical ids', () => {
  it('every deployed resource keeps its logical id and type', () => {
    const { template } = synthStack({ aggregators: 'org' });
    const resources = template.toJSON().Resources as Record<string, { Type: string }>;
    const types = Object.fromEntries(Object.entries(resources).map(([id, r]) => [id, r.Type]));
    expect(types).toMatchObject(DEPLOYED);
    expect(Object.keys(types).filter((id) => id in RETIRED)).toEqual([]);
  });
});
