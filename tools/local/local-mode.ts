/**
 * The embedded local mode: everything the handler talks to, in this process, on 127.0.0.1:
 * - DynamoDB: dynalite (in memory) behind a recording proxy, with the monitor's table created from the shared
 *   definition;
 * - AWS Config: the fake endpoint over a SimulatedOrganization;
 * - SNS: the fake endpoint with the alert topic (and, with `chat`, the chat topic);
 * - EventBridge and Security Hub CSPM: the fake endpoints of the integrations (their default bus and product).
 *
 * `env` is the environment the handler needs, and nothing else: the SDK's own `AWS_ENDPOINT_URL_<SERVICE>`
 * variables, a region, dummy credentials, and the monitor's settings as the stack writes them
 * (`settingsToEnvironment`). The handler reads it at cold start, so it must be in place before the handler's
 * module is first imported (or give it to a child process).
 */
import { DEFAULTS, settingsToEnvironment, type MonitorSettings } from '../../core/settings';
import { HistoryStore } from '../../adapters/store/history-store';
import { FakeConfigService } from './fake-config-service';
import { FakeEventBridge } from './fake-eventbridge';
import { FakeSecurityHub } from './fake-securityhub';
import type { FakeServerOptions } from './fake-server';
import { FakeSns, type PublishedMessage } from './fake-sns';
import { LOCAL_CREDENTIALS, startLocalDynamoDB, type LocalDynamoDB } from './local-dynamodb';
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
}

export interface LocalMode {
  readonly org: SimulatedOrganization;
  readonly config: FakeConfigService;
  readonly sns: FakeSns;
  readonly eventBridge: FakeEventBridge;
  readonly securityHub: FakeSecurityHub;
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
    const config = await new FakeConfigService(org, options.configLatencyMs === undefined ? {} : { latencyMs: options.configLatencyMs }).start();
    started.push(config);
    const sns = await new FakeSns(org.accountId, org.region, options.onPublish ? { onPublish: options.onPublish } : {}).start();
    started.push(sns);
    const topicArn = sns.createTopic(options.topicName ?? 'config-aggregator-watch-alerts');
    const chatTopicArn = options.chat ? sns.createTopic(`${options.topicName ?? 'config-aggregator-watch-alerts'}-chat`) : undefined;
    const eventBridge = await new FakeEventBridge(org.accountId, org.region).start();
    started.push(eventBridge);
    const securityHub = await new FakeSecurityHub(org.accountId, org.region).start();
    started.push(securityHub);

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
        { config: config.endpoint, dynamodb: dynamodbProxy.endpoint, sns: sns.endpoint, eventBridge: eventBridge.endpoint, securityHub: securityHub.endpoint },
        org.region,
      ),
      ...settingsToEnvironment(settings),
    };
    const store = new HistoryStore(dynamodb.documentClient, { tableName, historyRetentionDays: settings.historyRetentionDays });

    return {
      org,
      config,
      sns,
      eventBridge,
      securityHub,
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
