/**
 * The deployed stack's interface, shared by the CDK app and the CLI without pulling the CDK into the CLI:
 * the default stack name and the output keys (the CLI reads `TableName`), which never change name.
 */
export const DEFAULT_STACK_NAME = 'ConfigAggregatorWatch';

export const OUTPUTS = {
  tableName: 'TableName',
  topicArn: 'TopicArn',
  alarmTopicArn: 'AlarmTopicArn',
  functionName: 'FunctionName',
  dispatcherName: 'DispatcherName',
  stateMachineArn: 'StateMachineArn',
  dashboardUrl: 'DashboardUrl',
} as const;
