/**
 * `npm run demo`: the monitor, run here, with nothing to set up. In this one process: a simulated organization
 * (300 accounts x 17 regions = 5,100 sources) behind a local AWS Config endpoint, DynamoDB (dynalite), SNS and
 * Step Functions; then the real engine for several scheduled ticks while sources fail, stay failing past the
 * reminder interval, recover and leave: each tick invokes the dispatcher's handler, which starts an execution of the
 * run's state machine as the CDK app synthesizes it, whose every Task invokes the worker's handler (one step each).
 * The read rounds get a short time budget, so that the first run's read spans several invocations; a tick fired
 * while that run is going is skipped. Then the CLI against the local table.
 *
 * Options: --full prints whole e-mails (default: the first lines of each); --report <file> where the HTML status
 * report goes (default: aggwatch-demo-report.html in the system's temporary directory).
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { RunSummary } from '../core/model';
import { runCli, type CliIo } from '../cli/main';
import type { PublishedMessage } from '../tools/local/fake-sns';
import { startLocalMode } from '../tools/local/local-mode';
import { taskCounts, taskSummary, type LocalRuns, type LocalTick } from '../tools/local/local-runs';
import type { LocalExecution } from '../tools/local/sfn-execution';
import { DEMO_REGIONS, SimulatedOrganization } from '../tools/local/simulated-organization';

const AGGREGATOR = 'org-aggregator';
const ACCOUNTS = 300;
const REMIND_AFTER_HOURS = 4;
const { values: options } = parseArgs({ options: { full: { type: 'boolean', default: false }, report: { type: 'string' } } });
const EMAIL_LINES = options.full ? Number.POSITIVE_INFINITY : 24;
const REPORT = resolve(options.report ?? join(tmpdir(), 'aggwatch-demo-report.html'));
const HOUR = 3_600_000;
/**
 * A read round's time before it stops starting chunks (its Lambda context counts down from the read step's margin
 * plus this): a deployed round has about 13 minutes; here a fraction of a second, so that the first run's read of
 * 51 pages spans several rounds, each continuing from the cursor the previous one left in the table.
 */
const READ_ROUND_BUDGET_MS = 400;
/** The schedule fires again this long after the first tick, while the first run is still going: skipped. */
const OVERLAP_HOURS = 0.25;

const started = Date.now();
// Ticks are hours apart, in the recent past, so that the CLI's "--since 30d" and "ago" read naturally.
const base = Math.floor(Date.now() / HOUR) * HOUR - 12 * HOUR;
const at = (hours: number) => new Date(base + hours * HOUR).toISOString();

const org = new SimulatedOrganization({ now: at(0), seed: 7 });
org.populate(AGGREGATOR, { accounts: ACCOUNTS, regions: DEMO_REGIONS, seed: 7 });

const out = (line = '') => process.stdout.write(`${line}\n`);
const rule = (title: string) => out(`\n${'─'.repeat(3)} ${title} ${'─'.repeat(Math.max(3, 100 - title.length))}`);
const n = (x: number) => x.toLocaleString('en-US');

let published: PublishedMessage[] = [];
/** What the chat topic received (Amazon Q Developer custom notifications). */
const chatCards: string[] = [];
const local = await startLocalMode({
  org,
  settings: { aggregators: [AGGREGATOR], remindAfterHours: REMIND_AFTER_HOURS, securityHubFindings: true },
  chat: true,
  onPublish: (m) => {
    published.push(m);
    if (m.topicArn === local.settings.chatTopicArn) chatCards.push(m.message);
  },
});
let failed = false;

