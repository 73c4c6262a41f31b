/**
 * End to end in discovery mode (the default: no `aggregators`), the deployable artifact against the local
 * endpoints, one tick through the engine (the lab): the worker lists the account's aggregators and reads each one,
 * and every call it made is checked against the worker role's synthesized policy under the resource types of the Service Authorization Reference
 * (DescribeConfigurationAggregators has none, so it is evaluated against "*").
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../core/settings';
import { SimulatedOrganization } from '../../tools/local/simulated-organization';
import { Lab, labResolver, type Execution } from '../faults/support/lab';
import { labCalls } from '../faults/support/permissions';
import { deniedCalls, type Call } from '../support/calls';
import { noticesTopicId, roleStatements, type PolicyStatement } from '../support/cloudformation';
import { functionEnvironment, synthesizeDeployable, type Deployable } from './deployable';

const STACK = 'ConfigAggregatorWatch';
const FAKE = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' } as const;
const T0 = '2026-11-24T12:00:00Z';
const AGGREGATORS = ['org-aggregator', 'team-aggregator'];

let synth: Deployable;
let lab: Lab;
let run: Execution;
let calls: Call[];
let statements: PolicyStatement[];
let env: Record<string, string>;

beforeAll(async () => {
  synth = synthesizeDeployable(STACK, {}, FAKE);
  const org = new SimulatedOrganization({ ...FAKE, now: T0, seed: 21 });
  org.populate(AGGREGATORS[0] ?? '', { accounts: 6, regions: ['us-east-1', 'eu-west-1'], seed: 21 });
  org.addAggregator(AGGREGATORS[1] ?? '', { kind: 'ORGANIZATION' });
  org.populate(AGGREGATORS[1] ?? '', { accounts: 3, regions: ['us-east-1'], seed: 22, firstAccountId: 300_000_000_000 });
  // One tick through the engine: the dispatcher bundle, the execution, the worker bundle in every Task.
  lab = await Lab.start({
    org,
    aggregators: [],
    artifact: synth,
    tableName: `${STACK}-Table-discovery`,
    topicName: `${STACK}-Topic-discovery`,
    workerEnv: (local) => functionEnvironment(synth, labResolver(synth, local)),
  });
  const resolver = labResolver(synth, lab.local);
  statements = roleStatements(synth.template, synth.roleId, resolver);
  env = functionEnvironment(synth, resolver);
  const topicKey = synth.template.Resources[noticesTopicId(synth.template) ?? '']?.Properties?.KmsMasterKeyId;
  run = await lab.tick(T0);
  calls = labCalls(lab, topicKey === undefined ? {} : { topicKeyArn: resolver.resolveString(topicKey) }).worker;
});

afterAll(async () => {
  await lab?.close();
  if (synth?.outdir) rmSync(synth.outdir, { recursive: true, force: true });
});

describe('discovery mode', () => {
  it('is what the function was synthesized for', () => {
    expect(env[ENV.aggregators] ?? '').toBe('');
  });

  it('discovers every aggregator and reads each one', () => {
    expect([run.status, run.invocations.every((i) => i.outcome.ok)]).toEqual(['SUCCEEDED', true]);
    expect([...run.recorded].sort()).toEqual(AGGREGATORS);
    expect(lab.local.config.requests.map((r) => r.operation)).toContain('DescribeConfigurationAggregators');
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
