/**
 * Error messages, option validation and client configuration: pure functions.
 */
import { describe, expect, it } from 'vitest';
import { CliError, UsageError, explain } from '../../cli/errors';
import { clientConfig } from '../../cli/clients';
import { newestFirst } from '../../cli/commands/shared';
import { aggregatorOption, liveStatusesOption, sourceTypeOption, storedStatusesOption, tableOption } from '../../cli/options';

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('explain', () => {
  it('tells how to get credentials', () => {
    for (const e of [
      named('CredentialsProviderError', 'Could not load credentials from any providers'),
      new Error('Could not load credentials from any providers'),
    ]) {
      expect(explain(e, {}).message).toMatch(/^No AWS credentials found: pass --profile NAME, set AWS_PROFILE .*`aws sso login`/);
    }
    expect(explain(named('CredentialsProviderError', 'x'), { profile: 'prod' }).message).toMatch(/^No AWS credentials found \(profile prod\)/);
  });

  it('tells to log in again when an SSO session or token expired', () => {
    expect(explain(named('TokenProviderError', 'The SSO session associated with this profile has expired'), {}).message).toMatch(/have expired: run `aws sso login`/);
    expect(explain(named('ExpiredTokenException', 'The security token included in the request is expired'), {}).message).toMatch(/have expired/);
  });

  it('names the table, the stack and the region', () => {
    expect(explain(named('ResourceNotFoundException', 'Requested resource not found'), { tableName: 't', region: 'eu-west-1' }).message).toBe(
      'Table "t" not found in eu-west-1: check --table (or --stack), --region and --profile.',
    );
    expect(explain(named('ValidationError', 'Stack with id S does not exist'), { stackName: 'S' }).message).toMatch(/^Stack "S" not found: pass --stack NAME/);
    expect(explain(new Error('Region is missing'), {}).message).toBe('No AWS region: pass --region REGION, set AWS_REGION, or set a region in your profile.');
  });

  it('keeps anything else on one line with its name, exit code 1; CLI errors pass through', () => {
    const e = explain(named('InternalServerError', 'boom\n  at line 2'), {});
    expect(e.message).toBe('InternalServerError: boom at line 2');
    expect(e.exitCode).toBe(1);
    const usage = new UsageError('bad');
    expect(explain(usage, {})).toBe(usage);
    expect(usage.exitCode).toBe(2);
    expect(new CliError('x').exitCode).toBe(1);
  });
});

describe('options', () => {
  it('validates aggregator names with the shared validator', () => {
    expect(aggregatorOption('org, lab,org')).toEqual(['org', 'lab']);
    expect(() => aggregatorOption('a b')).toThrow(UsageError);
    expect(() => aggregatorOption(' , ')).toThrow('Invalid --aggregator');
  });

  it('upper-cases known statuses and keeps unknown ones verbatim', () => {
    expect(storedStatusesOption('failed,Stale,removed,PENDING,(missing)')).toEqual(['FAILED', 'STALE', 'REMOVED', 'PENDING', '(missing)']);
    expect(() => storedStatusesOption('FAILED#x')).toThrow(UsageError);
    expect(() => storedStatusesOption('')).toThrow(UsageError);
    expect(liveStatusesOption('failed,OUTDATED')).toEqual(['FAILED', 'OUTDATED']);
    expect(() => liveStatusesOption('REMOVED')).toThrow('Invalid --status: "REMOVED"');
  });

  it('validates --type and --table', () => {
    expect(sourceTypeOption('organization')).toBe('ORGANIZATION');
    expect(() => sourceTypeOption('USER')).toThrow(UsageError);
    expect(tableOption('my-table')).toBe('my-table');
    expect(() => tableOption('x')).toThrow('Invalid --table: "x". Allowed: a DynamoDB table name');
  });
});

describe('clientConfig', () => {
  it('takes region, endpoint and credentials from the given environment', () => {
    const env = {
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_ACCESS_KEY_ID: 'a',
      AWS_SECRET_ACCESS_KEY: 's',
      AWS_SESSION_TOKEN: 't',
    };
    expect(clientConfig('dynamodb', {}, env)).toEqual({
      maxAttempts: 5,
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:8000',
      credentials: { accessKeyId: 'a', secretAccessKey: 's', sessionToken: 't' },
    });
    expect(clientConfig('config', {}, env)).toMatchObject({ endpoint: 'http://127.0.0.1:4566' });
  });

  it('lets --profile and --region win, and a profile win over environment credentials (as the SDK does)', () => {
    const env = { AWS_REGION: 'eu-west-1', AWS_PROFILE: 'env-profile', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's' };
    expect(clientConfig('cloudformation', { profile: 'prod', region: 'us-west-2' }, env)).toEqual({
      maxAttempts: 5,
      region: 'us-west-2',
      profile: 'prod',
    });
    expect(clientConfig('cloudformation', {}, env)).toEqual({ maxAttempts: 5, region: 'eu-west-1', profile: 'env-profile' });
    expect(clientConfig('cloudformation', {}, {})).toEqual({ maxAttempts: 5 });
  });
});

describe('newestFirst', () => {
  it('orders by time, then aggregator, source and region, whatever order the shards answered in', () => {
    const e = (at: string, aggregator: string, sourceId: string, region: string) => ({ at, aggregator, sourceId, sourceType: 'ACCOUNT', region });
    const list = [
      e('2026-11-24T12:00:00.000Z', 'org', '2', 'us-east-1'),
      e('2026-11-24T13:00:00.000Z', 'org', '9', 'us-east-1'),
      e('2026-11-24T12:00:00.000Z', 'org', '1', 'us-west-2'),
      e('2026-11-24T12:00:00.000Z', 'lab', '3', 'us-east-1'),
      e('2026-11-24T12:00:00.000Z', 'org', '1', 'eu-west-1'),
    ];
    expect(list.sort(newestFirst).map((x) => `${x.aggregator}/${x.sourceId}/${x.region}`)).toEqual([
      'org/9/us-east-1',
      'lab/3/us-east-1',
      'org/1/eu-west-1',
      'org/1/us-west-2',
      'org/2/us-east-1',
    ]);
  });
});
