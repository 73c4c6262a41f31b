/**
 * End to end, the deployable artifact: synthesizes the app as `cdk deploy` would (esbuild bundling included),
 * takes the function's bundle from the cloud assembly (the directory that would be zipped and uploaded) and its
 * environment from the synthesized template (CloudFormation references replaced by the local table and topic),
 * and runs it in a separate Node.js process against the local mode's Config, DynamoDB and SNS endpoints.
 * Every AWS action the runs performed is then checked against the function role's synthesized IAM policy.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../core/settings';
import type { SourceState } from '../../core/model';
import type { RunReport } from '../../lambda/run';
import type { RecordedRequest } from '../../tools/local/fake-server';
import type { PublishedMessage } from '../../tools/local/fake-sns';
import { scheduledEvent } from '../../tools/local/invocation';
import { localAwsEnvironment, startLocalMode, type LocalMode } from '../../tools/local/local-mode';
import { SimulatedOrganization, type SimulatedSource } from '../../tools/local/simulated-organization';
import { callsOf, deniedCalls } from '../support/calls';
import { CfnResolver, noticesTopicId, roleStatements, type PolicyStatement } from '../support/cloudformation';
import { isAllowed } from '../support/iam';
import { functionEnvironment, invokeBundle, onlyResource, synthesizeDeployable, type Deployable } from './deployable';

const STACK = 'ConfigAggregatorWatch';
const ORG = 'org-aggregator';
const TEAM = 'team-aggregator';
const CONTEXT = { aggregators: `${ORG},${TEAM}`, emails: 'ops@example.com' };
const FAKE = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' } as const;
const T0 = '2026-11-24T12:00:00Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();


interface Invocation {
  readonly code: number | null;
  readonly outcome: { ok: boolean; result?: RunReport; error?: { name: string; message: string; stack?: string } };
  readonly stdout: string;
  readonly stderr: string;
  /** Requests each endpoint received during this invocation. */
  readonly config: RecordedRequest[];
  readonly dynamodb: RecordedRequest[];
  readonly sns: RecordedRequest[];
  readonly published: PublishedMessage[];
  /** What Config reported during the run, per aggregator. */
  readonly truth: Record<string, SimulatedSource[]>;
  /** The table's current states right after the run, per aggregator. */
  readonly states: Record<string, Map<string, SourceState>>;
}

let synth: Deployable;
let local: LocalMode;
let resolver: CfnResolver;
let functionEnv: Record<string, string>;
let statements: PolicyStatement[];
/** The topic's KMS key ARN, when the topic is encrypted. */
let keyArn: string | undefined;
const org = new SimulatedOrganization({ ...FAKE, now: T0, seed: 11 });
const ticks: Invocation[] = [];
/** Items in the table before and after the second run. */
let quietRunItems = { before: 0, after: 0 };

beforeAll(async () => {
  synth = synthesizeDeployable(STACK, CONTEXT);

  // org-aggregator: 40 accounts x 4 regions = 160 sources, two pages; team-aggregator: an organization source too.
  org.populate(ORG, {
    accounts: 40,
    regions: ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-east-1'],
    seed: 11,
    unauthorizedAccounts: 1,
    optInDisabledAccounts: 2,
    recorderOff: 2,
    internal: 1,
    outdated: 3,
  });
  org.addAggregator(TEAM, { kind: 'ORGANIZATION' });
  org.populate(TEAM, { accounts: 5, regions: ['us-east-1', 'eu-west-1'], seed: 12, firstAccountId: 200_000_000_000, internal: 0, outdated: 0 });
  org.addSource(TEAM, { sourceId: 'o-a1b2c3d4e5', sourceType: 'ORGANIZATION', region: 'us-east-1', status: 'SUCCEEDED', lastUpdateTime: T0 });
  org.fail(TEAM, { sourceId: 'o-a1b2c3d4e5', sourceType: 'ORGANIZATION', region: 'us-east-1' }, 'organizationAccessDenied');

  local = await startLocalMode({ org, tableName: `${STACK}-MonitorTable-e2e`, topicName: `${STACK}-MonitorTopic-e2e` });

  // Physical names for every resource; the table and topic are the local ones.
  const resources = synth.template.Resources;
  const topicId = noticesTopicId(synth.template) ?? '';
  resolver = new CfnResolver(synth.template, FAKE, {
    ...Object.fromEntries(Object.keys(resources).map((id) => [id, `${STACK}-${id}-e2e`])),
    [onlyResource(synth.template, 'AWS::DynamoDB::Table')]: local.tableName,
    [topicId]: local.topicArn.split(':').at(-1) ?? '',
  });
  // The key the topic is encrypted with, if any: publishing needs it.
  const topicKey = resources[topicId]?.Properties?.KmsMasterKeyId;
  keyArn = topicKey === undefined ? undefined : resolver.resolveString(topicKey);
  functionEnv = functionEnvironment(synth, resolver);
  statements = roleStatements(synth.template, synth.roleId, resolver);

  ticks.push(await invoke(at(0)));
  const before = await countItems();
  ticks.push(await invoke(at(15)));
  quietRunItems = { before, after: await countItems() };
  // A failing source recovers.
  org.advanceTo(at(30));
  org.recover(ORG, recovering());
  ticks.push(await invoke(at(30)));
});

