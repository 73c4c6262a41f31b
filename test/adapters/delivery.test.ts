/**
 * What each kind of subscriber receives, on the wire: the real Notifier publishes rendered digests through the SDK
 * to the fake SNS, whose subscriptions carry the filter policies the stack gives them (FILTER_POLICIES) and the
 * ones a user would add; CloudWatch alarms (messages without attributes) go to the alarm topic.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Notifier } from '../../adapters/notifier';
import { FILTER_POLICIES, TOPIC_DISPLAY_NAME, renderDigest, type DigestJson } from '../../core/digest';
import type { Digest } from '../../core/notices';
import { FakeSns, smsSegments, type Delivery } from '../../tools/local/fake-sns';
import { LOCAL_CREDENTIALS } from '../../tools/local/local-dynamodb';
import { AT, KEYS, digest, monitorError, notice } from '../support/digests';

let sns: FakeSns;
let client: SNSClient;
let digestTopic: string;
let alarmTopic: string;
const subs: Record<string, string> = {};

/** A CloudWatch alarm notification: a JSON body, a subject, no message attributes. */
const alarm = (topicArn: string) =>
  new PublishCommand({
    TopicArn: topicArn,
    Subject: 'ALARM: "aggwatch-errors" in US East (N. Virginia)',
    Message: JSON.stringify({ AlarmName: 'aggwatch-errors', NewStateValue: 'ALARM', NewStateReason: 'Threshold Crossed' }),
  });

async function publish(d: Digest, options = {}): Promise<void> {
  const notifier = new Notifier(client, digestTopic);
  for (const part of renderDigest(d, { ...KEYS, ...options })) for (const p of part.publications) await notifier.publish(p);
}

const received = (name: string): readonly Delivery[] => sns.received(subs[name] ?? '');
const json = (d: Delivery) => JSON.parse(d.message) as DigestJson;

