/**
 * A local AWS Config endpoint speaking the protocol the SDK's ConfigServiceClient uses: AWS JSON 1.1.
 *
 * - POST /, `X-Amz-Target: StarlingDoveService.<Operation>`, `Content-Type: application/x-amz-json-1.1`, JSON body;
 *   requests must be SigV4-signed (any key: the signature is not checked, the credential scope is recorded).
 * - Answers `application/x-amz-json-1.1`; timestamps are epoch seconds (numbers); an error is HTTP 4xx/5xx with
 *   `{"__type": "<ExceptionName>", "message": "..."}` and the `x-amzn-ErrorType` header.
 * - DescribeConfigurationAggregators and DescribeConfigurationAggregatorSourcesStatus over a SimulatedOrganization:
 *   names, UpdateStatus filter, Limit (0 = default 100, >100 InvalidLimitException), opaque NextToken (unknown,
 *   garbled or reused for another query: InvalidNextTokenException). Anything else: UnknownOperationException.
 *
 * Pages are cut from the live list at each call, as an offset: a list that changes between pages can skip or
 * repeat a source, as a real one may.
 *
 * Two limits, both off by default (options, or the fields of the same name at any time):
 * - `throttleAbovePerSecond` R: once R requests were accepted in the sliding last second, further ones are refused
 *   as Config refuses them, HTTP 400 with `__type` ThrottlingException ("Rate exceeded"); refused requests are not
 *   counted as accepted. Config publishes no rate for these operations and not whether it counts them per operation
 *   or per account and Region, so the fake takes the conservative reading: both operations share one account-wide
 *   budget. The SDK classifies the name as a throttling error (@smithy/core/retry THROTTLING_ERROR_CODES).
 * - `tokenTtlMs`: a NextToken older than this is refused with InvalidNextTokenException, as an expired one is
 *   (the API reference documents the exception for an invalid token; its lifetime is not documented, so the
 *   reader must survive any: it restarts the read once).
 */
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { FakeAwsServer, type Call, type FakeServerOptions, type Reply } from './fake-server';
import { credentialScope, jsonObjectBody, newRequestId, type RawResponse, ServiceError } from './wire';
import type { SimulatedOrganization, SimulatedSource } from './simulated-organization';

export const CONFIG_TARGET_PREFIX = 'StarlingDoveService.';
export const CONFIG_CONTENT_TYPE = 'application/x-amz-json-1.1';
export const CONFIG_OPERATIONS = ['DescribeConfigurationAggregators', 'DescribeConfigurationAggregatorSourcesStatus'] as const;
export const DEFAULT_LIMIT = 100;
export const UPDATE_STATUSES = ['FAILED', 'SUCCEEDED', 'OUTDATED'] as const;

/** Config's own errors, ready for `inject()`. */
export const CONFIG_FAULTS = {
  throttling: { error: { code: 'ThrottlingException', message: 'Rate exceeded', status: 400 } },
  internalError: { error: { code: 'InternalFailure', message: 'An internal error occurred.', status: 500 } },
  unavailable: { error: { code: 'ServiceUnavailable', message: 'Service is unavailable.', status: 503 } },
  invalidNextToken: { error: { code: 'InvalidNextTokenException', message: 'The nextToken provided is invalid', status: 400 } },
  accessDenied: {
    error: {
      code: 'AccessDeniedException',
      message: 'User is not authorized to perform: config:DescribeConfigurationAggregatorSourcesStatus',
      status: 400,
    },
  },
} as const;

interface TokenState {
  readonly operation: string;
  /** The query the token continues: same operation, aggregator and filter, or the token is refused. */
  readonly query: string;
  readonly offset: number;
  /** When the token was issued (the fake's clock, epoch ms). */
  readonly issuedAt: number;
}

export interface FakeConfigOptions extends FakeServerOptions {
  /** Account-wide: refuse with ThrottlingException once this many requests were accepted in the last second. */
  readonly throttleAbovePerSecond?: number;
  /** A NextToken older than this (ms) is an InvalidNextTokenException. */
  readonly tokenTtlMs?: number;
  /** The fake's clock for both limits (epoch ms); default Date.now. */
  readonly now?: () => number;
}

/** A limit option: absent, or a positive finite number. */
function limitOption(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`FakeConfigService: ${name} ${value} must be a positive number (or absent: no limit)`);
  return value;
}

/** Tokens kept at most; the oldest are forgotten (then refused, as an expired token would be). */
const MAX_TOKENS = 50_000;

export class FakeConfigService extends FakeAwsServer {
  private readonly tokens = new Map<string, TokenState>();
  /** When each request of the last second was accepted (epoch ms, ascending). */
  private readonly accepted: number[] = [];
  /** Requests refused with ThrottlingException so far. */
  throttled = 0;
  throttleAbovePerSecond: number | undefined;
  tokenTtlMs: number | undefined;
  private readonly now: () => number;

