/**
 * The delivery contract: the formats a digest is published in, the message attributes each publication carries,
 * and the subscription filter policies that route one format to one kind of subscriber. The stack (lib/) applies
 * these policies; docs/notifications.md documents them; the fake SNS (tools/local/fake-sns.ts) enforces them.
 *
 * Every publication uses the String message structure: "Message attributes are sent only when the message
 * structure is String, not JSON" (Amazon SNS Developer Guide, Amazon SNS message attributes), and no page
 * documents filter policies evaluating a message published with MessageStructure json. So instead of one JSON
 * message with a version per protocol, each format is its own publication with a `format` attribute.
 *
 * A subscription with a filter policy only accepts a message that has the attributes the policy names (Developer
 * Guide, Amazon SNS subscription filter policies), and `"exists": false` "only matches if at least one attribute is
 * present" (Developer Guide, key matching). CloudWatch alarm notifications carry no message attributes, so no
 * filter policy can let them through: the alarms go to a topic of their own, whose subscriptions have no policy.
 */
import { SMS_MAX } from './limits';

export const DELIVERY_FORMATS = ['email', 'sms', 'json'] as const;
/** email: subject and plain text for people; sms: one segment; json: the versioned body for programs. */
export type DeliveryFormat = (typeof DELIVERY_FORMATS)[number];

/** How urgent a publication is: `error` carries a new failure or a monitor error, `warning` only reminders, `info` only recoveries. */
export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The message attributes' names (six, within SNS's ten per message). */
export const ATTRIBUTE = {
  format: 'format',
  aggregator: 'aggregator',
  kinds: 'kinds',
  severity: 'severity',
  statuses: 'statuses',
  count: 'count',
} as const;

/**
 * The filter policy (FilterPolicyScope MessageAttributes, the default) of a subscription that takes one format:
 * the stack gives its e-mail subscriptions `email` and its SMS subscriptions `sms`; a user's HTTPS, SQS or Lambda
 * subscriber takes `json`. A policy may add conditions on the other attributes (kinds, severity, aggregator).
 */
export const FILTER_POLICIES: Readonly<Record<DeliveryFormat, { readonly format: readonly [DeliveryFormat] }>> = {
  email: { format: ['email'] },
  sms: { format: ['sms'] },
  json: { format: ['json'] },
};

/**
 * The display name of the topic the stack creates. SNS prepends a topic's display name, in capitals, then "> ",
 * to every SMS it sends to the topic's subscribers (Developer Guide, publishing SMS messages to a topic), so the
 * SMS text leaves room for it (SMS_TEXT_MAX).
 */
export const TOPIC_DISPLAY_NAME = 'Config aggregator watch';

/** The SMS text: one segment of GSM-7 characters once SNS prepended "CONFIG AGGREGATOR WATCH> " (135 characters). */
export const SMS_TEXT_MAX = SMS_MAX - (TOPIC_DISPLAY_NAME.length + 2);

/** The json format's identity: a subscriber checks both before reading the rest (docs/notifications.md). */
export const DIGEST_JSON_SCHEMA = 'config-aggregator-watch/digest';
/** Raised only for a change that breaks readers (a field removed, renamed or retyped); new fields keep it. */
export const DIGEST_JSON_VERSION = 1;
