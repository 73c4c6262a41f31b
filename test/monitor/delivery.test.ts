/**
 * At least once, in every format: a notice is marked as sent only once SNS accepted each publication carrying it
 * (its part's e-mail and json, and the digest's SMS); until then the next run sends it again, in every format.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublishCommand } from '@aws-sdk/client-sns';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { AT, organization } from '../support/builders';
import { Harness, minutes } from './harness';

let local: LocalDynamoDB;
let tables = 0;

beforeAll(async () => {
  local = await startLocalDynamoDB();
});
afterAll(async () => {
  await local.close();
});

async function harness(): Promise<Harness> {
  const name = `delivery-${++tables}`;
  await local.createTable(name);
  const h = new Harness(local, name, { aggregators: ['org'] });
  h.org.set('org', organization(10, ['us-east-1']));
  h.set('org', '100000000003', 'us-east-1', { status: 'FAILED', errorCode: 'AUTHORIZATION_NOT_FOUND', errorMessage: 'not authorized' });
  return h;
}

const formats = (h: Harness, from = 0) =>
  h.sns
    .commandCalls(PublishCommand)
    .slice(from)
    .map((c) => c.args[0].input.MessageAttributes?.format?.StringValue);

describe('a notice in every format', () => {
  it.each(['email', 'json', 'sms'])('stays owed when SNS refuses its %s publication, and is sent again in full by the next run', async (refused) => {
    // Prepare
    const h = await harness();
    h.failFormats.add(refused);

    const marker = async () => (await h.store.loadAll('org')).get('ACCOUNT#100000000003#us-east-1')?.notifiedCondition;

    // Act
    const failed = await h.run(AT);
    const attempted = formats(h);
    const markerAfterFailure = await marker();
    h.failFormats.clear();
    const retried = await h.run(minutes(AT, 15));

    // Assess: the digest stopped at the refused publication (the monitor-error digest that followed was refused
    // too); the notice was not marked, so the next run sent it again in every format, and marked it.
    const order = ['email', 'json', 'sms'];
    expect(failed.failed).toEqual(['org']);
    expect(attempted.slice(0, order.indexOf(refused) + 1)).toEqual(order.slice(0, order.indexOf(refused) + 1));
    expect(markerAfterFailure).toBeUndefined();
    expect(retried.aggregators[0]).toMatchObject({ outcome: 'ok', noticesPublished: 1 });
    expect(formats(h, attempted.length)).toEqual(order);
    expect(await marker()).toBe('FAILED');
    expect((await h.run(minutes(AT, 30))).aggregators[0]).toMatchObject({ outcome: 'ok', noticesPublished: 0 });
  });
});