try {
  // The handler reads its environment once, at import: the local endpoints must be in place first.
  local.applyEnv();
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  // The dispatcher, the state machine (synthesized from the CDK app) and the worker, all on the local endpoints.
  let overlapping: Promise<LocalTick> | undefined;
  const runs: LocalRuns = await local.startRuns({
    readRoundBudgetMs: READ_ROUND_BUDGET_MS,
    beforeTask: ({ stateName, executionArn }) => {
      // The second read round of the first run: the schedule fires again (+15 min) while this execution is running.
      const first = runs.executions()[0];
      if (overlapping || stateName !== 'ReadRound' || executionArn !== first?.options.executionArn) return undefined;
      if (first.invocations.filter((c) => c.state === 'ReadRound').length < 2) return undefined;
      overlapping = runs.tick(at(OVERLAP_HOURS));
      return undefined;
    },
  });

  const counts = org.counts(AGGREGATOR);
  out('config-aggregator-watch: local mode demo');
  out(
    `Simulated organization: ${ACCOUNTS} accounts x ${DEMO_REGIONS.length} regions = ${n(org.sources(AGGREGATOR).length)} sources ` +
      `in aggregator "${AGGREGATOR}" (${statusText(counts)})`,
  );
  out(`Local endpoints: Config ${local.config.endpoint} · DynamoDB ${local.dynamodbProxy.endpoint} · SNS ${local.sns.endpoint} · Step Functions ${local.stepFunctions.endpoint}`);
  out(`State machine ${local.stateMachineArn} (the CDK app's definition, synthesized here), its Tasks invoking ${runs.worker.logicalId}; read rounds of ${READ_ROUND_BUDGET_MS} ms`);
  out(`Table ${local.tableName} · topic ${local.topicArn} · REMIND_AFTER_HOURS=${REMIND_AFTER_HOURS}, FULL_SWEEP_HOURS=${local.settings.fullSweepHours}`);

  // A source that fails during the demo: the first account from #42 whose three EU regions are healthy.
  const euRegions = ['eu-west-1', 'eu-west-2', 'eu-central-1'];
  const account = pickAccount(euRegions);
  const removedSource = org.inStatus(AGGREGATOR, 'FAILED').find((s) => s.errorCode === 'NoAvailableConfigurationRecorderException');
  const newlyFailing = org.inStatus(AGGREGATOR, 'OUTDATED')[0];
  const outdating = org.inStatus(AGGREGATOR, 'SUCCEEDED').find((s) => s.sourceId !== account && s.region === 'sa-east-1');
  if (!removedSource || !newlyFailing || !outdating) throw new Error('the simulated organization lacks the sources the story needs');

  const ticks: { hours: number; story: string; change?: () => void; expect?: (r: TickResult) => string | undefined }[] = [
    {
      hours: 0,
      story: 'first run: the monitor sees the organization for the first time; its read spans several read rounds',
      expect: (r) =>
        r.messages.length !== 1
          ? 'the first run should publish one digest'
          : (taskCounts(r.execution).ReadRound ?? 0) < 2
            ? 'the first run should read over several rounds'
            : undefined,
    },
    {
      hours: 1,
      story: `account ${account} loses its aggregation authorization in ${euRegions.join(', ')}; ${outdating.sourceId} ${outdating.region} goes OUTDATED (not alerted)`,
      change: () => {
        for (const region of euRegions) org.fail(AGGREGATOR, { sourceId: account, region }, 'unauthorized');
        org.outdate(AGGREGATOR, outdating);
      },
      expect: (r) =>
        euRegions.every((region) => r.messages.some((m) => m.message.includes(`${account} (ACCOUNT), ${region}`)))
          ? undefined
          : `the digest should name ${account} in each of ${euRegions.join(', ')}`,
    },
    {
      hours: 2,
      story: 'nothing changes',
      expect: (r) => (r.messages.length === 0 ? undefined : 'a run with no change should publish nothing'),
    },
    {
      hours: 5,
      story: `nothing changes, but failures notified ${REMIND_AFTER_HOURS}+ hours ago are due a reminder`,
      expect: (r) => (r.messages.some((m) => attribute(m, 'kinds').includes('reminder')) ? undefined : 'reminders were due'),
    },
    {
      hours: 6,
      story:
        `account ${account} is authorized again; ${removedSource.sourceId} ${removedSource.region} leaves the aggregator; ` +
        `${newlyFailing.sourceId} ${newlyFailing.region} goes from OUTDATED to FAILED`,
      change: () => {
        for (const region of euRegions) org.recover(AGGREGATOR, { sourceId: account, region });
        org.removeSource(AGGREGATOR, removedSource);
        org.fail(AGGREGATOR, newlyFailing, 'recorderOff');
      },
      expect: (r) => (r.messages.some((m) => attribute(m, 'kinds').includes('recovery')) ? undefined : 'recoveries should be notified'),
    },
    {
      hours: 7,
      story: 'nothing changes',
      expect: (r) => (r.messages.length === 0 ? undefined : 'a run with no change should publish nothing'),
    },
  ];

  for (const [i, tick] of ticks.entries()) {
    const time = at(tick.hours);
    org.advanceTo(time);
    tick.change?.();
    rule(`Tick ${i + 1} · ${time} (+${tick.hours}h)`);
    out(`  ${tick.story}`);
    const result = await runTick(runs, time);
    out(`  execution ${result.execution.options.name}: ${result.execution.status} · ${taskSummary(result.execution)}`);
    for (const m of result.messages) printMessage(m, result.sms);
    if (result.messages.length === 0) out('  (no notification)');
    out(`  run: ${summary(result)}`);
    const { status, error, cause } = result.execution;
    const problem = status !== 'SUCCEEDED' ? `the execution ended ${status}: ${error}: ${cause}` : tick.expect?.(result);
    if (problem) throw new Error(`Tick ${i + 1}: ${problem}`);
    if (i === 0) await showSkipped(overlapping);
  }

  rule('Where security teams work: EventBridge, Security Hub CSPM, chat (docs/integrations.md)');
  showIntegrations();

  rule('The CLI against the local table');
  await showCli(account);
} catch (e) {
  failed = true;
  process.stderr.write(`\ndemo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
} finally {
  await local.close();
}
out(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
process.exit(failed ? 1 : 0);

// ---------------------------------------------------------------------------------------------------------------

interface TickResult {
  readonly execution: LocalExecution;
  /** The run summaries Finalize recorded, one per aggregator. */
  readonly summaries: RunSummary[];
  /** The digests' e-mail publications (one per digest part). */
  readonly messages: PublishedMessage[];
  /** The digests' SMS publications. */
  readonly sms: PublishedMessage[];
  readonly writeRequests: number;
  readonly ms: number;
}

/** One event, one finding and one chat card of the ticks above, as the local EventBridge, Security Hub and SNS got them. */
function showIntegrations(): void {
  const events = local.eventBridge.events;
  const findings = [...local.securityHub.findings.values()];
  out(`  ${n(events.length)} events on the default bus · ${n(findings.length)} findings in Security Hub · ${n(chatCards.length)} chat cards`);
  const event = events.find((e) => e.detail.noticeKind === 'failure');
  const indent = (text: string) => text.split('\n').map((l) => `    │ ${l}`).join('\n');
  if (event) out(`  One event (${event['detail-type']}):\n${indent(JSON.stringify(event, null, 2))}`);
  const finding = findings[0]?.finding;
  if (finding) {
    const { Id, Title, FindingProviderFields, RecordState, Resources } = finding as Record<string, unknown>;
    out(`  One finding:\n${indent(JSON.stringify({ Id, Title, FindingProviderFields, RecordState, Resources }, null, 2))}`);
  }
  const card = chatCards[0];
  if (card) out(`  One chat card:\n${indent(JSON.stringify(JSON.parse(card), null, 2))}`);
  if (!event || !finding || !card) throw new Error('the integrations should have received an event, a finding and a chat card');
}

/** One scheduled tick: the dispatcher starts its execution, which runs to its end. */
async function runTick(runs: LocalRuns, time: string): Promise<TickResult> {
  published = [];
  const writesBefore = local.dynamodbProxy.writes().length;
  const t0 = Date.now();
  const tick = await runs.run(time);
  const execution = tick.execution;
  if (!execution) throw new Error(`the dispatcher started no execution for ${time}: ${JSON.stringify(tick.dispatch)}`);
  const ms = Date.now() - t0;
  const summaries = await local.store.runs({ from: tick.runAt, to: tick.runAt });
  const format = (f: string) => published.filter((m) => m.attributes.format?.value === f);
  return { execution, summaries, messages: format('email'), sms: format('sms'), writeRequests: local.dynamodbProxy.writes().length - writesBefore, ms };
}

/** The tick the schedule fired while the first run was going: the dispatcher skipped it and recorded that. */
async function showSkipped(overlapping: Promise<LocalTick> | undefined): Promise<void> {
  const tick = await overlapping;
  if (!tick) throw new Error('the overlapping tick was never fired (the first run read in one round)');
  rule(`Tick · ${tick.runAt} (+${OVERLAP_HOURS * 60}m), fired during the first run's read`);
  const d = tick.dispatch;
  if (d.outcome !== 'skipped') throw new Error(`the tick fired during the first run should be skipped, not ${d.outcome}`);
  out(`  dispatcher: skipped · ${d.execution} not started: ${d.running} was still running (one execution at a time); recorded:`);
  await aggwatch(['runs', '--since', at(0), '--until', tick.runAt, '--table', local.tableName]);
}

function printMessage(m: PublishedMessage, sms: readonly PublishedMessage[]): void {
  const kinds = attribute(m, 'kinds').join(', ');
  out(`  ✉ ${m.subject ?? '(no subject)'}`);
  out(`    attributes: kinds=${kinds} severity=${attribute(m, 'severity').join('')} statuses=${attribute(m, 'statuses').join(',')} count=${String(m.attributes.count?.value ?? '')}`);
  const text = sms.find((t) => t.attributes.aggregator?.value === m.attributes.aggregator?.value)?.message;
  out(`    SMS: ${text ?? '(none: no notice of the kinds SMS_NOTICES chooses)'}`);
  const lines = m.message.trimEnd().split('\n');
  out('    E-mail:');
  for (const line of lines.slice(0, EMAIL_LINES)) out(`    │ ${line}`);
  if (lines.length > EMAIL_LINES) out(`    │ … ${lines.length - EMAIL_LINES} more lines (npm run demo -- --full prints them)`);
}

function attribute(m: PublishedMessage, name: string): string[] {
  const value = m.attributes[name]?.value;
  return Array.isArray(value) ? value : value === undefined ? [] : [String(value)];
}

function summary(r: TickResult): string {
  const parts = r.summaries.map((a) => {
    if (a.outcome === 'error') return `${a.aggregator}: ERROR ${a.error?.name}: ${a.error?.message}`;
    const mode = a.mode === 'full' ? `full sweep (${a.sweepReason ?? 'schedule'})` : 'fast path (FAILED and OUTDATED only)';
    return (
      `${mode} · ${a.configCalls} Config call${a.configCalls === 1 ? '' : 's'} · ${n(a.sourcesRead)} sources read · ` +
      `${statusText(a.counts)} · ${n(a.historyWritten)} history + ${n(a.stateWritten)} state items written`
    );
  });
  return `${parts.join(' | ')} · ${r.writeRequests} DynamoDB write request${r.writeRequests === 1 ? '' : 's'} · ${r.messages.length} notification${r.messages.length === 1 ? '' : 's'} · ${(r.ms / 1000).toFixed(2)} s`;
}

function statusText(counts: Readonly<Record<string, number>>): string {
  const order = ['SUCCEEDED', 'FAILED', 'OUTDATED'];
  return Object.entries(counts)
    .sort(([a], [b]) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99))
    .map(([status, count]) => `${n(count)} ${status}`)
    .join(', ');
}

