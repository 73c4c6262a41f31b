import { Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/**
 * Acknowledges the cdk-nag (v3, CDK policy validation) findings that are deliberate, each on the narrowest
 * construct and finding, with the reason.
 */
export function acknowledgeNagFindings(parts: {
  readonly table: dynamodb.Table;
  readonly role: iam.Role;
  /** The topic's key, when the construct encrypts a topic of its own. */
  readonly topicKey?: kms.Key;
  readonly dlq: sqs.Queue;
  /** No aggregators are configured: the function discovers them. */
  readonly discovers: boolean;
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
  ];
  if (onStar.length > 0) {
    policy.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        `Granted on "*", which the Service Authorization Reference requires of actions without a resource type: ` +
        `${onStar.join('; ')}. No other action is granted on "*".`,
    });
  }
  if (parts.topicKey) {
    policy.acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        'Publishing to a KMS-encrypted SNS topic needs kms:GenerateDataKey* (with and without plaintext); the ' +
        "grant is on this topic's key only.",
    });
  }
  Validations.of(parts.dlq).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      "This queue is itself the dead-letter queue (the function's on-failure destination and the schedule " +
      "target's DLQ), and it is alarmed; a dead-letter queue for it would never be read.",
  });
}
