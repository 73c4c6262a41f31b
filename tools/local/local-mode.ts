/**
 * The embedded local mode: everything the handler talks to, in this process, on 127.0.0.1:
 * - DynamoDB: dynalite (in memory) behind a recording proxy, with the monitor's table created from the shared
 *   definition;
 * - AWS Config: the fake endpoint over a SimulatedOrganization;
 * - SNS: the fake endpoint with the alert topic (and, with `chat`, the chat topic);
 * - EventBridge and Security Hub CSPM: the fake endpoints of the integrations (their default bus and product);
 * - Step Functions: the local endpoint (fake-stepfunctions.ts), where `startRuns()` registers the run's state machine
 *   as the app synthesizes it and binds its Tasks to the worker (local-runs.ts): each tick is then an execution.
 *
 * `env` is the environment the handler needs, and nothing else: the SDK's own `AWS_ENDPOINT_URL_<SERVICE>`
 * variables, a region, dummy credentials, the monitor's settings as the stack writes them (`settingsToEnvironment`)
 * and the dispatcher's (`dispatcherSettingsToEnvironment`: the state machine's ARN). The handlers read it at cold start, so it must be in place before the handler's
 * module is first imported (or give it to a child process).
 */
import { DEFAULTS, dispatcherSettingsToEnvironment, settingsToEnvironment, type MonitorSettings } from '../../core/settings';
import { HistoryStore } from '../../adapters/store/history-store';
import { FakeConfigService, type FakeConfigOptions } from './fake-config-service';
import { FakeEventBridge } from './fake-eventbridge';
import { FakeSecurityHub } from './fake-securityhub';
import type { FakeServerOptions } from './fake-server';
import { FakeSns, type PublishedMessage } from './fake-sns';
import { FakeStepFunctions } from './fake-stepfunctions';
import { LOCAL_CREDENTIALS, startLocalDynamoDB, type LocalDynamoDB } from './local-dynamodb';
import { LocalRuns, type LocalRunsOptions } from './local-runs';
import { DynamoDBRecordingProxy } from './recording-proxy';
import { SimulatedOrganization } from './simulated-organization';

export type LocalSettings = Partial<Omit<MonitorSettings, 'tableName' | 'topicArn' | 'chatTopicArn'>>;

export interface LocalModeOptions {
  /** The organization Config serves; default: an empty one in 123456789012 / us-east-1. */
  readonly org?: SimulatedOrganization;
  readonly tableName?: string;
  readonly topicName?: string;
  /** Monitor settings other than the table and the topic; defaults as deployed, except a short retention. */
  readonly settings?: LocalSettings;
  /** Called with each message SNS accepts. */
  readonly onPublish?: (message: PublishedMessage) => void;
  /** Create a chat topic and give the function its ARN (chatTopicArn). */
  readonly chat?: boolean;
  /** Latency added to each Config call, in ms (the benchmark uses it to model the real API). */
  readonly configLatencyMs?: FakeServerOptions['latencyMs'];
  /**
   * Config refuses requests with ThrottlingException once this many were accepted in the last second, account-wide
   * (both operations share the budget). Default: no limit. Also settable later: `local.config.throttleAbovePerSecond`.
   */
  readonly throttleAbovePerSecond?: FakeConfigOptions['throttleAbovePerSecond'];
  /** Config refuses a NextToken older than this many ms (InvalidNextTokenException). Default: tokens never expire. */
  readonly tokenTtlMs?: FakeConfigOptions['tokenTtlMs'];
}

export interface LocalMode {
  readonly org: SimulatedOrganization;
  readonly config: FakeConfigService;
  readonly sns: FakeSns;
  readonly eventBridge: FakeEventBridge;
  readonly securityHub: FakeSecurityHub;
  /** The local Step Functions endpoint (AWS_ENDPOINT_URL_SFN); the run's state machine is registered by startRuns(). */
  readonly stepFunctions: FakeStepFunctions;
  /** The run's state machine's ARN, as the dispatcher's environment names it (STATE_MACHINE_ARN). */
  readonly stateMachineArn: string;
  /** The synthesis context the local settings make (`cdk synth -c` keys), for the run's state machine. */
  readonly context: Readonly<Record<string, unknown>>;
  /** dynalite itself: its client reads and writes without being recorded. */
  readonly dynamodb: LocalDynamoDB;
  /** What the handler's DynamoDB calls go through, and are recorded by. */
  readonly dynamodbProxy: DynamoDBRecordingProxy;
  readonly tableName: string;
  readonly topicArn: string;
  readonly settings: MonitorSettings;
  /** The handler's whole environment. */
  readonly env: Readonly<Record<string, string>>;
  /** A store on the local table, for reading what the handler wrote (not recorded by the proxy). */
  readonly store: HistoryStore;
  /** Sets `env` on `target` (default process.env); returns a function that restores the previous values. */
  applyEnv(target?: NodeJS.ProcessEnv): () => void;
  /**
   * The run's engine: registers the app's state machine on the local Step Functions endpoint, its Tasks bound to the
   * worker's handler, ticks through the dispatcher's (local-runs.ts). Imports the handlers unless given: call
   * applyEnv() first. Once only.
   */
  startRuns(options?: LocalRunsOptions): Promise<LocalRuns>;
  close(): Promise<void>;
}

/** Variables that would send the SDK elsewhere, cleared in the handler's environment. */
const CLEARED = ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE'] as const;

