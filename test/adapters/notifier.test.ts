import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Notifier } from '../../adapters/notifier';
import { publishedBytes, type Publication } from '../../core/digest';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:aggwatch-alerts';

const attributes = { aggregator: 'org-agg', kinds: ['failure', 'recovery'], severity: 'error', statuses: ['FAILED'], count: 3 } as const;
const email: Publication = {
  format: 'email',
  subject: '[aggwatch] org-agg: 2 new FAILED, 1 recovered',
  message: 'email text',
  attributes: { format: 'email', ...attributes, kinds: [...attributes.kinds], statuses: [...attributes.statuses] },
};
const sms: Publication = { format: 'sms', message: 'org-agg: 2 new FAILED', attributes: { ...email.attributes, format: 'sms', kinds: ['failure'], count: 2 } };

describe('Notifier', () => {
  const snsMock = mockClient(SNSClient);

  beforeEach(() => {
    snsMock.reset();
  });

  it('publishes with the String message structure and its filterable attributes', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'msg-1' });
    const notifier = new Notifier(new SNSClient({ region: 'eu-west-1' }), TOPIC);

    // Act
    const id = await notifier.publish(email);

    // Assess
    expect(id).toBe('msg-1');
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    const input = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input).toEqual({
      TopicArn: TOPIC,
      Subject: '[aggwatch] org-agg: 2 new FAILED, 1 recovered',
      Message: 'email text',
      MessageAttributes: {
        format: { DataType: 'String', StringValue: 'email' },
        aggregator: { DataType: 'String', StringValue: 'org-agg' },
        kinds: { DataType: 'String.Array', StringValue: '["failure","recovery"]' },
        severity: { DataType: 'String', StringValue: 'error' },
        statuses: { DataType: 'String.Array', StringValue: '["FAILED"]' },
        count: { DataType: 'Number', StringValue: '3' },
      },
    });
    expect(input).not.toHaveProperty('MessageStructure');
  });

  it('sends an SMS without a subject', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'msg-2' });
    const notifier = new Notifier(new SNSClient({ region: 'eu-west-1' }), TOPIC);

    // Act
    await notifier.publish(sms);

    // Assess
    expect(snsMock.commandCalls(PublishCommand)[0]?.args[0].input).not.toHaveProperty('Subject');
  });

  it('sends exactly the bytes the size check counted', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'msg-1' });
    const notifier = new Notifier(new SNSClient({ region: 'eu-west-1' }), TOPIC);

    // Act
    await notifier.publish(email);

    // Assess
    const input = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    const bytes = (s = '') => Buffer.byteLength(s, 'utf8');
    const sent =
      bytes(input?.Message) +
      bytes(input?.Subject) +
      Object.entries(input?.MessageAttributes ?? {}).reduce((sum, [name, a]) => sum + bytes(name) + bytes(a.DataType) + bytes(a.StringValue), 0);
    expect(sent).toBe(publishedBytes(email));
  });

  it('propagates a failed Publish so the notices stay owed', async () => {
    // Prepare
    snsMock.on(PublishCommand).rejects(new Error('Rate exceeded'));
    const notifier = new Notifier(new SNSClient({ region: 'eu-west-1' }), TOPIC);

    // Act
    const publishing = notifier.publish(email);

    // Assess
    await expect(publishing).rejects.toThrow('Rate exceeded');
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('treats an answer without a MessageId as a failure', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({});
    const notifier = new Notifier(new SNSClient({ region: 'eu-west-1' }), TOPIC);

    // Act
    const publishing = notifier.publish(email);

    // Assess
    await expect(publishing).rejects.toThrow('SNS accepted no MessageId for the org-agg email publication');
  });
});