afterAll(async () => {
  await local?.close();
  if (synth?.outdir) rmSync(synth.outdir, { recursive: true, force: true });
});

/** One scheduled invocation of the bundle, in its own Node.js process, with the synthesized environment. */
async function invoke(time: string): Promise<Invocation> {
  org.advanceTo(time);
  const marks = { config: local.config.requests.length, dynamodb: local.dynamodbProxy.requests.length, sns: local.sns.requests.length, published: local.sns.published.length };
  const env = {
    // The function's own environment, as synthesized.
    ...functionEnv,
    // The local endpoints, region and dummy credentials (the SDK's own variables: no code path in the handler).
    ...localAwsEnvironment({ config: local.config.endpoint, dynamodb: local.dynamodbProxy.endpoint, sns: local.sns.endpoint }, FAKE.region),
  };
  const truth = Object.fromEntries([ORG, TEAM].map((a) => [a, org.sources(a)]));
  const { code, outcome, stdout, stderr } = await invokeBundle<RunReport>(synth, env, scheduledEvent(time, FAKE), join(synth.outdir, `result-${ticks.length}.json`));
  const invocation: Invocation = {
    code,
    outcome,
    stdout,
    stderr,
    config: local.config.requests.slice(marks.config),
    dynamodb: local.dynamodbProxy.requests.slice(marks.dynamodb),
    sns: local.sns.requests.slice(marks.sns),
    published: local.sns.published.slice(marks.published),
    truth,
    states: Object.fromEntries(await Promise.all([ORG, TEAM].map(async (a) => [a, await local.store.loadAll(a)] as const))),
  };
  if (code !== 0 || !outcome.ok) {
    throw new Error(`the bundle failed at ${time} (exit ${code}): ${JSON.stringify(outcome.error)}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  }
  return invocation;
}

/** The sources FAILED in Config during a run (default: the first). */
const failing = (aggregator: string, tick = 0): SimulatedSource[] => (ticks[tick]?.truth[aggregator] ?? []).filter((s) => s.status === 'FAILED');
const sourceLine = (s: Pick<SimulatedSource, 'sourceId' | 'sourceType' | 'region'>) => `${s.sourceId} (${s.sourceType}), ${s.region}`;
const email = (m: PublishedMessage) => m.message;
const attr = (m: PublishedMessage, name: string) => m.attributes[name]?.value;
/** The publications of one aggregator's digests in a format (default: the e-mail). */
const messageFor = (inv: Invocation, aggregator: string, format = 'email') =>
  inv.published.filter((m) => attr(m, 'aggregator') === aggregator && attr(m, 'format') === format);

/** The source that recovers at the third tick: the first one failing without an authorization problem. */
let recoveringSource: SimulatedSource | undefined;
function recovering(): SimulatedSource {
  recoveringSource ??= org.inStatus(ORG, 'FAILED').find((s) => s.errorCode === 'NoAvailableConfigurationRecorderException');
  if (!recoveringSource) throw new Error('no failing source to recover');
  return recoveringSource;
}

function countItems(): Promise<number> {
  return local.dynamodb.countItems(local.tableName);
}

describe('the synthesized function', () => {
  it('is the bundle in the cloud assembly, configured from the template', () => {
    expect(existsSync(synth.assetDir)).toBe(true);
    expect(synth.handler).toBe('index.handler');
    expect(synth.runtime).toMatch(/^nodejs\d+\.x$/);
    expect(functionEnv[ENV.tableName]).toBe(local.tableName);
    expect(functionEnv[ENV.topicArn]).toBe(local.topicArn);
    expect(functionEnv[ENV.aggregators]).toBe(`${ORG},${TEAM}`);
  });
});

describe('first run', () => {
  it('reads every aggregator fully, page by page, from the real wire protocol', () => {
    const [first] = ticks;
    const report = first?.outcome.result;
    expect(report?.failed).toEqual([]);
    expect(report?.aggregators.map((a) => [a.aggregator, a.mode, a.sourcesRead])).toEqual([
      [ORG, 'full', 160],
      [TEAM, 'full', 11],
    ]);
    const orgCalls = first?.config.filter((r) => (r.input as { ConfigurationAggregatorName?: string }).ConfigurationAggregatorName === ORG) ?? [];
    expect(orgCalls.map((r) => [r.operation, r.status, (r.input as { Limit?: number }).Limit])).toEqual([
      ['DescribeConfigurationAggregatorSourcesStatus', 200, 100],
      ['DescribeConfigurationAggregatorSourcesStatus', 200, 100],
    ]);
  });

  it('writes every source current state and its first history entry', async () => {
    const first = ticks[0] as Invocation;
    for (const aggregator of [ORG, TEAM]) {
      const states = first.states[aggregator] ?? new Map<string, SourceState>();
      const sources = first.truth[aggregator] ?? [];
      expect(sources.length).toBeGreaterThan(0);
      expect(states.size).toBe(sources.length);
      for (const s of sources) {
        const state = states.get(`${s.sourceType}#${s.sourceId}#${s.region}`);
        expect(state, sourceLine(s)).toMatchObject({ aggregator, status: s.status, since: at(0) });
        if (s.errorCode) expect(state?.errorCode).toBe(s.errorCode);
      }
      for (const sourceId of new Set(sources.map((s) => s.sourceId))) {
        const history = await local.store.sourceHistory(aggregator, sourceId, { from: at(-1), to: at(1) });
        const regions = sources.filter((s) => s.sourceId === sourceId).map((s) => s.region).sort();
        expect(history.map((h) => h.region).sort(), `${aggregator} ${sourceId}`).toEqual(regions);
        expect(history.every((h) => h.event === 'FIRST_SEEN' && h.at === at(0))).toBe(true);
      }
    }
  });

  it('publishes one digest per aggregator naming every failing source, in each format', () => {
    const [first] = ticks;
    for (const aggregator of [ORG, TEAM]) {
      expect(first?.published.filter((m) => attr(m, 'aggregator') === aggregator).map((m) => attr(m, 'format'))).toEqual(['email', 'json', 'sms']);
      const messages = messageFor(first as Invocation, aggregator);
      expect(messages).toHaveLength(1);
      const [m] = messages as [PublishedMessage];
      expect(m.topicArn).toBe(local.topicArn);
      expect(m.messageStructure).toBeUndefined();
      expect(m.subject).toMatch(/^\[aggwatch\] .+: \d+ new FAILED$/);
      expect(attr(m, 'kinds')).toEqual(['failure']);
      expect(attr(m, 'count')).toBe(failing(aggregator).length);
      for (const s of failing(aggregator)) expect(email(m), sourceLine(s)).toContain(sourceLine(s));
    }
    expect(failing(ORG).length).toBeGreaterThan(5);
    expect(failing(TEAM).map((s) => s.sourceType)).toContain('ORGANIZATION');
  });
});