export async function startLocalMode(options: LocalModeOptions = {}): Promise<LocalMode> {
  const org = options.org ?? new SimulatedOrganization();
  const tableName = options.tableName ?? 'config-aggregator-watch-local';
  const started: { close(): Promise<void> }[] = [];
  try {
    const dynamodb = await startLocalDynamoDB();
    started.push(dynamodb);
    await dynamodb.createTable(tableName);
    const dynamodbProxy = await new DynamoDBRecordingProxy(dynamodb.endpoint, { accountId: org.accountId, region: org.region }).start();
    started.push(dynamodbProxy);
    const config = await new FakeConfigService(org, {
      ...(options.configLatencyMs === undefined ? {} : { latencyMs: options.configLatencyMs }),
      ...(options.throttleAbovePerSecond === undefined ? {} : { throttleAbovePerSecond: options.throttleAbovePerSecond }),
      ...(options.tokenTtlMs === undefined ? {} : { tokenTtlMs: options.tokenTtlMs }),
    }).start();
    started.push(config);
    const sns = await new FakeSns(org.accountId, org.region, options.onPublish ? { onPublish: options.onPublish } : {}).start();
    started.push(sns);
    const topicArn = sns.createTopic(options.topicName ?? 'config-aggregator-watch-alerts');
    const chatTopicArn = options.chat ? sns.createTopic(`${options.topicName ?? 'config-aggregator-watch-alerts'}-chat`) : undefined;
    const eventBridge = await new FakeEventBridge(org.accountId, org.region).start();
    started.push(eventBridge);
    const securityHub = await new FakeSecurityHub(org.accountId, org.region).start();
    started.push(securityHub);
    const stepFunctions = await new FakeStepFunctions({ accountId: org.accountId, region: org.region }).start();
    started.push(stepFunctions);
    const stateMachineArn = `arn:aws:states:${org.region}:${org.accountId}:stateMachine:${tableName}-runs`;

    const settings: MonitorSettings = {
      alertStatuses: [...DEFAULTS.alertStatuses],
      remindAfterHours: DEFAULTS.remindAfterHours,
      aggregatorConcurrency: DEFAULTS.aggregatorConcurrency,
      reconcileConcurrency: DEFAULTS.reconcileConcurrency,
      notifyRecoveries: DEFAULTS.notifyRecoveries,
      fullSweepHours: DEFAULTS.fullSweepHours,
      historyRetentionDays: 30,
      ...options.settings,
      tableName,
      topicArn,
      ...(chatTopicArn ? { chatTopicArn } : {}),
    };
    const env: Record<string, string> = {
      ...localAwsEnvironment(
        {
          config: config.endpoint,
          dynamodb: dynamodbProxy.endpoint,
          sns: sns.endpoint,
          eventBridge: eventBridge.endpoint,
          securityHub: securityHub.endpoint,
          stepFunctions: stepFunctions.endpoint,
        },
        org.region,
      ),
      ...settingsToEnvironment(settings),
      ...dispatcherSettingsToEnvironment({ stateMachineArn, tableName, historyRetentionDays: settings.historyRetentionDays }),
    };
    // What shapes the state machine: the settings of the same name as context keys (lib/context-settings.ts).
    const context = {
      ...(settings.aggregators?.length ? { aggregators: settings.aggregators.join(',') } : {}),
      aggregatorConcurrency: settings.aggregatorConcurrency,
      reconcileConcurrency: settings.reconcileConcurrency,
    };
    let runs: Promise<LocalRuns> | undefined;
    const store = new HistoryStore(dynamodb.documentClient, { tableName, historyRetentionDays: settings.historyRetentionDays });

    return {
      org,
      config,
      sns,
      eventBridge,
      securityHub,
      stepFunctions,
      stateMachineArn,
      context,
      dynamodb,
      dynamodbProxy,
      tableName,
      topicArn,
      settings,
      env,
      store,
      applyEnv(target = process.env) {
        const previous = new Map<string, string | undefined>();
        for (const key of [...CLEARED, ...Object.keys(env)]) previous.set(key, target[key]);
        for (const key of CLEARED) delete target[key];
        Object.assign(target, env);
        return () => {
          for (const [key, value] of previous) {
            if (value === undefined) delete target[key];
            else target[key] = value;
          }
        };
      },
      startRuns(runsOptions) {
        if (runs) throw new Error('startRuns() was called already: the run state machine is registered once');
        runs = LocalRuns.start({ target: org, stepFunctions, stateMachineArn, env, context }, runsOptions);
        return runs;
      },
      async close() {
        await closeAll(started);
      },
    };
  } catch (e) {
    await closeAll(started);
    throw e;
  }
}

/**
 * The SDK variables that point every client at the local endpoints: service-specific endpoint URLs (the SDK's
 * `AWS_ENDPOINT_URL_<SERVICE ID>`, spaces as underscores), a region, static credentials, no instance metadata.
 */
export function localAwsEnvironment(
  endpoints: { config: string; dynamodb: string; sns: string; eventBridge?: string; securityHub?: string; stepFunctions?: string },
  region: string,
): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_CONFIG_SERVICE: endpoints.config,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SNS: endpoints.sns,
    // The SDK's service ids are EventBridge and SecurityHub.
    ...(endpoints.eventBridge ? { AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventBridge } : {}),
    ...(endpoints.securityHub ? { AWS_ENDPOINT_URL_SECURITYHUB: endpoints.securityHub } : {}),
    // Step Functions' service id is SFN (fake-stepfunctions.ts).
    ...(endpoints.stepFunctions ? { AWS_ENDPOINT_URL_SFN: endpoints.stepFunctions } : {}),
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

async function closeAll(servers: { close(): Promise<void> }[]): Promise<void> {
  for (const s of servers.reverse()) await s.close().catch(() => undefined);
}