  constructor(
    readonly org: SimulatedOrganization,
    options: FakeConfigOptions = {},
  ) {
    super('config', options);
    this.throttleAbovePerSecond = limitOption('throttleAbovePerSecond', options.throttleAbovePerSecond);
    this.tokenTtlMs = limitOption('tokenTtlMs', options.tokenTtlMs);
    this.now = options.now ?? Date.now;
  }
  /** Forgets every NextToken issued so far: the next continuation fails as an expired token does. */
  expireTokens(): void {
    this.tokens.clear();
  }

  protected decode(req: IncomingMessage, body: Buffer): Call {
    if (req.method !== 'POST') throw new ServiceError('UnknownOperationException', `${req.method} is not supported`, 404);
    if (!credentialScope(req)) {
      throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token', 400);
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(CONFIG_TARGET_PREFIX) ? target.slice(CONFIG_TARGET_PREFIX.length) : '';
    if (!(CONFIG_OPERATIONS as readonly string[]).includes(operation)) {
      throw new ServiceError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`);
    }
    const contentType = String(req.headers['content-type'] ?? '');
    if (contentType.split(';')[0]?.trim() !== CONFIG_CONTENT_TYPE) {
      throw new ServiceError('SerializationException', `Unexpected Content-Type ${contentType || '(none)'}`);
    }
    const input = jsonObjectBody(body);
    return { operation, input, resources: this.resourcesOf(operation, input) };
  }

  protected execute(call: Call): Reply {
    this.admit();
    const input = call.input as Record<string, unknown>;
    switch (call.operation) {
      case 'DescribeConfigurationAggregators':
        return { output: this.describeAggregators(input) };
      case 'DescribeConfigurationAggregatorSourcesStatus':
        return { output: this.describeSourcesStatus(input) };
      default:
        throw new ServiceError('UnknownOperationException', `Unknown operation ${call.operation}`);
    }
  }

  protected encodeOutput(_call: Call, output: unknown): RawResponse {
    return { status: 200, headers: this.headers(), body: JSON.stringify(output) };
  }

  protected encodeError(error: ServiceError): RawResponse {
    return {
      status: error.status,
      headers: { ...this.headers(), 'x-amzn-errortype': error.code },
      body: JSON.stringify({ __type: error.code, message: error.message }),
    };
  }

  /** The account-wide rate: accepts the request, or refuses it as Config does above its rate. */
  private admit(): void {
    const limit = this.throttleAbovePerSecond;
    if (limit === undefined) return;
    const t = this.now();
    let expired = 0;
    while (expired < this.accepted.length && (this.accepted[expired] ?? 0) <= t - 1000) expired++;
    if (expired > 0) this.accepted.splice(0, expired);
    if (this.accepted.length >= limit) {
      this.throttled++;
      throw new ServiceError('ThrottlingException', 'Rate exceeded', 400);
    }
    this.accepted.push(t);
  }

  // ---- operations ------------------------------------------------------------------------------------------

  private describeAggregators(input: Record<string, unknown>): unknown {
    const names = optionalStringList(input, 'ConfigurationAggregatorNames', 0, 10);
    const limit = pageLimit(input);
    for (const name of names ?? []) {
      if (!this.org.aggregator(name)) throw noSuchAggregator();
    }
    const all = (names && names.length > 0 ? names : this.org.aggregatorNames()).map((n) => this.org.aggregator(n));
    const query = `aggregators:${JSON.stringify(names ?? [])}`;
    const { page, next } = this.paginate('DescribeConfigurationAggregators', query, all, limit, input.NextToken);
    return {
      ConfigurationAggregators: page.flatMap((a) =>
        a
          ? [
              {
                ConfigurationAggregatorName: a.name,
                ConfigurationAggregatorArn: a.arn,
                CreationTime: epochSeconds(a.createdAt),
                LastUpdatedTime: epochSeconds(a.createdAt),
                ...(a.kind === 'ORGANIZATION'
                  ? {
                      OrganizationAggregationSource: {
                        RoleArn: `arn:${this.org.partition}:iam::${this.org.accountId}:role/aws-config-organizations`,
                        AllAwsRegions: true,
                      },
                    }
                  : {
                      AccountAggregationSources: [
                        { AccountIds: [...new Set([...a.sources.values()].map((s) => s.sourceId))], AllAwsRegions: true },
                      ],
                    }),
              },
            ]
          : [],
      ),
      ...(next ? { NextToken: next } : {}),
    };
  }

  private describeSourcesStatus(input: Record<string, unknown>): unknown {
    const name = input.ConfigurationAggregatorName;
    if (typeof name !== 'string' || name.length === 0) {
      throw validation("Value null at 'configurationAggregatorName' failed to satisfy constraint: Member must not be null");
    }
    if (name.length > 256 || !/^[\w-]+$/.test(name)) {
      throw validation(
        `Value '${name}' at 'configurationAggregatorName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\-]+`,
      );
    }
    const statuses = optionalStringList(input, 'UpdateStatus', 1, Number.MAX_SAFE_INTEGER);
    for (const s of statuses ?? []) {
      if (!(UPDATE_STATUSES as readonly string[]).includes(s)) {
        throw validation(
          `Value '[${statuses?.join(', ')}]' at 'updateStatus' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${UPDATE_STATUSES.join(', ')}]]`,
        );
      }
    }
    const limit = pageLimit(input);
    const aggregator = this.org.aggregator(name);
    if (!aggregator) throw noSuchAggregator();
    const filter = statuses ? new Set(statuses) : undefined;
    const sources = [...aggregator.sources.values()].filter((s) => !filter || filter.has(s.status));
    const query = `sources:${name}:${statuses ? [...new Set(statuses)].sort().join(',') : '*'}`;
    const { page, next } = this.paginate('DescribeConfigurationAggregatorSourcesStatus', query, sources, limit, input.NextToken);
    return { AggregatedSourceStatusList: page.map(toWire), ...(next ? { NextToken: next } : {}) };
  }

