// A toy worker for the lab's own tests (test/faults/lab.test.ts): the engine's steps in shape (core/workflow.ts),
// each making a few real SDK calls to the local endpoints so that the lab's attribution, kill points and retries
// can be checked without the monitor. Not the monitor: it records nothing of any organization.
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { setTimeout as sleep } from 'node:timers/promises';

const table = process.env.TABLE_NAME;
const topic = process.env.TOPIC_ARN;
const dynamodb = new DynamoDBClient({});
const sns = new SNSClient({});
const put = (pk, sk) => dynamodb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, sk: { S: sk } } }));

export const handler = async (event) => {
  switch (event.step) {
    case 'begin':
      await put('TOY', `begin#${event.at}`);
      return { runAt: event.at, aggregators: ['a', 'b'], read: { done: false, rate: { rate: 1, ceiling: null }, rounds: 0, units: [] } };
    case 'read': {
      const out = await dynamodb.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { pk: { S: 'TOY' }, sk: { S: `rounds#${event.runAt}` } },
          UpdateExpression: 'ADD rounds :one',
          ExpressionAttributeValues: { ':one': { N: '1' } },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const rounds = Number(out.Attributes?.rounds?.N ?? '0');
      const done = rounds >= 2;
      const units = done ? [{ aggregator: 'a', shards: [0] }, { aggregator: 'b', shards: [1] }] : [];
      return { done, rate: event.rate, rounds, units };
    }
    case 'reconcile':
      // Held a little, so that the Map's two units overlap.
      await put('TOY', `unit#${event.unit.aggregator}#1`);
      await sleep(150);
      await put('TOY', `unit#${event.unit.aggregator}#2`);
      return { done: true, shardIndex: event.unit.shards.length, bucket: 0 };
    case 'notify':
      await sns.send(new PublishCommand({ TopicArn: topic, Subject: `toy ${event.aggregator}`, Message: `toy notice of ${event.aggregator} at ${event.runAt}` }));
      return { aggregator: event.aggregator, published: 1, obligation: null };
    case 'finalize':
      await put('TOY', `final#${event.runAt}`);
      return { failed: [] };
    default:
      throw Object.assign(new Error(`unknown step ${JSON.stringify(event.step)}`), { name: 'UnknownStep' });
  }
};
