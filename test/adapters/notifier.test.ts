import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Notifier } from '../../adapters/notifier';
import { publishedBytes, type OutboundMessage } from '../../core/digest';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:aggwatch-alerts';

const message: OutboundMessage = {
  subject: '[aggwatch] org-agg: 2 new FAILED, 1 recovered',
  message: JSON.stringify({ default: 'default text', email: 'email text', sms: 'sms text' }),
  attributes: { aggregator: 'org-agg', kind: ['failure', 'recovery'], statuses: ['FAILED'], count: 3 },
  notices: [],
  part: 1,
  parts: 1,
};

describe('Notifier', () => {
  const snsMock = mockClient(SNSClient);

  beforeEach(() => {
    snsMock.reset();
  });

  it('publishes one JSON-structured message with its filterable attributes', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'msg-1' });
    const notifier = new Notifier(new SNSClient({ region: 'eu-west-1' }), TOPIC);

    // Act
    const id = await notifier.publish(message);

    // Assess
    expect(id).toBe('msg-1');
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: '[aggwatch] org-agg: 2 new FAILED, 1 recovered',
      Message: '{"default":"default text","email":"email text","sms":"sms text"}',
      MessageStructure: 'json',
      MessageAttributes: {
        aggregator: { DataType: 'String', StringValue: 'org-agg' },
        kind: { DataType: 'String.Array', StringValue: '["failure","recovery"]' },
        statuses: { DataType: 'String.Array', StringValue: '["FAILED"]' },
        count: { DataType: 'Number', StringValue: '3' },
      },
    });
  });

  it('sends exactly the bytes the size check counted', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'msg-1' });
    const notifier = new Notifier(new SNSClient({ region: 'eu-west-1' }), TOPIC);

    // Act
    await notifier.publish(message);

    // Assess
    const input = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    const bytes = (s = '') => Buffer.byteLength(s, 'utf8');
    const sent =
      bytes(input?.Message) +
      bytes(input?.Subject) +
      Object.entries(input?.MessageAttributes ?? {}).reduce((sum, [name, a]) => sum + bytes(name) + bytes(a.DataType) + bytes(a.StringValue), 0);
    expect(sent).toBe(publishedBytes(message));
  });

  it('propagates a failed Publish so the notices stay owed', async () => {
    // Prepare
    snsMock.on(PublishCommand).rejects(new Error('Rate exceeded'));
    const notifier = new Notifier(new SNSClient({ region: 'eu-west-1' }), TOPIC);

    // Act
    const publishing = notifier.publish(message);

    // Assess
    await expect(publishing).rejects.toThrow('Rate exceeded');
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('treats an answer without a MessageId as a failure', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({});
    const notifier = new Notifier(new SNSClient({ region: 'eu-west-1' }), TOPIC);

    // Act
    const publishing = notifier.publish(message);

    // Assess
    await expect(publishing).rejects.toThrow('SNS accepted no MessageId for org-agg part 1/1');
  });
});
