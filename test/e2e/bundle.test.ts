/**
 * End to end, the deployable artifact: synthesizes the app as `cdk deploy` would (esbuild bundling included), takes
 * the worker's and the dispatcher's bundles from the cloud assembly (the directories that would be zipped and
 * uploaded), their environments and the state machine's definition from the synthesized template (CloudFormation
 * references replaced by the local table, topic and state machine), and runs three scheduled ticks as the engine
 * does: the EventBridge event to the dispatcher bundle, which starts the execution on the local Step Functions
 * endpoint, whose every Task invokes the worker bundle in a Lambda-like process (the lab: test/faults/support/lab.ts),
 * against the local mode's Config, DynamoDB, SNS, EventBridge and Security Hub endpoints.
 * Every call each principal made is then checked against its role's synthesized IAM policy: the worker's, the
 * dispatcher's and the state machine's (lambda:InvokeFunction on the function its Tasks invoked).
 */
import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISPATCHER_ENV, ENV } from '../../core/settings';
import type { SourceState } from '../../core/model';
import { WORKFLOW } from '../../core/workflow';
import type { PublishedMessage } from '../../tools/local/fake-sns';
import { SimulatedOrganization, type SimulatedSource } from '../../tools/local/simulated-organization';
import { Lab, labResolver, type Execution, type LogLine } from '../faults/support/lab';
import { labCalls } from '../faults/support/permissions';
import { scanTable, type Item } from '../faults/support/oracle';
import { deniedCalls, type Call } from '../support/calls';
import { noticesTopicId, roleStatements, type PolicyStatement } from '../support/cloudformation';
import { isAllowed } from '../support/iam';
import { functionEnvironment, synthesizeDeployable, type Deployable } from './deployable';

const STACK = 'ConfigAggregatorWatch';
const ORG = 'org-aggregator';
const TEAM = 'team-aggregator';
const CONTEXT = { aggregators: `${ORG},${TEAM}`, emails: 'ops@example.com', securityHubFindings: 'true' };
const FAKE = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' } as const;
const T0 = '2026-11-24T12:00:00Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

/** One tick, with what Config reported and what the table held after it. */
interface Tick extends Execution {
  /** What Config reported during the run, per aggregator. */
  readonly truth: Record<string, SimulatedSource[]>;
  /** The table's current states right after the run, per aggregator. */
  readonly sourceStates: Record<string, Map<string, SourceState>>;
}

let synth: Deployable;
let lab: Lab;
let functionEnv: Record<string, string>;
let dispatcherEnv: Record<string, string>;
/** Each principal's statements. */
let statements: { worker: PolicyStatement[]; dispatcher: PolicyStatement[]; stateMachine: PolicyStatement[] };
/** The topic's KMS key ARN, when the topic is encrypted. */
let keyArn: string | undefined;
const org = new SimulatedOrganization({ ...FAKE, now: T0, seed: 11 });
const ticks: Tick[] = [];
/** Items in the table before and after the second run. */
let quietRun: { before: Item[]; after: Item[] } = { before: [], after: [] };

beforeAll(async () => {
  synth = synthesizeDeployable(STACK, CONTEXT, FAKE);

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

  // The worker runs with the function's own environment, as synthesized (references resolved to the local resources).
  lab = await Lab.start({
    org,
    aggregators: [ORG, TEAM],
    artifact: synth,
    tableName: `${STACK}-MonitorTable-e2e`,
    topicName: `${STACK}-MonitorTopic-e2e`,
    workerEnv: (local) => functionEnvironment(synth, labResolver(synth, local)),
  });
  const resolver = labResolver(synth, lab.local);
  functionEnv = functionEnvironment(synth, resolver);
  dispatcherEnv = functionEnvironment(synth, resolver, synth.dispatcher.logicalId);
  // The key the topic is encrypted with, if any: publishing needs it.
  const topicKey = synth.template.Resources[noticesTopicId(synth.template) ?? '']?.Properties?.KmsMasterKeyId;
  keyArn = topicKey === undefined ? undefined : resolver.resolveString(topicKey);
  statements = {
    worker: roleStatements(synth.template, synth.roleId, resolver),
    dispatcher: roleStatements(synth.template, synth.dispatcher.roleId, resolver),
    stateMachine: roleStatements(synth.template, synth.stateMachineRoleId, resolver),
  };

  ticks.push(await run(at(0)));
  const before = await scanTable(lab);
  ticks.push(await run(at(15)));
  quietRun = { before, after: await scanTable(lab) };
  // A failing source recovers.
  org.advanceTo(at(30));
  org.recover(ORG, recovering());
  ticks.push(await run(at(30)));
});

