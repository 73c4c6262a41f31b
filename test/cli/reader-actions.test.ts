/**
 * What `grantReadHistory()` grants is what aggwatch uses: every query command, run against a seeded table through
 * the recording proxy, calls only READER_TABLE_ACTIONS, and each of those actions is called by some command.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READER_TABLE_ACTIONS } from '../../adapters/store/table-schema';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { DynamoDBRecordingProxy } from '../../tools/local/recording-proxy';
import { cli, seed } from './support';

const TABLE = 'cli-reader-actions';
let local: LocalDynamoDB;
let proxy: DynamoDBRecordingProxy;

beforeAll(async () => {
  local = await startLocalDynamoDB();
  await seed(local, TABLE);
  proxy = await new DynamoDBRecordingProxy(local.endpoint).start();
});
afterAll(async () => {
  await proxy.close();
  await local.close();
});

/** The DynamoDB actions one aggwatch command performed. */
async function actionsOf(argv: string[]): Promise<string[]> {
  const before = proxy.requests.length;
  const r = await cli(['--table', TABLE, ...argv], {
    env: {
      AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    },
  });
  expect(r.err).not.toContain('aggwatch:');
  expect(r.code).toBe(0);
  return [...new Set(proxy.requests.slice(before).map((q) => `dynamodb:${q.operation}`))];
}

describe('the reader grant', () => {
  it('covers every call of every query command, and each granted action is used', async () => {
    const commands = [
      ['current'],
      ['current', '--aggregator', 'org', '--status', 'SUCCEEDED,STALE,REMOVED'],
      ['history', '--source', '111111111111', '--since', '60d'],
      ['failures', '--since', '60d'],
      ['runs', '--since', '60d'],
    ];
    const used = new Set<string>();
    for (const argv of commands) {
      const actions = await actionsOf(argv);
      expect(actions.length, argv.join(' ')).toBeGreaterThan(0);
      for (const action of actions) {
        expect(READER_TABLE_ACTIONS, `${argv.join(' ')} calls ${action}`).toContain(action);
        used.add(action);
      }
    }
    expect([...used].sort()).toEqual([...READER_TABLE_ACTIONS].sort());
  });
});
