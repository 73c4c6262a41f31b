/**
 * Every `aws dynamodb` read the docs show returns what the docs say it returns.
 *
 * The table is one the deployable engine wrote: the fault suite's lab (test/faults/support/lab.ts) runs the app as
 * `cdk deploy` would upload it (the cloud assembly's dispatcher and worker bundles, esbuild bundling included, the
 * worker with its synthesized environment; the state machine's definition on the local Step Functions endpoint)
 * against the local mode (fake Config over a simulated organization, dynalite behind the recording proxy, fake
 * SNS). Four scheduled ticks, while the organization changes: each is the dispatcher's invocation, the execution it
 * starts, and every Task of it in a Lambda-like process of the worker bundle. Each documented block then runs as
 * written, with bash and the real AWS CLI (`--endpoint-url` to the proxy), its placeholders (aggregator, account)
 * replaced by the story's values and `$TABLE` set to the local table.
 *
 * What a block must return is stated next to it in the docs, `<!-- expect: <kind> key=value ... -->`, and
 * computed here from what Config served at each run (the same oracle as the fault-injection suite's), never from
 * the monitor's code. A block without a comment, a kind or key this test does not know, a result that differs,
 * or a claim the story gives nothing to return fails the test.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBRecordingProxy } from '../../tools/local/recording-proxy';
import { refKey, SimulatedOrganization, type SimulatedSource } from '../../tools/local/simulated-organization';
import { actualHistory, expectedHistory } from '../faults/support/oracle';
import { Lab, LAB_CONTEXT, labResolver, type Observation } from '../faults/support/lab';
import { assertLabCallsAllowed } from '../faults/support/permissions';
import { labArtifact } from '../support/workflow-artifact';
import { awsCliVersion, documentedReads, runWithAwsCli, substitute, type CliRun, type DocumentedRead } from './examples';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The story's names differ from the docs' placeholders, so a placeholder left unreplaced finds nothing. */
const ORG = 'docs-org';
const TEAM = 'docs-team';
const REGION = 'us-east-1';
/** The run times: one before every documented range, then three inside them. */
const T1 = '2026-10-31T12:00:00.000Z';
const T2 = '2026-11-23T12:00:00.000Z';
const T3 = '2026-11-24T12:00:00.000Z';
const T4 = '2026-11-24T12:15:00.000Z';

const org = new SimulatedOrganization({ now: T1, seed: 7, accountId: '111122223333', region: REGION });
/** What Config served at each run whose reconciliation was recorded, per aggregator (the lab's record). */
const observations = (aggregator: string): readonly Observation[] => lab.observations.get(aggregator) ?? [];
const runTimes: string[] = [];
let lab: Lab;
let cliVersion: string;
/** Why the AWS CLI cannot run, if it cannot: every test then fails with it (a missing CLI is a failure, not a skip). */
let cliMissing: Error | undefined;
/** The account whose history the docs query: it fails in two regions at T2 and recovers in one at T3. */
let account: string;

const reads = documentedReads(ROOT);