afterAll(async () => {
  await lab?.close();
  if (synth?.outdir) rmSync(synth.outdir, { recursive: true, force: true });
});

/** One scheduled tick through the engine, to the end of its execution, which must succeed. */
async function run(time: string): Promise<Tick> {
  org.advanceTo(time);
  const truth = Object.fromEntries([ORG, TEAM].map((a) => [a, org.sources(a)]));
  const execution = await lab.tick(time);
  if (execution.status !== 'SUCCEEDED' || execution.invocations.some((i) => !i.outcome.ok)) {
    const lines = execution.invocations.map((i) => `${i.state}: ${i.killed ? 'killed' : i.outcome.ok ? 'ok' : JSON.stringify(i.outcome.error)}\n${i.stderr}`);
    throw new Error(`the tick at ${time} ended ${execution.status} (${execution.error ?? ''}: ${execution.cause ?? ''}), dispatched ${JSON.stringify(execution.dispatched)}\n${lines.join('\n')}`);
  }
  const sourceStates = Object.fromEntries(await Promise.all([ORG, TEAM].map(async (a) => [a, await lab.local.store.loadAll(a)] as const)));
  return { ...execution, truth, sourceStates };
}

/** What Finalize recorded of each aggregator ("Recorded": mode, pages, sources read, history and states written). */
const recordedOf = (t: Tick | undefined): LogLine[] => (t?.invocations ?? []).filter((i) => i.step === 'finalize').flatMap((i) => i.logs.filter((l) => l.message === 'Recorded'));

/** The sources FAILED in Config during a run (default: the first). */
const failing = (aggregator: string, tick = 0): SimulatedSource[] => (ticks[tick]?.truth[aggregator] ?? []).filter((s) => s.status === 'FAILED');
const sourceLine = (s: Pick<SimulatedSource, 'sourceId' | 'sourceType' | 'region'>) => `${s.sourceId} (${s.sourceType}), ${s.region}`;
const email = (m: PublishedMessage) => m.message;
const attr = (m: PublishedMessage, name: string) => m.attributes[name]?.value;
/** The publications of one aggregator's digests in a format (default: the e-mail). */
const messageFor = (t: Tick, aggregator: string, format = 'email') => t.published.filter((m) => attr(m, 'aggregator') === aggregator && attr(m, 'format') === format);

/** The source that recovers at the third tick: the first one failing without an authorization problem. */
let recoveringSource: SimulatedSource | undefined;
function recovering(): SimulatedSource {
  recoveringSource ??= org.inStatus(ORG, 'FAILED').find((s) => s.errorCode === 'NoAvailableConfigurationRecorderException');
  if (!recoveringSource) throw new Error('no failing source to recover');
  return recoveringSource;
}

