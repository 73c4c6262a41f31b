import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { ResolvedProps } from './props';

export interface MonitorNotifications {
  readonly topic: sns.ITopic;
  /** The key the topic is encrypted with; undefined when an existing topic is used. */
  readonly key?: kms.Key;
}

/**
 * The alert topic (a new one, encrypted with the monitor's key, or the given one) and its e-mail and SMS
 * subscriptions. A new topic's policy lets this account's CloudWatch alarms publish to it.
 */
export function createNotifications(scope: Construct, props: ResolvedProps, key: kms.Key): MonitorNotifications {
  let notifications: MonitorNotifications;
  if (props.existingTopicArn === undefined) {
    // Alarms publish to the encrypted topic as CloudWatch, which needs the key too (Amazon SNS Developer Guide,
    // Key management: enable compatibility between event sources from AWS services and encrypted topics). AWS does
    // not document that CloudWatch's KMS requests carry aws:SourceArn, so this statement has no condition; the topic
    // policy below limits which alarms can publish.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    const topic = new sns.Topic(scope, 'Topic', {
      displayName: 'Config aggregator watch',
      masterKey: key,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default one (which lets the owning account publish): CloudWatch publishes an
    // alarm's notification as cloudwatch.amazonaws.com, not with a role of this account, so without this statement
    // every alarm action fails ("no resource-based policy allows the SNS:Publish action"). Limited to this
    // account's alarms, by the keys CloudWatch sets on its requests (Amazon SNS Developer Guide, access policy use
    // cases: aws:SourceAccount and aws:SourceArn).
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisAccountsAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': Stack.of(scope).formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    notifications = { topic, key };
  } else {
    notifications = { topic: sns.Topic.fromTopicArn(scope, 'Topic', props.existingTopicArn) };
  }
  for (const email of props.emails) notifications.topic.addSubscription(new subscriptions.EmailSubscription(email));
  for (const phone of props.phones) notifications.topic.addSubscription(new subscriptions.SmsSubscription(phone));
  return notifications;
}