describe('a run with nothing new', () => {
  it('reads only the sources needing attention, sends nothing and writes only its run summaries', async () => {
    const second = ticks[1] as Invocation;
    expect(second.outcome.result?.aggregators.map((a) => a.mode)).toEqual(['fast', 'fast']);
    expect(second.config.every((r) => JSON.stringify((r.input as { UpdateStatus?: string[] }).UpdateStatus) === '["FAILED","OUTDATED"]')).toBe(true);
    expect(second.sns).toEqual([]);
    const writes = second.dynamodb.filter((r) => ['PutItem', 'BatchWriteItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems'].includes(r.operation));
    expect(writes.map((w) => [w.operation, (w.input as { Item: { pk: { S: string } } }).Item.pk.S])).toEqual([
      ['PutItem', 'RUNS'],
      ['PutItem', 'RUNS'],
    ]);
    // The two run summaries are the only new items.
    expect(quietRunItems.after - quietRunItems.before).toBe(2);
  });
});

describe('a recovery', () => {
  it('is notified, recorded in history and in the current state', async () => {
    const third = ticks[2] as Invocation;
    const s = recovering();
    const messages = messageFor(third, ORG);
    expect(messages).toHaveLength(1);
    const [m] = messages as [PublishedMessage];
    expect(attr(m, 'kinds')).toEqual(['recovery']);
    expect(m.subject).toMatch(/1 recovered$/);
    expect(email(m)).toContain(`${sourceLine(s)}: no longer FAILED: now SUCCEEDED`);
    expect(messageFor(third, TEAM)).toEqual([]);

    const history = await local.store.sourceHistory(ORG, s.sourceId, { from: at(29), to: at(31), region: s.region });
    expect(history).toMatchObject([{ event: 'STATUS_CHANGED', fromStatus: 'FAILED', toStatus: 'SUCCEEDED', at: at(30) }]);
    const state = third.states[ORG]?.get(`ACCOUNT#${s.sourceId}#${s.region}`);
    expect(state).toMatchObject({ status: 'SUCCEEDED', since: at(30) });
    expect(state?.errorCode).toBeUndefined();
  });
});

