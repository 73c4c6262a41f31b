/**
 * What the workflow driver (workflow-driver.ts) runs the steps against: Config, SNS, EventBridge and Security Hub
 * mocked at the SDK client, the store on dynalite, the settings. `org` is the simulated truth the mocked Config
 * serves, page by page.
 */
import {
  ConfigServiceClient,
  DescribeConfigurationAggregatorSourcesStatusCommand,
  DescribeConfigurationAggregatorsCommand,
  NoSuchConfigurationAggregatorException,
  type AggregatedSourceStatus,
} from '@aws-sdk/client-config-service';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { BatchImportFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import type { ObservedSource } from '../../core/model';
import { DEFAULTS, type MonitorSettings } from '../../core/settings';
import type { ReportStep } from '../../lambda/reports';
import { HistoryStore } from '../../adapters/store/history-store';
import type { LocalDynamoDB } from '../../tools/local/local-dynamodb';

export const TOPIC = 'arn:aws:sns:us-east-1:123456789012:alerts';
export const CHAT_TOPIC = 'arn:aws:sns:us-east-1:123456789012:chat';

export interface Published {
  subject: string;
  email: string;
  sms: string;
  kind: string[];
  aggregator: string;
}

export class Harness {
  /** aggregator -> its sources, as Config would report them. */
  readonly org = new Map<string, ObservedSource[]>();
  readonly config = mockClient(new ConfigServiceClient({ region: 'us-east-1' }));
  readonly sns = mockClient(new SNSClient({ region: 'us-east-1' }));
  readonly published: Published[] = [];
  readonly store: HistoryStore;
  settings: MonitorSettings;
  publishFails = false;
  /** Formats (email, json, sms) whose publications SNS refuses. */
  readonly failFormats = new Set<string>();
  /** With `integrations`: EventBridge, Security Hub and the chat topic (the driver's), mocked at the SDK client. */
  readonly events = mockClient(new EventBridgeClient({ region: 'us-east-1' }));
  readonly securityHub = mockClient(new SecurityHubClient({ region: 'us-east-1' }));
  /** The chat topic's messages. */
  readonly chat: string[] = [];
  integrations = false;
  /** The status report step (reportBucket), when a test sets one. */
  reports: ReportStep | undefined;

  constructor(local: LocalDynamoDB, tableName: string, settings: Partial<MonitorSettings> = {}) {
    this.store = new HistoryStore(local.documentClient, { tableName, historyRetentionDays: 30, backoffMs: 1 });
    this.settings = {
      tableName,
      topicArn: TOPIC,
      alertStatuses: [...DEFAULTS.alertStatuses],
      remindAfterHours: DEFAULTS.remindAfterHours,
        aggregatorConcurrency: DEFAULTS.aggregatorConcurrency,
        reconcileConcurrency: DEFAULTS.reconcileConcurrency,
      notifyRecoveries: true,
      fullSweepHours: DEFAULTS.fullSweepHours,
      historyRetentionDays: 30,
      ...settings,
    };
    this.config.on(DescribeConfigurationAggregatorsCommand).callsFake(() => ({
      ConfigurationAggregators: [...this.org.keys()].map((ConfigurationAggregatorName) => ({ ConfigurationAggregatorName })),
    }));
    this.config.on(DescribeConfigurationAggregatorSourcesStatusCommand).callsFake((input) => {
      const sources = this.org.get(input.ConfigurationAggregatorName);
      if (!sources) throw new NoSuchConfigurationAggregatorException({ message: 'no such aggregator', $metadata: {} });
      const filtered = input.UpdateStatus ? sources.filter((s) => input.UpdateStatus.includes(s.status)) : sources;
      const start = input.NextToken ? Number(input.NextToken) : 0;
      const page = filtered.slice(start, start + input.Limit);
      const next = start + input.Limit < filtered.length ? String(start + input.Limit) : undefined;
      return { AggregatedSourceStatusList: page.map(toWire), ...(next ? { NextToken: next } : {}) };
    });
    // One entry per digest part, read from its e-mail publication; the part's SMS (part 1 only) joins it.
    this.sns.on(PublishCommand).callsFake((input) => {
      if (input.TopicArn === CHAT_TOPIC) {
        this.chat.push(input.Message as string);
        return { MessageId: `c-${this.chat.length}` };
      }
      if (this.publishFails) throw Object.assign(new Error('SNS is down'), { name: 'InternalErrorException' });
      const format = input.MessageAttributes.format.StringValue as string;
      if (this.failFormats.has(format)) throw Object.assign(new Error(`SNS refused the ${format} publication`), { name: 'InternalErrorException' });
      if (format === 'email') {
        this.published.push({
          subject: input.Subject,
          email: input.Message,
          sms: '',
          kind: JSON.parse(input.MessageAttributes.kinds.StringValue) as string[],
          aggregator: input.MessageAttributes.aggregator.StringValue,
        });
      } else if (format === 'sms') {
        const last = this.published.at(-1);
        if (last) last.sms = input.Message;
      }
      return { MessageId: `m-${this.sns.commandCalls(PublishCommand).length}` };
    });
  }

  /** Every event sent so far (accepted or not), as its detail. */
  sentEvents(): Record<string, unknown>[] {
    return this.events.commandCalls(PutEventsCommand).flatMap((c) => (c.args[0].input.Entries ?? []).map((e) => JSON.parse(e.Detail ?? '{}') as Record<string, unknown>));
  }

  /** Every finding sent so far. */
  sentFindings() {
    return this.securityHub.commandCalls(BatchImportFindingsCommand).flatMap((c) => c.args[0].input.Findings ?? []);
  }

  set(aggregator: string, sourceId: string, region: string, change: Partial<ObservedSource>): void {
    const sources = this.org.get(aggregator) ?? [];
    const i = sources.findIndex((s) => s.sourceId === sourceId && s.region === region);
    if (i < 0) throw new Error(`no source ${sourceId} ${region}`);
    sources[i] = { ...sources[i]!, ...change };
  }

  remove(aggregator: string, sourceId: string, region: string): void {
    this.org.set(aggregator, (this.org.get(aggregator) ?? []).filter((s) => !(s.sourceId === sourceId && s.region === region)));
  }

  /** Calls to DescribeConfigurationAggregatorSourcesStatus so far, with their input. */
  statusCalls() {
    return this.config.commandCalls(DescribeConfigurationAggregatorSourcesStatusCommand).map((c) => c.args[0].input);
  }
}

function toWire(s: ObservedSource): AggregatedSourceStatus {
  return {
    SourceId: s.sourceId,
    SourceType: s.sourceType as AggregatedSourceStatus['SourceType'],
    AwsRegion: s.region,
    LastUpdateStatus: s.status as AggregatedSourceStatus['LastUpdateStatus'],
    ...(s.lastUpdateTime ? { LastUpdateTime: new Date(s.lastUpdateTime) } : {}),
    ...(s.errorCode ? { LastErrorCode: s.errorCode } : {}),
    ...(s.errorMessage ? { LastErrorMessage: s.errorMessage } : {}),
  };
}

export const minutes = (iso: string, n: number) => new Date(Date.parse(iso) + n * 60_000).toISOString();
