/**
 * The Lambda entry point of the worker. Invoked by the run's state machine with `{ "step": ... }`: one step of the
 * workflow per invocation (core/workflow.ts). The input is validated first: an event without `step` (say, the
 * schedule's, which goes to the dispatcher, lambda/dispatcher.ts), an unknown step or a bad field fails the
 * invocation naming what it got and what is allowed, before anything is read or written.
 * Everything that can be built once is built at cold start: settings (validated: a bad value fails the init with a
 * clear message), clients, adapters, Logger, Metrics.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { config, configRate, dynamodb, eventBridge, s3, securityHub, sns } from './clients';
import { ConfigReader } from '../adapters/config-reader';
import { EventsPublisher } from '../adapters/events-publisher';
import { ChatNotifier, Notifier } from '../adapters/notifier';
import type { SecurityHubPublisher } from '../adapters/securityhub-publisher';
import type { Deadline } from '../core/deadline';
import type { FindingsContext } from '../core/findings';
import { settingsFromEnvironment } from '../core/settings';
import { TELEMETRY } from '../core/telemetry';
import { HistoryStore } from '../adapters/store/history-store';
import { RunStore } from '../adapters/store/run-store';
import { WRITE_ITEMS_PER_SECOND } from '../adapters/store/table-schema';
import { parseStepInput } from '../core/workflow-input';
import type { StepName } from '../core/workflow';
import { FullSweepReports, type ReportOutcome } from './reports';
import { runStep, type StepDeps, type StepResult } from './steps';

const settings = settingsFromEnvironment(process.env);
const logger = new Logger({ serviceName: TELEMETRY.service });
const metrics = new Metrics({ namespace: TELEMETRY.namespace, serviceName: TELEMETRY.service });
/**
 * The current invocation's time left, for the integrations' retries: no attempt starts within the last
 * DELIVERY_RESERVE_MS, kept for the Notify step to record what was accepted before the function's timeout.
 */
let remainingMs = () => Number.POSITIVE_INFINITY;
const DELIVERY_RESERVE_MS = 10_000;
const deadline: Deadline = { remainingMs: () => remainingMs(), reserveMs: DELIVERY_RESERVE_MS };
const store = new HistoryStore(dynamodb, { tableName: settings.tableName, historyRetentionDays: settings.historyRetentionDays });
const REPORT_METRIC = {
  written: TELEMETRY.metrics.reportsWritten,
  failed: TELEMETRY.metrics.reportFailures,
  skipped: TELEMETRY.metrics.reportsSkipped,
} as const satisfies Record<ReportOutcome, string>;
/** The report step, its writer and the S3 client loaded only when REPORT_BUCKET is set (top-level await, at init). */
async function reportStep(bucket: string): Promise<FullSweepReports> {
  const [{ ReportWriter }, client] = await Promise.all([import('../adapters/report-writer'), s3()]);
  return new FullSweepReports(new ReportWriter(client, store, { bucket }), logger, {
    // Lambda sets AWS_REGION (Lambda Developer Guide, "Defined runtime environment variables").
    ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
    count: (outcome) => metrics.addMetric(REPORT_METRIC[outcome], MetricUnit.Count, 1),
  });
}
const reports = settings.reportBucket ? await reportStep(settings.reportBucket) : undefined;
/** The Security Hub publisher and its client, loaded only when securityHubFindings is on (top-level await, at init). */
async function findingsPublisher(): Promise<SecurityHubPublisher> {
  const [{ SecurityHubPublisher }, client] = await Promise.all([import('../adapters/securityhub-publisher'), securityHub()]);
  return new SecurityHubPublisher(client, { deadline });
}
const findings = settings.securityHubFindings ? await findingsPublisher() : undefined;
const deps = {
  settings,
  logger,
  reader: new ConfigReader(config),
  store,
  notifier: new Notifier(sns, settings.topicArn),
  integrations: {
    events: new EventsPublisher(eventBridge, { deadline }),
    ...(findings ? { findings } : {}),
    ...(settings.chatTopicArn ? { chat: new ChatNotifier(sns, settings.chatTopicArn) } : {}),
  },
  ...(reports ? { reports } : {}),
};

/**
 * The run's working state, written at the table's pace (WRITE_ITEMS_PER_SECOND) by the steps that run alone (Begin,
 * the read rounds, Finalize: nothing else of the run writes meanwhile), and at a share of it by those the Maps run
 * concurrently (reconcileConcurrency units or aggregators at once), so that all of them together keep to it.
 */
const runStore = (writesPerSecond: number) =>
  new RunStore(dynamodb, { tableName: settings.tableName, historyRetentionDays: settings.historyRetentionDays, writesPerSecond });
const alone: StepDeps = { ...deps, runs: runStore(WRITE_ITEMS_PER_SECOND), rate: configRate, metrics };
const concurrent: StepDeps = { ...alone, runs: runStore(WRITE_ITEMS_PER_SECOND / settings.reconcileConcurrency) };
const RUN_ALONE: ReadonlySet<StepName> = new Set(['begin', 'read', 'finalize']);

export const handler = async (event: unknown, context: Context): Promise<StepResult> => {
  logger.addContext(context);
  const input = parseStepInput(event);
  logger.appendKeys({ step: input.step, runAt: 'at' in input ? input.at : input.runAt });
  remainingMs = () => context.getRemainingTimeInMillis();
  try {
    const findingsContext = settings.securityHubFindings ? functionAccount(context.invokedFunctionArn) : undefined;
    return await runStep(RUN_ALONE.has(input.step) ? alone : concurrent, input, { remainingMs, ...(findingsContext ? { findingsContext } : {}) });
  } finally {
    // Only Finalize stores the run's metrics: the other steps would log Powertools' "No application metrics" warning.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    logger.removeKeys(['step']);
  }
};

/**
 * The account, region and partition the function runs in, from its ARN (arn:partition:lambda:region:account:
 * function:name, Lambda context object): BatchImportFindings requires the caller's own account as AwsAccountId.
 */
export function functionAccount(functionArn: string): FindingsContext | undefined {
  const [arn, partition, service, region, accountId] = functionArn.split(':');
  if (arn !== 'arn' || service !== 'lambda' || !partition || !region || !accountId || !/^\d{12}$/.test(accountId)) return undefined;
  return { partition, region, accountId };
}
