import { ArnFormat, Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/**
 * The monitor's customer-managed key: it encrypts the alert topic (when the construct creates it) and the function's
 * log group. One key for both: the same administrators, one rotation, one monthly key charge; each service may use
 * it only as its key-policy statement says (the topic's side is added by notifications.ts, where the topic is).
 *
 * Retained with the stack: CloudWatch Logs "decrypts this data whenever it is requested", and "if you ... delete an
 * associated KMS key, your encrypted data in CloudWatch Logs can no longer be retrieved" (CloudWatch Logs User
 * Guide, Encrypt log data in CloudWatch Logs using AWS KMS). The log group outlives a deleted stack, so the key
 * must too.
 */
export function createMonitorKey(scope: Construct): kms.Key {
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, 'Key', {
    description: 'Encrypts the config-aggregator-watch alert topic and function log group',
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });

  // CT.KMS.PR.3: grants only for AWS resources or by AWS services; nothing here creates grants of its own.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyGrantsNotForAwsResources',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }),
  );

  // CloudWatch Logs encrypts the log group's data as its regional service principal, with the log group's ARN as
  // encryption context (CloudWatch Logs User Guide, Encrypt log data ... Step 2: Set permissions on the key). The
  // documented statement lists Encrypt*, Decrypt*, ReEncrypt*, GenerateDataKey* and Describe*; in a key policy these
  // cover exactly the key-scoped actions named here. The log group's own ARN cannot be named: the log group names
  // the key, so the key policy naming the log group would be a circular reference. The condition is limited to
  // log groups of this account and region.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsForThisAccountsLogGroups',
      principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.${Aws.URL_SUFFIX}`)],
      actions: [
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
        'kms:GenerateDataKey*',
        'kms:DescribeKey',
      ],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
  return key;
}
