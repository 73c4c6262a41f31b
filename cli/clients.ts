/**
 * AWS SDK clients for the CLI, built from `--profile`/`--region` and the environment the CLI was given
 * (`io.env`, process.env by default): region, profile, static credentials and AWS_ENDPOINT_URL_<SERVICE> are
 * read from that environment rather than left to the SDK's own reading of process.env, so an in-process caller
 * (tests, the demo) can point the CLI at a local table. Injected instances (`io.clients`) win.
 * The SDK packages are imported on first use: `--help` and each command load only what they need.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CliClients } from './io';

export interface AwsOptions {
  readonly profile?: string;
  readonly region?: string;
}

type Env = Record<string, string | undefined>;

/** Service ids as the SDK spells them in AWS_ENDPOINT_URL_<SERVICE>. */
const ENDPOINT_ENV = {
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  config: 'AWS_ENDPOINT_URL_CONFIG_SERVICE',
  cloudformation: 'AWS_ENDPOINT_URL_CLOUDFORMATION',
} as const;

const set = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** The region the clients will use, when known without asking the SDK (for messages). */
export function regionOf(aws: AwsOptions, env: Env): string | undefined {
  return set(aws.region) ?? set(env.AWS_REGION) ?? set(env.AWS_DEFAULT_REGION);
}

export function profileOf(aws: AwsOptions, env: Env): string | undefined {
  return set(aws.profile) ?? set(env.AWS_PROFILE);
}

/** Client configuration for one service: what is set, and nothing else (the SDK's defaults fill the rest). */
export function clientConfig(service: keyof typeof ENDPOINT_ENV, aws: AwsOptions, env: Env) {
  const region = regionOf(aws, env);
  const profile = profileOf(aws, env);
  const endpoint = set(env[ENDPOINT_ENV[service]]) ?? set(env.AWS_ENDPOINT_URL);
  const accessKeyId = set(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = set(env.AWS_SECRET_ACCESS_KEY);
  const sessionToken = set(env.AWS_SESSION_TOKEN);
  // Like the SDK: a named profile takes precedence over credentials in the environment.
  const credentials =
    !profile && accessKeyId && secretAccessKey
      ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) }
      : undefined;
  return {
    maxAttempts: 5,
    ...(region ? { region } : {}),
    ...(profile ? { profile } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  };
}

/** Builds each client on first use; destroys the ones it built. */
export class Clients {
  private built: { destroy(): void }[] = [];
  private cache: { -readonly [K in keyof CliClients]: CliClients[K] };

  constructor(
    injected: CliClients,
    private readonly aws: AwsOptions,
    private readonly env: Env,
  ) {
    this.cache = { ...injected };
  }

  async dynamodb(): Promise<DynamoDBDocumentClient> {
    if (!this.cache.dynamodb) {
      const [{ DynamoDBClient }, { DynamoDBDocumentClient }] = await Promise.all([
        import('@aws-sdk/client-dynamodb'),
        import('@aws-sdk/lib-dynamodb'),
      ]);
      const client = new DynamoDBClient(clientConfig('dynamodb', this.aws, this.env));
      this.built.push(client);
      this.cache.dynamodb = DynamoDBDocumentClient.from(client);
    }
    return this.cache.dynamodb;
  }

  async config(): Promise<ConfigServiceClient> {
    if (!this.cache.config) {
      const { ConfigServiceClient } = await import('@aws-sdk/client-config-service');
      this.cache.config = new ConfigServiceClient(clientConfig('config', this.aws, this.env));
      this.built.push(this.cache.config);
    }
    return this.cache.config;
  }

  async cloudformation(): Promise<CloudFormationClient> {
    if (!this.cache.cloudformation) {
      const { CloudFormationClient } = await import('@aws-sdk/client-cloudformation');
      this.cache.cloudformation = new CloudFormationClient(clientConfig('cloudformation', this.aws, this.env));
      this.built.push(this.cache.cloudformation);
    }
    return this.cache.cloudformation;
  }

  destroy(): void {
    for (const c of this.built) c.destroy();
    this.built = [];
  }
}