describe('the synthesized engine', () => {
  it('is the bundles in the cloud assembly, configured from the template', () => {
    for (const fn of [synth.worker, synth.dispatcher]) {
      expect(existsSync(fn.assetDir), fn.logicalId).toBe(true);
      expect([fn.handler, fn.runtime]).toEqual(['index.handler', expect.stringMatching(/^nodejs\d+\.x$/)]);
    }
    expect(synth.worker.assetDir).not.toBe(synth.dispatcher.assetDir);
    expect(functionEnv[ENV.tableName]).toBe(lab.local.tableName);
    expect(functionEnv[ENV.topicArn]).toBe(lab.local.topicArn);
    expect(functionEnv[ENV.aggregators]).toBe(`${ORG},${TEAM}`);
    expect(dispatcherEnv[DISPATCHER_ENV.stateMachineArn]).toBe(lab.stateMachineArn);
    expect(dispatcherEnv[DISPATCHER_ENV.tableName]).toBe(lab.local.tableName);
  });

  it('runs each tick as one execution started by the dispatcher, every Task a process of the worker bundle', () => {
    expect(ticks.map((t) => [t.name, t.status, (t.dispatched as { outcome?: string } | undefined)?.outcome])).toEqual(
      [0, 15, 30].map((m) => [`run-${at(m).replace(/\.\d{3}Z$/, 'Z').replace(/[:-]/g, '')}`, 'SUCCEEDED', 'started']),
    );
    const S = WORKFLOW.states;
    for (const t of ticks) {
      const states = t.invocations.map((i) => i.state);
      expect(states[0]).toBe(S.begin);
      expect(states.at(-1)).toBe(S.finalize);
      expect(new Set(states)).toEqual(new Set([S.begin, S.read, S.reconcileUnit, S.notifyAggregator, S.finalize]));
      expect(t.invocations.every((i) => i.functionArn === synth.worker.functionArn)).toBe(true);
    }
    expect(ticks[0]?.invocations[0]?.cold).toBe(true);
  });
});

