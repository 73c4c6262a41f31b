import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { ResolvedProps } from './props';

export interface MonitorNotifications {
  readonly topic: sns.ITopic;
  /** The topic's key; undefined when an existing topic is used. */
  readonly key?: kms.Key;
}

/** The alert topic (a new one, encrypted with its own key, or the given one) and its e-mail and SMS subscriptions. */
export function createNotifications(scope: Construct, props: ResolvedProps): MonitorNotifications {
  let notifications: MonitorNotifications;
  if (props.existingTopicArn === undefined) {
    const key = new kms.Key(scope, 'Key', {
      description: 'Encrypts the config-aggregator-watch alert topic',
      enableKeyRotation: true,
      // The key protects messages in flight only; nothing outlives the topic that needs it.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Alarms publish to the encrypted topic as CloudWatch, which needs the key too.
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
    notifications = { topic, key };
  } else {
    notifications = { topic: sns.Topic.fromTopicArn(scope, 'Topic', props.existingTopicArn) };
  }
  for (const email of props.emails) notifications.topic.addSubscription(new subscriptions.EmailSubscription(email));
  for (const phone of props.phones) notifications.topic.addSubscription(new subscriptions.SmsSubscription(phone));
  return notifications;
}