  private paginate<T>(operation: string, query: string, items: readonly T[], limit: number, token: unknown): { page: T[]; next?: string } {
    let offset = 0;
    if (token !== undefined && token !== null && token !== '') {
      const state = typeof token === 'string' ? this.tokens.get(token) : undefined;
      if (!state || state.operation !== operation || state.query !== query) {
        throw new ServiceError('InvalidNextTokenException', 'The nextToken provided is invalid');
      }
      if (this.tokenTtlMs !== undefined && this.now() - state.issuedAt > this.tokenTtlMs) {
        this.tokens.delete(token as string);
        throw new ServiceError('InvalidNextTokenException', 'The nextToken provided is invalid');
      }
      offset = state.offset;
    }
    const page = items.slice(offset, offset + limit);
    if (offset + limit >= items.length) return { page };
    const next = randomBytes(48).toString('base64');
    this.tokens.set(next, { operation, query, offset: offset + limit, issuedAt: this.now() });
    if (this.tokens.size > MAX_TOKENS) {
      const oldest = this.tokens.keys().next().value;
      if (oldest !== undefined) this.tokens.delete(oldest);
    }
    return { page, next };
  }

  /** The aggregator ARNs a call acts on, as IAM evaluates it. */
  private resourcesOf(operation: string, input: Record<string, unknown>): string[] {
    const arnOf = (name: string) =>
      this.org.aggregator(name)?.arn ??
      // An unknown aggregator has no id; IAM still evaluates the call against this account's aggregators.
      `arn:${this.org.partition}:config:${this.org.region}:${this.org.accountId}:config-aggregator/${name}`;
    if (operation === 'DescribeConfigurationAggregatorSourcesStatus') {
      return typeof input.ConfigurationAggregatorName === 'string' ? [arnOf(input.ConfigurationAggregatorName)] : [];
    }
    const names = Array.isArray(input.ConfigurationAggregatorNames) ? (input.ConfigurationAggregatorNames as unknown[]) : [];
    const listed = names.filter((n): n is string => typeof n === 'string');
    return (listed.length > 0 ? listed : this.org.aggregatorNames()).map(arnOf);
  }

  private headers(): Record<string, string> {
    return { 'content-type': CONFIG_CONTENT_TYPE, 'x-amzn-requestid': newRequestId() };
  }
}

function toWire(s: SimulatedSource): Record<string, unknown> {
  return {
    SourceId: s.sourceId,
    SourceType: s.sourceType,
    AwsRegion: s.region,
    LastUpdateStatus: s.status,
    ...(s.lastUpdateTime !== undefined ? { LastUpdateTime: epochSeconds(s.lastUpdateTime) } : {}),
    ...(s.errorCode !== undefined ? { LastErrorCode: s.errorCode } : {}),
    ...(s.errorMessage !== undefined ? { LastErrorMessage: s.errorMessage } : {}),
  };
}

/** Epoch seconds with millisecond precision, as AWS JSON protocols send timestamps. */
export function epochSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

function pageLimit(input: Record<string, unknown>): number {
  const limit = input.Limit;
  if (limit === undefined || limit === null || limit === 0) return DEFAULT_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit)) throw new ServiceError('SerializationException', 'Limit must be an integer');
  if (limit < 0 || limit > DEFAULT_LIMIT) {
    throw new ServiceError('InvalidLimitException', `Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100`);
  }
  return limit;
}

function optionalStringList(input: Record<string, unknown>, key: string, min: number, max: number): string[] | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new ServiceError('SerializationException', `${key} must be a list of strings`);
  }
  const field = key.charAt(0).toLowerCase() + key.slice(1);
  if (value.length < min) throw validation(`Value '[]' at '${field}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw validation(`Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  return value as string[];
}

function validation(detail: string): ServiceError {
  return new ServiceError('ValidationException', `1 validation error detected: ${detail}`);
}

function noSuchAggregator(): ServiceError {
  return new ServiceError(
    'NoSuchConfigurationAggregatorException',
    'The configuration aggregator does not exist. Check the configuration aggregator name and try again.',
  );
}