describe('first run', () => {
  it('reads every aggregator fully, page by page, from the real wire protocol', () => {
    const [first] = ticks;
    expect(recordedOf(first).map((r) => [r.aggregator, r.mode, r.sources])).toEqual([
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
    const first = ticks[0] as Tick;
    for (const aggregator of [ORG, TEAM]) {
      const states = first.sourceStates[aggregator] ?? new Map<string, SourceState>();
      const sources = first.truth[aggregator] ?? [];
      expect(sources.length).toBeGreaterThan(0);
      expect(states.size).toBe(sources.length);
      for (const s of sources) {
        const state = states.get(`${s.sourceType}#${s.sourceId}#${s.region}`);
        expect(state, sourceLine(s)).toMatchObject({ aggregator, status: s.status, since: at(0) });
        if (s.errorCode) expect(state?.errorCode).toBe(s.errorCode);
      }
      for (const sourceId of new Set(sources.map((s) => s.sourceId))) {
        const history = await lab.local.store.sourceHistory(aggregator, sourceId, { from: at(-1), to: at(1) });
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
      const messages = messageFor(first as Tick, aggregator);
      expect(messages).toHaveLength(1);
      const [m] = messages as [PublishedMessage];
      expect(m.topicArn).toBe(lab.local.topicArn);
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
  it('reads only the sources needing attention, sends nothing, writes no history or state, keeps nothing but its run summaries', () => {
    const second = ticks[1] as Tick;
    expect(recordedOf(second).map((r) => r.mode)).toEqual(['fast', 'fast']);
    expect(second.config.every((r) => JSON.stringify((r.input as { UpdateStatus?: string[] }).UpdateStatus) === '["FAILED","OUTDATED"]')).toBe(true);
    expect(second.sns).toEqual([]);
    // New items: the two run summaries, and the run's own working items (its marker, cursors, staged pages,
    // journals, views, unit summaries), every one of which expires (TTL): no source history, state or record.
    const key = (i: Item) => `${String(i.pk)}|${String(i.sk)}`;
    const known = new Map(quietRun.before.map((i) => [key(i), JSON.stringify(i)]));
    const changed = quietRun.after.filter((i) => known.get(key(i)) !== JSON.stringify(i));
    expect(changed.filter((i) => /^(SRC|CUR)#|^AGG$/.test(String(i.pk)))).toEqual([]);
    expect(changed.filter((i) => i.pk === 'RUNS').map((i) => String(i.sk).split('#')[0])).toEqual([at(15), at(15)]);
    expect(changed.filter((i) => i.pk !== 'RUNS' && i.expiresAt === undefined)).toEqual([]);
  });
});

describe('a recovery', () => {
  it('is notified, recorded in history and in the current state', async () => {
    const third = ticks[2] as Tick;
    const s = recovering();
    const messages = messageFor(third, ORG);
    expect(messages).toHaveLength(1);
    const [m] = messages as [PublishedMessage];
    expect(attr(m, 'kinds')).toEqual(['recovery']);
    expect(m.subject).toMatch(/1 recovered$/);
    expect(email(m)).toContain(`${sourceLine(s)}: no longer FAILED: now SUCCEEDED`);
    expect(messageFor(third, TEAM)).toEqual([]);

    const history = await lab.local.store.sourceHistory(ORG, s.sourceId, { from: at(29), to: at(31), region: s.region });
    expect(history).toMatchObject([{ event: 'STATUS_CHANGED', fromStatus: 'FAILED', toStatus: 'SUCCEEDED', at: at(30) }]);
    const state = third.sourceStates[ORG]?.get(`ACCOUNT#${s.sourceId}#${s.region}`);
    expect(state).toMatchObject({ status: 'SUCCEEDED', since: at(30) });
    expect(state?.errorCode).toBeUndefined();
  });
});

describe('integrations', () => {
  it('sends an event per failure and imports a finding per failing source on the first run, and nothing on the quiet one', () => {
    const failures = [ORG, TEAM].flatMap((a) => failing(a).map((s) => `${a} ${s.sourceId} ${s.region}`)).sort();
    const first = lab.local.eventBridge.events.filter((e) => e.time === '2026-11-24T12:00:00Z' && e.detail.noticeKind === 'failure');
    expect(first.map((e) => `${String(e.detail.aggregator)} ${String((e.detail.source as { sourceId: string }).sourceId)} ${String((e.detail.source as { awsRegion: string }).awsRegion)}`).sort()).toEqual(failures);
    expect(first.every((e) => e.source === 'config-aggregator-watch' && e.bus === 'default' && e.account === FAKE.accountId)).toBe(true);
    expect(ticks[1]?.events).toEqual([]);
    expect(ticks[1]?.securityhub).toEqual([]);
    const active = [...lab.local.securityHub.findings.values()].filter((f) => f.finding.RecordState === 'ACTIVE');
    expect(active.length).toBe(failures.length - 1);
    expect(active.every((f) => f.finding.AwsAccountId === FAKE.accountId)).toBe(true);
  });

  it('tells of the recovery by event and archives its finding', () => {
    const s = recovering();
    const recovered = lab.local.eventBridge.events.filter((e) => e.detail.noticeKind === 'recovery');
    expect(recovered.map((e) => (e.detail.source as { sourceId: string }).sourceId)).toEqual([s.sourceId]);
    const archived = [...lab.local.securityHub.findings.values()].filter((f) => f.finding.RecordState === 'ARCHIVED');
    expect(archived.map((f) => (f.finding.ProductFields as Record<string, string>)['config-aggregator-watch/SourceId'])).toEqual([s.sourceId]);
  });
});

describe('permissions', () => {
  /** Every call each principal made, on the resources IAM evaluates it against, and KMS for the encrypted topic. */
  const performed = () => labCalls(lab, keyArn === undefined ? {} : { topicKeyArn: keyArn });
  const table = () => `arn:aws:dynamodb:${FAKE.region}:${FAKE.accountId}:table/${lab.local.tableName}`;
  const actions = (calls: Call[]) => calls.map((p) => `${p.action} ${p.resource}`);

  it('covers what the runs did: the worker\'s calls, the dispatcher\'s and the state machine\'s', () => {
    const { worker, dispatcher, stateMachine } = performed();
    expect(actions(worker)).toEqual(
      expect.arrayContaining([
        `config:DescribeConfigurationAggregatorSourcesStatus ${org.aggregator(ORG)?.arn}`,
        `config:DescribeConfigurationAggregatorSourcesStatus ${org.aggregator(TEAM)?.arn}`,
        `dynamodb:BatchWriteItem ${table()}`,
        `dynamodb:Query ${table()}/index/attention`,
        `dynamodb:PutItem ${table()}`,
        `sns:Publish ${lab.local.topicArn}`,
        `kms:GenerateDataKey ${keyArn}`,
        `events:PutEvents ${lab.local.eventBridge.busArn('default')}`,
        `securityhub:BatchImportFindings ${lab.local.securityHub.defaultProductArn}`,
      ]),
    );
    expect(actions(dispatcher)).toEqual(expect.arrayContaining([`states:StartExecution ${lab.stateMachineArn}`, `states:ListExecutions ${lab.stateMachineArn}`]));
    expect(stateMachine).toEqual([{ action: 'lambda:InvokeFunction', resource: synth.worker.functionArn }]);
    // The aggregators are named: nothing is discovered (test/e2e/discovery.test.ts runs without names).
    expect(actions(worker).filter((a) => a.startsWith('config:DescribeConfigurationAggregators '))).toEqual([]);
    expect(keyArn).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\//);
    expect(org.aggregator(ORG)?.arn).toMatch(/^arn:aws:config:us-east-1:123456789012:config-aggregator\/config-aggregator-[a-z0-9]{8}$/);
  });

  it('allows every action each principal performed, on its resource, by that principal\'s role', () => {
    const { worker, dispatcher, stateMachine } = performed();
    expect(deniedCalls(statements.worker, worker)).toEqual([]);
    expect(deniedCalls(statements.dispatcher, dispatcher)).toEqual([]);
    expect(deniedCalls(statements.stateMachine, stateMachine)).toEqual([]);
  });

  it('is a real check: actions and resources beyond each grant are refused', () => {
    const allowed = (of: PolicyStatement[], action: string, resource: string) => isAllowed(of, { action, resource });
    const w = statements.worker;
    expect(allowed(w, 'dynamodb:Scan', table())).toBe(false);
    expect(allowed(w, 'dynamodb:PutItem', `${table()}-other`)).toBe(false);
    expect(allowed(w, 'dynamodb:PutItem', `${table()}/index/attention`)).toBe(false);
    expect(allowed(w, 'config:DescribeConfigurationAggregatorSourcesStatus', 'arn:aws:config:eu-west-1:123456789012:config-aggregator/config-aggregator-abcdefgh')).toBe(false);
    expect(allowed(w, 'sns:Publish', `${lab.local.topicArn}-other`)).toBe(false);
    // Named aggregators: discovery is not granted.
    expect(allowed(w, 'config:DescribeConfigurationAggregators', '*')).toBe(false);
    // The worker starts no execution; the dispatcher starts only this state machine's, reads no source, publishes nothing.
    expect(allowed(w, 'states:StartExecution', lab.stateMachineArn)).toBe(false);
    const d = statements.dispatcher;
    expect(allowed(d, 'states:StartExecution', `${lab.stateMachineArn}-other`)).toBe(false);
    expect(allowed(d, 'config:DescribeConfigurationAggregatorSourcesStatus', org.aggregator(ORG)?.arn ?? '')).toBe(false);
    expect(allowed(d, 'sns:Publish', lab.local.topicArn)).toBe(false);
    // The state machine invokes the worker only: not the dispatcher, not a version of the worker.
    const m = statements.stateMachine;
    expect(allowed(m, 'lambda:InvokeFunction', synth.dispatcher.functionArn)).toBe(false);
    expect(allowed(m, 'lambda:InvokeFunction', `${synth.worker.functionArn}:1`)).toBe(false);
  });
});