beforeAll(async () => {
  sns = await new FakeSns().start();
  client = new SNSClient({ region: 'us-east-1', endpoint: sns.endpoint, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  digestTopic = sns.createTopic('aggwatch-alerts', { displayName: TOPIC_DISPLAY_NAME });
  alarmTopic = sns.createTopic('aggwatch-alarms', { displayName: TOPIC_DISPLAY_NAME });
  // What the stack subscribes: each address and number to the digests in its format, and to the alarms unfiltered.
  subs.email = sns.subscribe(digestTopic, 'email', 'ops@example.com', { filterPolicy: FILTER_POLICIES.email });
  subs.sms = sns.subscribe(digestTopic, 'sms', '+15555550100', { filterPolicy: FILTER_POLICIES.sms });
  subs.emailAlarms = sns.subscribe(alarmTopic, 'email', 'ops@example.com');
  subs.smsAlarms = sns.subscribe(alarmTopic, 'sms', '+15555550100');
  // What users add: a json consumer, one for failures and monitor errors only, and the old, unsafe advice.
  subs.https = sns.subscribe(digestTopic, 'https', 'https://hooks.example.com/aggwatch', { filterPolicy: JSON.stringify(FILTER_POLICIES.json) });
  subs.queue = sns.subscribe(digestTopic, 'sqs', 'arn:aws:sqs:us-east-1:123456789012:pager', {
    filterPolicy: { format: ['json'], kinds: ['failure', 'monitor-error'] },
  });
  subs.everything = sns.subscribe(digestTopic, 'lambda', 'arn:aws:lambda:us-east-1:123456789012:function:archive');

  // Three runs: a busy digest, a digest of recoveries only, then an alarm published to each topic.
  await publish(digest([notice('failure'), notice('reminder', { sourceId: '222222222222' }), notice('recovery', { sourceId: '333333333333' })], monitorError));
  await publish(digest([notice('recovery', { sourceId: '444444444444' })]));
  await client.send(alarm(digestTopic));
  await client.send(alarm(alarmTopic));
});

afterAll(async () => {
  client?.destroy();
  await sns?.close();
});

describe('the e-mail subscription (format=email)', () => {
  it('receives every digest once, as text with its subject, and none of the other formats', () => {
    // Act
    const mail = received('email');

    // Assess
    expect(mail.map((m) => m.subject)).toEqual(['[aggwatch] org-agg: monitor error, 1 new FAILED, 1 still failing, 1 recovered', '[aggwatch] org-agg: 1 recovered']);
    expect(mail.map((m) => m.message.split('\n')[0])).toEqual(mail.map(() => 'AWS Config aggregator org-agg: source status digest'));
    expect(mail.map((m) => m.attributes.format?.value)).toEqual(['email', 'email']);
  });
});

describe('the SMS subscription (format=sms)', () => {
  it('receives one SMS for the digest with a new failure or monitor error, in one segment once SNS prefixed the display name', () => {
    // Act
    const texts = received('sms').map((m) => m.message);

    // Assess
    expect(texts).toEqual(['CONFIG AGGREGATOR WATCH> org-agg: monitor error, 1 new FAILED. Top error: AUTHORIZATION_NOT_FOUND (1)']);
    expect(texts.map(smsSegments)).toEqual([1]);
  });

  it('stays within one segment for the longest names and codes', async () => {
    // Prepare
    const before = received('sms').length;
    const sources = [notice('failure', { errorCode: `E_${'x'.repeat(300)}` })];

    // Act
    await publish({ aggregator: `agg-${'z'.repeat(250)}`, at: AT, sources, monitor: monitorError });

    // Assess
    const [text] = received('sms').slice(before).map((m) => m.message);
    expect(text?.length).toBe(160);
    expect(smsSegments(text ?? '')).toBe(1);
  });
});

describe('subscribers users add (format=json)', () => {
  it('an HTTPS endpoint receives every digest as versioned json', () => {
    // Act
    const bodies = received('https').slice(0, 2).map(json);

    // Assess
    expect(bodies.map((b) => [b.schema, b.version, b.part, b.parts])).toEqual([
      ['config-aggregator-watch/digest', 1, 1, 1],
      ['config-aggregator-watch/digest', 1, 1, 1],
    ]);
    expect(bodies.map((b) => b.notices.map((n) => `${n.kind} ${n.sourceId}`))).toEqual([
      ['failure 111111111111', 'reminder 222222222222', 'recovery 333333333333'],
      ['recovery 444444444444'],
    ]);
    expect(bodies.map((b) => b.monitor?.code ?? null)).toEqual(['NoSuchConfigurationAggregatorException', null]);
  });

  it('a queue filtered on kinds receives only the digests with a failure or a monitor error', () => {
    // Act
    const bodies = received('queue').map(json);

    // Assess
    expect(bodies.map((b) => b.aggregator.slice(0, 7))).toEqual(['org-agg', 'agg-zzz']);
  });

  it('a subscription without a filter policy receives every format and the alarm', () => {
    // Act
    const all = received('everything');

    // Assess
    expect(all.map((m) => m.attributes.format?.value ?? 'alarm')).toEqual(['email', 'json', 'sms', 'email', 'json', 'alarm', 'email', 'json', 'sms']);
  });
});

describe('CloudWatch alarms', () => {
  it('carry no attributes, so they reach no filtered subscription: they go to the alarm topic, unfiltered', () => {
    // Act
    const alarms = [...received('email'), ...received('sms'), ...received('https')].filter((m) => m.message.includes('AlarmName'));

    // Assess
    expect(alarms).toEqual([]);
    expect(received('emailAlarms').map((m) => m.subject)).toEqual(['ALARM: "aggwatch-errors" in US East (N. Virginia)']);
    expect(received('smsAlarms').map((m) => m.message.slice(0, 40))).toEqual(['CONFIG AGGREGATOR WATCH> {"AlarmName":"a']);
  });

  it('are not let through by {"exists": false} either (it needs at least one attribute)', async () => {
    // Prepare
    const arn = sns.subscribe(digestTopic, 'email', 'ops@example.com', { filterPolicy: { format: [{ exists: false }] } });

    // Act
    await client.send(alarm(digestTopic));

    // Assess
    expect(sns.received(arn)).toEqual([]);
  });
});

describe('a message published with MessageStructure json', () => {
  it('matches no filter policy; an unfiltered subscriber gets its protocol entry', async () => {
    // Prepare
    const topic = sns.createTopic('structured');
    const filtered = sns.subscribe(topic, 'sms', '+15555550100', { filterPolicy: { kind: ['failure'] } });
    const plain = sns.subscribe(topic, 'sms', '+15555550101');

    // Act
    await client.send(
      new PublishCommand({
        TopicArn: topic,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: 'default text', sms: 'sms text' }),
        MessageAttributes: { kind: { DataType: 'String.Array', StringValue: '["failure"]' } },
      }),
    );

    // Assess: the README's old {"kind": ["failure"]} advice would have dropped every SMS.
    expect(sns.received(filtered)).toEqual([]);
    expect(sns.received(plain).map((m) => [m.message, m.attributes])).toEqual([['sms text', {}]]);
  });
});