beforeAll(async () => {
  try {
    cliVersion = awsCliVersion();
  } catch (e) {
    cliMissing = e as Error;
    return;
  }

  // The app as deployed with the story's settings (synthesized once per content of the sources, before any endpoint).
  const artifact = labArtifact({ region: REGION, accountId: org.accountId }, { ...LAB_CONTEXT, aggregators: `${ORG},${TEAM}`, emails: 'ops@example.com' });
  const worker = artifact.template.Resources[artifact.worker.logicalId]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;

  org.populate(ORG, { accounts: 30, regions: ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-east-1'], seed: 7, unauthorizedAccounts: 1, optInDisabledAccounts: 2, recorderOff: 2, internal: 1, outdated: 2 });
  org.populate(TEAM, { accounts: 4, regions: ['us-east-1', 'eu-west-1'], seed: 8, firstAccountId: 200_000_000_000, internal: 1, outdated: 0 });
  lab = await Lab.start({
    org,
    aggregators: [ORG, TEAM],
    artifact,
    tableName: 'ConfigAggregatorWatch-MonitorTable-docs',
    // The worker's settings as synthesized, its table and topic references resolved to the local ones.
    workerEnv: (local) => ({ ...local.env, ...(labResolver(artifact, local).resolve(worker?.Variables ?? {}) as Record<string, string>) }),
  });

  const sources = org.sources(ORG);
  const healthy = (id: string) => sources.filter((s) => s.sourceId === id).every((s) => s.status === 'SUCCEEDED');
  account = [...new Set(sources.map((s) => s.sourceId))].find(healthy) ?? '';
  const recorderOff = sources.find((s) => s.errorCode === 'NoAvailableConfigurationRecorderException');
  const other = sources.find((s) => s.status === 'SUCCEEDED' && s.sourceId !== account);
  if (!account || !recorderOff || !other) throw new Error('the simulated organization lacks the sources the story needs');

  await run(T1); // first run: everything FIRST_SEEN, before every documented range
  org.advanceTo(T2);
  for (const region of ['eu-west-1', 'us-east-1']) org.fail(ORG, { sourceId: account, region }, 'unauthorized');
  org.fail(TEAM, { sourceId: '200000000001', region: 'eu-west-1' }, 'recorderOff');
  await run(T2);
  org.advanceTo(T3);
  org.recover(ORG, { sourceId: account, region: 'eu-west-1' });
  org.fail(ORG, recorderOff, 'internal'); // still FAILED, another error code: ERROR_CHANGED
  org.outdate(ORG, other);
  await run(T3);
  await run(T4); // nothing changes
  // Every call the worker and the dispatcher made is one their synthesized roles allow.
  assertLabCallsAllowed(lab);
}, 300_000);

afterAll(async () => {
  await lab?.close();
});

/** One scheduled tick, to the end of its execution, which must succeed with every Task and both aggregators recorded. */
async function run(time: string): Promise<void> {
  const execution = await lab.tick(time);
  runTimes.push(time);
  const failed = execution.invocations.filter((i) => !i.outcome.ok);
  if (execution.status !== 'SUCCEEDED' || failed.length > 0 || [ORG, TEAM].some((a) => !execution.recorded.includes(a))) {
    throw new Error(
      `the run at ${time} did not succeed: ${execution.status} ${execution.error ?? ''} ${execution.cause ?? ''}, recorded ${execution.recorded.join(',') || 'nothing'}, ` +
        `failed Tasks: ${JSON.stringify(failed.map((i) => i.outcome))}`.slice(0, 4_000),
    );
  }
}

// ---- what each kind of claim means -----------------------------------------------------------------------------

/** ISO `at` within [from, to], both prefixes of ISO times, `to` inclusive of everything it begins (the docs' `~`). */
const within = (at: string, from: string, to: string) => at >= from && at.slice(0, to.length) <= to;
/** `agg ACCOUNT#id#region at EVENT from>to`: the oracle's line for a history entry. */
const parseLine = (line: string) => {
  const [, key = '', at = '', , change = ''] = line.split(' ');
  const [type, sourceId, region] = key.split('#');
  return { type, sourceId, region, at, to: change.split('>')[1] };
};
const last = (aggregator: string): readonly SimulatedSource[] => observations(aggregator).at(-1)?.sources ?? [];

interface Check {
  readonly params: readonly string[];
  /** The expected result, compared with `actual`; a check may also assert on the items itself. */
  readonly expected: (p: Record<string, string>) => unknown[];
  readonly actual: (p: Record<string, string>, items: Record<string, unknown>[]) => unknown[];
  /** The attribute that orders the result (for `order=newest-first`). */
  readonly sortKey: string;
}

const CHECKS: Record<string, Check> = {
  /** The source's history entries in one region whose time is in the range. */
  history: {
    params: ['aggregator', 'source', 'region', 'from', 'to', 'order'],
    expected: (p) =>
      expectedHistory(p.aggregator ?? '', observations(p.aggregator ?? '')).filter((line) => {
        const e = parseLine(line);
        return e.sourceId === p.source && e.region === p.region && within(e.at, p.from ?? '', p.to ?? '');
      }),
    actual: (p, items) => actualHistory(items, p.aggregator ?? ''),
    sortKey: 'sk',
  },
  /** The current state of every source Config reported in the status at the last run. */
  current: {
    params: ['aggregator', 'status'],
    expected: (p) =>
      last(p.aggregator ?? '')
        .filter((s) => s.status === p.status)
        .map((s) => `${refKey(s)} ${s.status} ${s.errorCode ?? '-'}`)
        .sort(),
    actual: (p, items) =>
      items.map((i) => {
        expect(i.aggregator, JSON.stringify(i)).toBe(p.aggregator);
        return `${String(i.sourceType)}#${String(i.sourceId)}#${String(i.region)} ${String(i.status)} ${String(i.errorCode ?? '-')}`;
      }).sort(),
    sortKey: 'sk',
  },
  /** Every history entry of the aggregator that left its source in the status, in the range. */
  transitions: {
    params: ['aggregator', 'status', 'from', 'to'],
    expected: (p) =>
      expectedHistory(p.aggregator ?? '', observations(p.aggregator ?? '')).filter((line) => {
        const e = parseLine(line);
        return e.to === p.status && within(e.at, p.from ?? '', p.to ?? '');
      }),
    actual: (p, items) => actualHistory(items, p.aggregator ?? ''),
    sortKey: 'tsk',
  },
  /** One run summary per aggregator per run in the range, each with the fields named. */
  runs: {
    params: ['from', 'to', 'order', 'fields'],
    expected: (p) => runTimes.filter((at) => within(at, p.from ?? '', p.to ?? '')).flatMap((at) => [ORG, TEAM].map((a) => `${at}#${a}`)).sort(),
    actual: (p, items) =>
      items
        .map((i) => {
          for (const field of (p.fields ?? '').split(',').filter(Boolean)) expect(i[field], `${field} of ${JSON.stringify(i)}`).toBeDefined();
          expect(i.outcome).toBe('ok');
          return `${String(i.runAt)}#${String(i.aggregator)}`;
        })
        .sort(),
    sortKey: 'sk',
  },
};

/** The docs' placeholders and the story's values. */
const placeholders = () => ({ 'org-aggregator': ORG, '123456789012': account });

describe('the documented queries', () => {
  it('are found, each with a claim this test can check', () => {
    expect(reads.length).toBeGreaterThanOrEqual(5);
    for (const read of reads) {
      expect(read.expectation, `${read.where}: no <!-- expect: ... --> comment above the block`).toBeDefined();
      const check = CHECKS[read.expectation?.kind ?? ''];
      expect(check, `${read.where}: unknown kind "${read.expectation?.kind}" (known: ${Object.keys(CHECKS).join(', ')})`).toBeDefined();
      const unknown = Object.keys(read.expectation?.params ?? {}).filter((k) => !check?.params.includes(k));
      expect(unknown, `${read.where}: parameters not understood`).toEqual([]);
    }
  });

  it('run with the AWS CLI', () => {
    if (cliMissing) throw cliMissing;
    expect(cliVersion).toMatch(/^aws-cli\/\d+\./);
  });

  // Side by side: each block is a few AWS CLI processes, each about a second of start-up.
  it.concurrent.each(reads.map((r) => [r.where, r] as const))('%s returns what the docs say', async (_where, read: DocumentedRead) => {
    if (cliMissing) throw cliMissing;
    const expectation = read.expectation;
    const check = CHECKS[expectation?.kind ?? ''];
    if (!expectation || !check) throw new Error(`${read.where}: no checkable claim (see the first test)`);
    const p = Object.fromEntries(Object.entries(expectation.params).map(([k, v]) => [k, substitute(v, placeholders())]));
    const code = substitute(read.code, placeholders());

    // A proxy of its own in front of the table, so that the blocks can run side by side and each one's requests are known.
    const proxy = await new DynamoDBRecordingProxy(lab.local.dynamodb.endpoint, { accountId: org.accountId, region: REGION }).start();
    let result: CliRun;
    try {
      result = await runWithAwsCli(code, { endpoint: proxy.endpoint, region: REGION, variables: { TABLE: lab.local.tableName } });
    } finally {
      await proxy.close();
    }
    const requests = proxy.requests;

    const expected = check.expected(p);
    expect(expected.length, `${read.where}: the story gives "${expectation.text}" nothing to return, so it would prove nothing`).toBeGreaterThan(0);
    expect(check.actual(p, result.items), `${read.where}: ${expectation.text}`).toEqual(expected);
    expect(result.items).toHaveLength(expected.length);
    // The docs say every read is a Query: no Scan, no request the block did not show.
    expect(requests.map((r) => r.operation)).toEqual(Array.from({ length: result.calls }, () => 'Query'));
    if (p.order === 'newest-first') {
      const keys = result.items.map((i) => String(i[check.sortKey]));
      expect(keys, 'newest first').toEqual([...keys].sort().reverse());
    } else if (p.order !== undefined) {
      throw new Error(`${read.where}: order=${p.order}: only newest-first is known`);
    }
  }, 180_000);
});
