/**
 * Publishes one rendered publication to the alert topic, with the String message structure and its message
 * attributes (Amazon SNS API Reference, Publish). Thin on purpose: rendering, size limits and what counts as
 * notified live in core/digest and the caller; a failed Publish propagates so the caller leaves the notices owed
 * for the next run.
 */
import { PublishCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import { encodeAttributes, type MessageAttributes, type Publication } from '../core/digest';

/** The attributes as SNS Publish takes them (MessageAttributes: name -> DataType and StringValue). */
export function wireAttributes(a: MessageAttributes): Record<string, MessageAttributeValue> {
  return Object.fromEntries(encodeAttributes(a).map((e) => [e.name, { DataType: e.dataType, StringValue: e.value }]));
}

export class Notifier {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  /** Returns SNS's MessageId once the topic accepted the publication. */
  async publish(p: Publication): Promise<string> {
    const out = await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        ...(p.subject !== undefined ? { Subject: p.subject } : {}),
        Message: p.message,
        MessageAttributes: wireAttributes(p.attributes),
      }),
    );
    if (out.MessageId === undefined) throw new Error(`SNS accepted no MessageId for the ${p.attributes.aggregator} ${p.format} publication`);
    return out.MessageId;
  }
}

/**
 * Publishes a chat notification (Amazon Q Developer in chat applications' custom-notification JSON, rendered by
 * core/findings) to the chat topic, with the String message structure and no attributes: the topic carries
 * nothing else, and Amazon Q Developer renders the message body (Admin Guide, Custom notifications).
 */
export class ChatNotifier {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  /** Returns SNS's MessageId once the chat topic accepted the message. */
  async publish(message: string): Promise<string> {
    const out = await this.sns.send(new PublishCommand({ TopicArn: this.topicArn, Message: message }));
    if (out.MessageId === undefined) throw new Error(`SNS accepted no MessageId for the chat notification on ${this.topicArn}`);
    return out.MessageId;
  }
}
