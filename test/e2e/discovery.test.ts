/**
 * End to end in discovery mode (the default: no `aggregators`), the deployable artifact against the local
 * endpoints: the bundle lists the account's aggregators and reads each one, and every call it made is checked
 * against the function role's synthesized policy under the resource types of the Service Authorization Reference
 * (DescribeConfigurationAggregators has none, so it is evaluated against "*").
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../core/settings';
import type { RunReport } from '../../lambda/run';
import { scheduledEvent } from '../../tools/local/invocation';
import { localAwsEnvironment, startLocalMode, type LocalMode } from '../../tools/local/local-mode';
import { SimulatedOrganization } from '../../tools/local/simulated-organization';
import { callsOf, deniedCalls, type Call } from '../support/calls';
import { CfnResolver, noticesTopicId, roleStatements, type PolicyStatement } from '../support/cloudformation';
import { functionEnvironment, invokeBundle, onlyResource, synthesizeDeployable, type BundleRun, type Deployable } from './deployable';

const STACK = 'ConfigAggregatorWatch';
const FAKE = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' } as const;
const T0 = '2026-11-24T12:00:00Z';
const AGGREGATORS = ['org-aggregator', 'team-aggregator'];

let synth: Deployable;
let local: LocalMode;
let run: BundleRun<RunReport>;
let calls: Call[];
let statements: PolicyStatement[];
let env: Record<string, string>;

beforeAll(async () => {
  synth = synthesizeDeployable(STACK, {});
  const org = new SimulatedOrganization({ ...FAKE, now: T0, seed: 21 });
  org.populate(AGGREGATORS[0] ?? '', { accounts: 6, regions: ['us-east-1', 'eu-west-1'], seed: 21 });
  org.addAggregator(AGGREGATORS[1] ?? '', { kind: 'ORGANIZATION' });
  org.populate(AGGREGATORS[1] ?? '', { accounts: 3, regions: ['us-east-1'], seed: 22, firstAccountId: 300_000_000_000 });
  local = await startLocalMode({ org, tableName: `${STACK}-Table-discovery`, topicName: `${STACK}-Topic-discovery` });

  const topicId = noticesTopicId(synth.template) ?? '';
  const resolver = new CfnResolver(synth.template, FAKE, {
    ...Object.fromEntries(Object.keys(synth.template.Resources).map((id) => [id, `${STACK}-${id}-discovery`])),
    [onlyResource(synth.template, 'AWS::DynamoDB::Table')]: local.tableName,
    [topicId]: local.topicArn.split(':').at(-1) ?? '',
  });
  statements = roleStatements(synth.template, synth.roleId, resolver);
  env = functionEnvironment(synth, resolver);
  const topicKey = synth.template.Resources[topicId]?.Properties?.KmsMasterKeyId;
  run = await invokeBundle<RunReport>(
    synth,
    { ...env, ...localAwsEnvironment({ config: local.config.endpoint, dynamodb: local.dynamodbProxy.endpoint, sns: local.sns.endpoint }, FAKE.region) },
    scheduledEvent(T0, FAKE),
    join(synth.outdir, 'result.json'),
  );
  const requests = [...local.config.requests, ...local.dynamodbProxy.requests, ...local.sns.requests];
  calls = callsOf(requests, FAKE, topicKey === undefined ? {} : { topicKeyArn: resolver.resolveString(topicKey) });
});

afterAll(async () => {
  await local?.close();
  if (synth?.outdir) rmSync(synth.outdir, { recursive: true, force: true });
});

describe('discovery mode', () => {
  it('is what the function was synthesized for', () => {
    expect(env[ENV.aggregators] ?? '').toBe('');
  });

  it('discovers every aggregator and reads each one', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.outcome.result?.failed).toEqual([]);
    expect(run.outcome.result?.aggregators.map((a) => a.aggregator).sort()).toEqual(AGGREGATORS);
    expect(local.config.requests.map((r) => r.operation)).toContain('DescribeConfigurationAggregators');
  });

  it('calls DescribeConfigurationAggregators on "*", as IAM evaluates an action without resource type', () => {
    expect(calls.filter((c) => c.action === 'config:DescribeConfigurationAggregators')).toEqual([
      { action: 'config:DescribeConfigurationAggregators', resource: '*' },
    ]);
  });

  it('is allowed every call it made by the synthesized policy', () => {
    expect(calls.length).toBeGreaterThan(4);
    expect(deniedCalls(statements, calls)).toEqual([]);
  });

  it('would be refused discovery by a grant on config-aggregator/* (the grant before issue 12)', () => {
    const aggregators = `arn:aws:config:${FAKE.region}:${FAKE.accountId}:config-aggregator/*`;
    const old: PolicyStatement[] = [
      ...statements.filter((s) => ![s.Action].flat().some((a) => String(a).startsWith('config:'))),
      { Effect: 'Allow', Action: ['config:DescribeConfigurationAggregatorSourcesStatus', 'config:DescribeConfigurationAggregators'], Resource: aggregators },
    ];
    expect(deniedCalls(old, calls)).toEqual([{ action: 'config:DescribeConfigurationAggregators', resource: '*' }]);
  });
});
