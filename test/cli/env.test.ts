/**
 * How users point the CLI at a table: through the environment (AWS_ENDPOINT_URL_DYNAMODB, credentials,
 * AWS_REGION) and the stack's outputs; what they are told when that fails; and the bin script as a process.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { LOCAL_REGION, startLocalDynamoDB, type LocalDynamoDB } from '../../tools/local/local-dynamodb';
import { STATES, cli, seed } from './support';

process.env.TZ = 'UTC';

const TABLE = 'cli-env';
const NOWHERE = join(tmpdir(), 'aggwatch-test-no-such-aws-config');
let local: LocalDynamoDB;

/** What a user sets to query a local table: the endpoint, any credentials, a region. */
let localEnv: Record<string, string>;

beforeAll(async () => {
  local = await startLocalDynamoDB();
  await seed(local, TABLE);
  localEnv = {
    AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: LOCAL_REGION,
  };
});
afterAll(async () => {
  await local.close();
});

describe('the environment', () => {
  it('reads AWS_ENDPOINT_URL_DYNAMODB, credentials and AWS_REGION from the environment it is given', async () => {
    const r = await cli(['--table', TABLE, 'current', '--aggregator', 'org', '--json'], { env: localEnv });
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(r.out)).toEqual([STATES.failed, STATES.outdated]);
  });

  describe('with no credentials or region anywhere', () => {
    beforeEach(() => {
      // Isolate the SDK's own look-ups (process.env, ~/.aws, instance metadata) from the machine running the tests.
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION',
        'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN']) {
        vi.stubEnv(name, undefined);
      }
      vi.stubEnv('AWS_CONFIG_FILE', NOWHERE);
      vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', NOWHERE);
      vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    });
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('says how to provide credentials (exit 1)', async () => {
      const env = { AWS_ENDPOINT_URL_DYNAMODB: local.endpoint, AWS_REGION: LOCAL_REGION };
      const r = await cli(['--table', TABLE, 'current'], { env });
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
      expect(r.err).toBe(
        'aggwatch: No AWS credentials found: pass --profile NAME, set AWS_PROFILE (or AWS_ACCESS_KEY_ID and ' +
          'AWS_SECRET_ACCESS_KEY), or run `aws sso login` (with --profile for a named SSO profile).\n',
      );
    });

    it('says how to set a region (exit 1)', async () => {
      const { AWS_REGION: _region, ...env } = localEnv;
      const r = await cli(['--table', TABLE, 'current'], { env });
      expect(r.code).toBe(1);
      expect(r.err).toBe('aggwatch: No AWS region: pass --region REGION, set AWS_REGION, or set a region in your profile.\n');
    });
  });
});

describe('the table from the stack outputs', () => {
  const cloudformation = new CloudFormationClient({ region: LOCAL_REGION });
  const cfn = mockClient(cloudformation);
  const io = () => ({ clients: { cloudformation, dynamodb: local.documentClient }, env: { AWS_REGION: 'eu-west-1' } });
  const stack = (outputs: Record<string, string>) => ({
    Stacks: [
      {
        StackName: 'x',
        StackStatus: 'UPDATE_COMPLETE' as const,
        CreationTime: new Date(),
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
  beforeEach(() => cfn.reset());

  it('reads the TableName output of ConfigAggregatorWatch by default, of --stack otherwise', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', TableName: TABLE }));
    const r = await cli(['current', '--aggregator', 'org', '--json'], io());
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual([STATES.failed, STATES.outdated]);
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'ConfigAggregatorWatch' });

    const other = await cli(['runs', '--stack', 'AggWatchProd', '--json'], io());
    expect(other.code).toBe(0);
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'AggWatchProd' });
  });

  it('does not ask CloudFormation when --table is given', async () => {
    expect((await cli(['--table', TABLE, 'runs'], io())).code).toBe(0);
    expect(cfn.calls()).toHaveLength(0);
  });

  it('says to pass --stack or --table when the stack does not exist (exit 1)', async () => {
    cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id ConfigAggregatorWatch does not exist'), { name: 'ValidationError' }),
    );
    const r = await cli(['current'], io());
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'aggwatch: Stack "ConfigAggregatorWatch" not found in eu-west-1: pass --stack NAME if it was deployed under ' +
        'another name, or --table NAME to read a table directly.\n',
    );
  });

  it('says to pass --table when the stack has no TableName output (exit 1)', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack({ BucketName: 'b' }));
    const r = await cli(['failures', '--stack', 'SomethingElse'], io());
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'aggwatch: Stack "SomethingElse" (UPDATE_COMPLETE) has no TableName output: pass --table NAME ' +
        '(or --stack NAME for the config-aggregator-watch stack).\n',
    );
  });

  it('names the table the stack points to when it is gone', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack({ TableName: 'deleted-table' }));
    const r = await cli(['current'], io());
    expect(r.code).toBe(1);
    expect(r.err).toBe('aggwatch: Table "deleted-table" not found in eu-west-1: check --table (or --stack), --region and --profile.\n');
  });
});

describe('bin/aggwatch.mjs', () => {
  type Child = { code: number; stdout: string; stderr: string };
  const run = promisify(execFile);
  const node = (args: string[], env: Record<string, string> = {}): Promise<Child> =>
    run(process.execPath, ['bin/aggwatch.mjs', ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        TZ: 'UTC',
        AWS_CONFIG_FILE: NOWHERE,
        AWS_SHARED_CREDENTIALS_FILE: NOWHERE,
        AWS_EC2_METADATA_DISABLED: 'true',
        ...env,
      },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: Child) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  // The three processes start together: each spends most of its time starting Node and tsx.
  let help: Child, query: Child, usage: Child;
  beforeAll(async () => {
    [help, query, usage] = await Promise.all([
      node(['--help']),
      node(['--table', TABLE, 'current', '--aggregator', 'org', '--json'], localEnv),
      node(['history', '--source', '1', '--since', 'soon']),
    ]);
  });

  it('runs as a program: --help lists the commands', () => {
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: aggwatch \[options\] \[command\]/);
    for (const command of ['status', 'current', 'history', 'failures', 'runs']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command} \\[options\\]`, 'm'));
    }
  });

  it('queries a table through the process environment (AWS_ENDPOINT_URL_DYNAMODB, keys, AWS_REGION)', () => {
    expect(query.code).toBe(0);
    expect(JSON.parse(query.stdout)).toEqual([STATES.failed, STATES.outdated]);
  });

  it('exits with the code of the command', () => {
    expect(usage.code).toBe(2);
    expect(usage.stdout).toBe('');
    expect(usage.stderr).toContain('aggwatch: Invalid --since "soon"');
  });
});
