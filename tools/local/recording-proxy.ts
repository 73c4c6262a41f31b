/**
 * A recording proxy in front of the local DynamoDB (dynalite): the handler talks to the proxy, the proxy forwards
 * every request unchanged and records it (operation from `X-Amz-Target: DynamoDB_20120810.<Operation>`, the JSON
 * input, the tables and indexes it touches, the answer's status and error code). Faults can be injected the same
 * way as on the fake Config and SNS endpoints (ProvisionedThroughputExceededException, 500s, dropped connections).
 *
 * Reads that tests make with `LocalDynamoDB.client` go straight to dynalite and are not recorded.
 */
import { request as httpRequest, Agent, type IncomingMessage } from 'node:http';
import { FakeAwsServer, type Call, type FakeServerOptions, type Reply } from './fake-server';
import { ServiceError, type RawResponse } from './wire';

export const DYNAMODB_TARGET_PREFIX = 'DynamoDB_20120810.';

/** The DynamoDB operations that write. */
export const DYNAMODB_WRITE_OPERATIONS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'] as const;

export const DYNAMODB_FAULTS = {
  throttling: {
    error: {
      code: 'ProvisionedThroughputExceededException',
      message: 'The level of configured provisioned throughput for the table was exceeded.',
      status: 400,
    },
  },
  requestLimit: { error: { code: 'ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.', status: 400 } },
  internalError: { error: { code: 'InternalServerError', message: 'Internal server error', status: 500 } },
} as const;

export interface DynamoDBProxyOptions extends FakeServerOptions {
  readonly accountId?: string;
  readonly region?: string;
}

export class DynamoDBRecordingProxy extends FakeAwsServer {
  private readonly agent = new Agent({ keepAlive: true });
  private readonly upstreamUrl: URL;
  readonly accountId: string;
  readonly region: string;

  constructor(upstream: string, options: DynamoDBProxyOptions = {}) {
    super('dynamodb', options);
    this.upstreamUrl = new URL(upstream);
    this.accountId = options.accountId ?? '123456789012';
    this.region = options.region ?? 'us-east-1';
  }

  override async close(): Promise<void> {
    await super.close();
    this.agent.destroy();
  }

  /** ARN of a table, as IAM evaluates it. */
  tableArn(table: string): string {
    return `arn:aws:dynamodb:${this.region}:${this.accountId}:table/${table}`;
  }

  /** Recorded requests that write (PutItem, BatchWriteItem, ...). */
  writes(): ReturnType<FakeAwsServer['calls']> {
    return this.requests.filter((r) => (DYNAMODB_WRITE_OPERATIONS as readonly string[]).includes(r.operation));
  }

  protected decode(req: IncomingMessage, body: Buffer): Call {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(DYNAMODB_TARGET_PREFIX) ? target.slice(DYNAMODB_TARGET_PREFIX.length) : target || '(none)';
    let input: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) input = parsed as Record<string, unknown>;
    } catch {
      // Forwarded as is: dynalite answers with its own SerializationException.
    }
    return { operation, input, resources: this.resourcesOf(input) };
  }

  protected execute(_call: Call, req: IncomingMessage, body: Buffer): Promise<Reply> {
    return new Promise((resolve, reject) => {
      // The body may be a request altered by a fault (`{ transform, request }`): its length is the one sent.
      const { 'transfer-encoding': _chunked, ...incoming } = req.headers;
      const headers = { ...incoming, host: this.upstreamUrl.host, 'content-length': String(body.length) };
      const upstream = httpRequest(
        {
          protocol: this.upstreamUrl.protocol,
          hostname: this.upstreamUrl.hostname,
          port: this.upstreamUrl.port,
          path: req.url ?? '/',
          method: req.method ?? 'POST',
          headers,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const out: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) {
              if (v !== undefined && !['connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(k)) out[k] = String(v);
            }
            resolve({ raw: { status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) } });
          });
        },
      );
      upstream.on('error', (e) => reject(new ServiceError('InternalServerError', `Upstream DynamoDB failed: ${e.message}`, 500)));
      upstream.end(body);
    });
  }

  protected encodeOutput(_call: Call, output: unknown): RawResponse {
    return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify(output) };
  }

  protected encodeError(error: ServiceError): RawResponse {
    return {
      status: error.status,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${error.code}`, message: error.message }),
    };
  }

  /** The table and index ARNs a request acts on. */
  private resourcesOf(input: Record<string, unknown>): string[] {
    const tables = new Set<string>();
    if (typeof input.TableName === 'string') {
      tables.add(typeof input.IndexName === 'string' ? `${input.TableName}/index/${input.IndexName}` : input.TableName);
    }
    for (const key of ['RequestItems']) {
      const items = input[key];
      if (items && typeof items === 'object') for (const table of Object.keys(items)) tables.add(table);
    }
    for (const key of ['TransactItems']) {
      const items = input[key];
      if (Array.isArray(items)) {
        for (const item of items as Record<string, { TableName?: unknown }>[]) {
          for (const op of Object.values(item)) if (typeof op.TableName === 'string') tables.add(op.TableName);
        }
      }
    }
    return [...tables].map((t) => this.tableArn(t));
  }
}
