import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { FILTER_POLICIES, TOPIC_DISPLAY_NAME, type DeliveryFormat } from '../../core/digest';
import type { ResolvedProps } from './props';

export interface MonitorNotifications {
  /** The notices: every digest published once per format (email, json, sms), each with a `format` attribute. */
  readonly topic: sns.ITopic;
  /** The key the topic is encrypted with; undefined when an existing topic is used. */
  readonly key?: kms.Key;
  /** The monitor's own alarms (ALARM and OK), with every e-mail address and phone number subscribed unfiltered. */
  readonly alarmTopic: sns.Topic;
}

/**
 * The notices topic (a new one, encrypted with the monitor's key, or the given one) and the alarm topic, with the
 * e-mail and SMS subscriptions to both.
 *
 * Two topics because SNS delivers by documented behaviour only this way: the function publishes with String
 * structure and message attributes, and each subscription the stack creates takes one format by a filter policy
 * (`{"format":["email"]}`, `{"format":["sms"]}`; Amazon SNS Developer Guide, subscription filter policies, message
 * attribute-based filtering). CloudWatch's alarm notifications carry no message attributes, and a filter policy
 * does not match a message without attributes ("exists": false "only matches if at least one attribute is
 * present", same guide), so alarms go to a topic of their own whose subscriptions have no filter.
 */
export function createNotifications(scope: Construct, props: ResolvedProps, key: kms.Key): MonitorNotifications {
  // Alarms publish to an encrypted topic as CloudWatch, which needs the key too (Amazon SNS Developer Guide, Key
  // management: enable compatibility between event sources from AWS services and encrypted topics). AWS does not
  // document that CloudWatch's KMS requests carry aws:SourceArn, so this statement has no condition; the alarm
  // topic's policy limits which alarms can publish.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  );
  const alarmTopic = new sns.Topic(scope, 'AlarmTopic', {
    displayName: TOPIC_DISPLAY_NAME,
    masterKey: key,
    enforceSSL: true,
  });
  allowThisAccountsAlarms(scope, alarmTopic);

  const existing = props.existingTopic;
  // An ARN is imported with the id the created topic has, so that its subscriptions keep their logical ids.
  const topic =
    existing === undefined
      ? new sns.Topic(scope, 'Topic', { displayName: TOPIC_DISPLAY_NAME, masterKey: key, enforceSSL: true })
      : 'topic' in existing
        ? existing.topic
        : sns.Topic.fromTopicArn(scope, 'Topic', existing.arn);
  const only = (format: DeliveryFormat) => ({
    format: sns.SubscriptionFilter.stringFilter({ allowlist: [...FILTER_POLICIES[format].format] }),
  });
  for (const email of props.emails) {
    topic.addSubscription(new subscriptions.EmailSubscription(email, { filterPolicy: only('email') }));
    alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));
  }
  for (const phone of props.phones) {
    topic.addSubscription(new subscriptions.SmsSubscription(phone, { filterPolicy: only('sms') }));
    alarmTopic.addSubscription(new subscriptions.SmsSubscription(phone));
  }
  return { topic, ...(existing === undefined ? { key } : {}), alarmTopic };
}

/**
 * A topic policy replaces SNS's default one (which lets the owning account publish): CloudWatch publishes an alarm's
 * notification as cloudwatch.amazonaws.com, not with a role of this account, so without this statement every alarm
 * action fails ("no resource-based policy allows the SNS:Publish action"). Limited to this account's alarms, by the
 * keys CloudWatch sets on its requests (Amazon SNS Developer Guide, access policy use cases: aws:SourceAccount and
 * aws:SourceArn).
 */
function allowThisAccountsAlarms(scope: Construct, topic: sns.Topic): void {
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
}
