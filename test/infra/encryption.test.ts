/**
 * The monitor's key: retained with the log group it encrypts, and its policy's statements for CloudWatch Logs and
 * against grants (CT.KMS.PR.3). test/infra/delivery.test.ts evaluates what the statements allow.
 */
import { ArnFormat } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, it } from 'vitest';
import { synthStack } from './support';

const s = synthStack({});

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