describe('permissions', () => {
  /** Every call the runs made, on the resources IAM evaluates it against, and KMS for the encrypted topic. */
  const performed = () => callsOf(ticks.flatMap((t) => [...t.config, ...t.dynamodb, ...t.sns]), FAKE, keyArn === undefined ? {} : { topicKeyArn: keyArn });

  it('covers what the runs did', () => {
    const actions = performed().map((p) => `${p.action} ${p.resource}`);
    const table = `arn:aws:dynamodb:${FAKE.region}:${FAKE.accountId}:table/${local.tableName}`;
    expect(actions).toEqual(
      expect.arrayContaining([
        `config:DescribeConfigurationAggregatorSourcesStatus ${org.aggregator(ORG)?.arn}`,
        `config:DescribeConfigurationAggregatorSourcesStatus ${org.aggregator(TEAM)?.arn}`,
        `dynamodb:BatchWriteItem ${table}`,
        `dynamodb:Query ${table}/index/attention`,
        `dynamodb:PutItem ${table}`,
        `sns:Publish ${local.topicArn}`,
        `kms:GenerateDataKey ${keyArn}`,
      ]),
    );
    // The aggregators are named: nothing is discovered (test/e2e/discovery.test.ts runs without names).
    expect(actions.filter((a) => a.startsWith('config:DescribeConfigurationAggregators '))).toEqual([]);
    expect(keyArn).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\//);
    expect(org.aggregator(ORG)?.arn).toMatch(/^arn:aws:config:us-east-1:123456789012:config-aggregator\/config-aggregator-[a-z0-9]{8}$/);
  });

  it('allows every action the runs performed, on its resource', () => {
    expect(deniedCalls(statements, performed())).toEqual([]);
  });

  it('is a real check: actions and resources beyond the grant are refused', () => {
    const table = `arn:aws:dynamodb:${FAKE.region}:${FAKE.accountId}:table/${local.tableName}`;
    const allowed = (action: string, resource: string) => isAllowed(statements, { action, resource });
    expect(allowed('dynamodb:Scan', table)).toBe(false);
    expect(allowed('dynamodb:PutItem', `${table}-other`)).toBe(false);
    expect(allowed('dynamodb:PutItem', `${table}/index/attention`)).toBe(false);
    expect(allowed('config:DescribeConfigurationAggregatorSourcesStatus', 'arn:aws:config:eu-west-1:123456789012:config-aggregator/config-aggregator-abcdefgh')).toBe(false);
    expect(allowed('sns:Publish', `${local.topicArn}-other`)).toBe(false);
    // Named aggregators: discovery is not granted.
    expect(allowed('config:DescribeConfigurationAggregators', '*')).toBe(false);
  });
});
