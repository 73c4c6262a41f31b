import { Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/**
 * Acknowledges the cdk-nag (v3, CDK policy validation) findings that are deliberate, each on the narrowest
 * construct and finding, with the reason.
 */
export function acknowledgeNagFindings(parts: {
  readonly table: dynamodb.Table;
  readonly role: iam.Role;
  readonly dispatcherRole: iam.Role;
  readonly stateMachine: sfn.StateMachine;
  readonly stateMachineRole: iam.Role;
  /** The topic's key, when the construct encrypts a topic of its own. */
  readonly topicKey?: kms.Key;
  readonly dlq: sqs.Queue;
  /** No aggregators are configured: the function discovers them. */
  readonly discovers: boolean;
  /** The function's subnets, when it runs in a VPC. */
  readonly subnetIds?: readonly string[];
}): void {
  const tableLogicalId = Stack.of(parts.table).resolve((parts.table.node.defaultChild as dynamodb.CfnTable).logicalId);
  const configArn = 'arn:<AWS::Partition>:config:<AWS::Region>:<AWS::AccountId>:config-aggregator/*';
  const policy = Validations.of(parts.role);
  policy.acknowledge({
    id: `AwsSolutions-IAM5[Resource::${configArn}]`,
    reason:
      'Config aggregator ARNs end in a random suffix (config-aggregator/config-aggregator-xxxxxxxx), not the ' +
      'aggregator name, so they cannot be scoped by name; the statement is limited to this account and region ' +
      'and to the read-only DescribeConfigurationAggregatorSourcesStatus.',
  });
  policy.acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${String(tableLogicalId)}.Arn>/index/*]`,
    reason:
      "Queries use the table's attention (LSI) and transitions (GSI) indexes; index/* covers only this table's " +
      'indexes, and only dynamodb:Query is granted on them.',
  });
  // Actions without resource type in the Service Authorization Reference: only "*" allows them.
  const onStar = [
    ...(parts.discovers ? ['config:DescribeConfigurationAggregators (when no aggregators are configured)'] : []),
    ...(parts.subnetIds ? ['ec2:DescribeNetworkInterfaces (in a VPC, for Lambda to manage its interfaces)'] : []),
  ];
  if (onStar.length > 0) {
    policy.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        `Granted on "*", which the Service Authorization Reference requires of actions without a resource type: ` +
        `${onStar.join('; ')}. No other action is granted on "*".`,
    });
  }
  for (const role of [parts.role, parts.dispatcherRole]) {
    const roleNag = Validations.of(role);
    if (parts.subnetIds) {
      roleNag.acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]',
        reason:
          'Lambda creates and deletes the interfaces of the function with its execution role; their ids are not ' +
          'known in advance. Limited to the interface actions the Lambda Developer Guide lists, in this account and ' +
          'region; CreateNetworkInterface is also limited to the function\'s subnets and security group.',
      });
      for (const id of parts.subnetIds) {
        roleNag.acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:*:subnet/${nagRendering(Stack.of(role), id)}]`,
          reason:
            'The account of a subnet ARN is the VPC owner\'s, which differs from this account for a subnet shared ' +
            'through AWS RAM; the subnet id itself is unique.',
        });
      }
    }
  }
  if (parts.topicKey) {
    policy.acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        'Publishing to a KMS-encrypted SNS topic needs kms:GenerateDataKey* (with and without plaintext); the ' +
        "grant is on this topic's key only.",
    });
  }
  if (parts.subnetIds) {
    Validations.of(parts.dispatcherRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Granted on "*", which the Service Authorization Reference requires of actions without a resource type: ' +
        'ec2:DescribeNetworkInterfaces (in a VPC, for Lambda to manage its interfaces). No other action is granted on "*".',
    });
  }
  const stack = Stack.of(parts.stateMachine);
  const stateMachineName = nagRendering(stack, parts.stateMachine.stateMachineName);
  Validations.of(parts.dispatcherRole).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${stateMachineName}:*]`,
    reason:
      "states:DescribeExecution takes the execution resource type; executions are named after their scheduled " +
      "tick, so they are not known in advance. Limited to this state machine's executions and to DescribeExecution.",
  });
  Validations.of(parts.stateMachineRole).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Granted on "*", which the Service Authorization Reference requires of actions without a resource type: the ' +
      'CloudWatch Logs log-delivery actions Step Functions logging needs (logs:CreateLogDelivery, GetLogDelivery, ' +
      'UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, ' +
      'DescribeLogGroups) and the X-Ray tracing actions (xray:PutTraceSegments, PutTelemetryRecords, ' +
      'GetSamplingRules, GetSamplingTargets). The role invokes nothing but the monitor\'s function.',
  });
  Validations.of(parts.stateMachine).acknowledge({
    id: 'AwsSolutions-SF1',
    reason:
      'Logs errors (level ERROR, without execution data) rather than ALL: the execution history already keeps ' +
      'every event of an execution, with its input and output, for 90 days after it closes (Step Functions ' +
      'quotas), and logging every state of every run would copy aggregator names and counts into a second place.',
  });
  Validations.of(parts.dlq).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      "This queue is itself the dead-letter queue (the dispatcher's on-failure destination and the schedule " +
      "target's DLQ), and it is alarmed; a dead-letter queue for it would never be read.",
  });
}

/** A value as cdk-nag prints it in a finding id: a reference as <LogicalId> or <LogicalId.Attribute>. */
function nagRendering(stack: Stack, value: string): string {
  const resolved = stack.resolve(value) as unknown;
  if (typeof resolved === 'string') return resolved;
  const ref = resolved as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  if (ref.Ref !== undefined) return `<${ref.Ref}>`;
  if (ref['Fn::GetAtt'] !== undefined) return `<${ref['Fn::GetAtt'].join('.')}>`;
  return JSON.stringify(resolved);
}
