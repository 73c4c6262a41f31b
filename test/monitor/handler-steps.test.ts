/**
 * The function's entry point: the input validated (an event without a step, or an unknown step, named with the
 * allowed ones), then the step run, with the clients and adapters the handler builds at init (the store on dynalite).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import { LOCAL_CREDENTIALS, startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { AT } from '../support/builders';
import type { BeginResult } from '../../core/workflow';

let local: LocalDynamoDB;
let handler: (event: unknown, context: Context) => Promise<unknown>;
const context = { getRemainingTimeInMillis: () => 900_000, invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' } as Context;

beforeAll(async () => {
  local = await startLocalDynamoDB();
  await local.createTable('handler-steps');
  Object.assign(process.env, {
    TABLE_NAME: 'handler-steps',
    TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts',
    AGGREGATORS: 'org',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
  });
  ({ handler } = await import('../../lambda/handler'));
});
afterAll(async () => {
  await local.close();
});

describe('the handler with a step', () => {
  it('refuses an event without a step (the schedule\'s, meant for the dispatcher), naming it and the steps, writing nothing', async () => {
    // Arrange
    const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-11-24T06:45:00Z' };
    // Act
    const refused = handler(scheduled, context);
    // Assert
    await expect(refused).rejects.toThrow(
      `Not a step of the run's workflow: got ${JSON.stringify(scheduled)}. The function runs one step per invocation, {"step": ...} with step one of begin, read, reconcile, notify, finalize`,
    );
    expect(await local.countItems('handler-steps')).toBe(0);
  });

  it('refuses an unknown step, naming it and the allowed steps', async () => {
    // Act
    const refused = handler({ step: 'plan', runAt: AT }, context);
    // Assert
    await expect(refused).rejects.toThrow('Unknown step "plan". Allowed: begin, read, reconcile, notify, finalize.');
  });

  it('refuses a step input with a bad field, naming it, before anything is read or written', async () => {
    // Act
    const refused = handler({ step: 'notify', runAt: AT }, context);
    // Assert
    await expect(refused).rejects.toThrow(/Invalid input of step "notify": aggregator: /);
    expect(await local.countItems('handler-steps')).toBe(0);
  });

  it('runs Begin: the run marker and a cursor for the configured aggregator, the read to do', async () => {
    // Act
    const begun = (await handler({ step: 'begin', at: AT, carried: [] }, context)) as BeginResult;
    // Assert
    expect(begun).toMatchObject({ runAt: AT, aggregators: ['org'], read: { done: false, rounds: 0, units: [] } });
    expect(begun.read.rate.rate).toBeGreaterThan(0);
    expect(await local.countItems('handler-steps')).toBe(2);
  });
});