function pickAccount(regions: readonly string[]): string {
  for (let i = 42; i < ACCOUNTS; i++) {
    const sourceId = String(100_000_000_000 + i);
    if (regions.every((region) => org.source(AGGREGATOR, { sourceId, region }).status === 'SUCCEEDED')) return sourceId;
  }
  throw new Error('no healthy account to fail');
}

// ---------------------------------------------------------------------------------------------------------------
// The CLI
// ---------------------------------------------------------------------------------------------------------------

async function showCli(failingAccount: string): Promise<void> {
  const table = local.tableName;
  const commands = [
    ['current', '--table', table],
    ['history', '--source', failingAccount, '--table', table],
    ['failures', '--since', '30d', '--table', table],
    ['runs', '--since', '30d', '--table', table],
    ['report', '--table', table, '--out', REPORT],
  ];
  for (const argv of commands) await aggwatch(argv);
  out(`\nThe status report (one self-contained HTML file): ${pathToFileURL(REPORT).href}`);
}

/** One CLI command, printed as typed, its output indented. */
async function aggwatch(argv: string[]): Promise<void> {
  const indent = (chunk: string) => chunk.replace(/^(?=.)/gm, '  ');
  // The CLI reads the same environment as the handler: its DynamoDB client reaches the local table.
  const io: CliIo = {
    stdout: { write: (chunk: string) => process.stdout.write(indent(chunk)) },
    stderr: { write: (chunk: string) => process.stderr.write(indent(chunk)) },
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
  };
  out(`\n$ npx aggwatch ${argv.join(' ')}`);
  const code = await runCli(argv, io);
  if (code !== 0) throw new Error(`aggwatch ${argv.join(' ')} exited with ${code}`);
}
