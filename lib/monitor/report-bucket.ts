import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { REPORT_PREFIX } from '../../core/report/location';
import { MAX_HISTORY_RETENTION_DAYS, SettingsError, parseSetting, wholeNumber } from '../../core/settings';

/** The prefix of the created bucket's own server access logs (when it logs to itself). */
export const ACCESS_LOG_PREFIX = 'access-logs/';

/** How the construct creates the report bucket (`reportBucket: true` takes every default). */
export interface ReportBucketOptions {
  /**
   * Days a report object is kept: the dated copies expire after this, and so would `latest.html` if no full sweep
   * rewrote it for that long (a monitor that stopped). Overwritten and expired versions go one day later.
   * @default 90
   */
  readonly reportRetentionDays?: number;
  /**
   * Where the bucket's server access logs go (a central log bucket, say; it must accept S3 log delivery).
   * @default - the report bucket itself, under `access-logs/`
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
  /**
   * Days the access logs kept in the report bucket itself are kept.
   * @default 365
   */
  readonly accessLogRetentionDays?: number;
  /**
   * What happens to the bucket when the stack is deleted or the bucket replaced.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

export const REPORT_BUCKET_DEFAULTS = { reportRetentionDays: 90, accessLogRetentionDays: 365 } as const;

/** The report bucket the props resolve to: an existing one, or one to create with these options. */
export type ReportBucketChoice =
  | { readonly existing: s3.IBucket }
  | { readonly create: Required<Pick<ReportBucketOptions, 'reportRetentionDays' | 'accessLogRetentionDays'>> & ReportBucketOptions };

const isBucket = (value: object): value is s3.IBucket => 'bucketArn' in value && 'bucketName' in value;

/** `reportBucket` as given: a bucket, `true` or options (their retention periods checked), or nothing. */
export function resolveReportBucket(value: s3.IBucket | true | ReportBucketOptions | false | undefined): ReportBucketChoice | undefined {
  if (value === undefined || value === false) return undefined;
  if (value !== true && (typeof value !== 'object' || value === null)) {
    throw new SettingsError('reportBucket', value, 'an s3.IBucket, true, or the options of a bucket to create');
  }
  if (value !== true && isBucket(value)) return { existing: value };
  const options: ReportBucketOptions = value === true ? {} : value;
  const days = (key: 'reportRetentionDays' | 'accessLogRetentionDays') =>
    parseSetting(`reportBucket.${key}`, wholeNumber(MAX_HISTORY_RETENTION_DAYS), options[key] ?? REPORT_BUCKET_DEFAULTS[key]);
  return { create: { ...options, reportRetentionDays: days('reportRetentionDays'), accessLogRetentionDays: days('accessLogRetentionDays') } };
}

/**
 * A private report bucket that meets every AWS Control Tower proactive control on S3 buckets (CT.S3.PR.1-6, 8-11)
 * and cdk-nag's AwsSolutions S1, S2, S10:
 * - public access blocked (PR.1), ACLs disabled, objects owned by the bucket owner (PR.5), TLS only (PR.8);
 * - SSE-KMS with the monitor's key and an S3 Bucket Key (PR.10; the Bucket Key cuts the KMS requests: Amazon S3
 *   User Guide, "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys");
 * - versioning (PR.11) and Object Lock without a default retention (PR.9): nothing is locked, but the bucket can take
 *   a retention later; lifecycle rules (PR.3, PR.6) expire the reports and the access logs and, a day later, the
 *   versions they leave;
 * - server access logs (PR.2, S1), to the given bucket or to this one under `access-logs/`. S3 advises against a
 *   bucket logging to itself ("additional logs are created for the logs that are written to the bucket": Amazon S3
 *   User Guide, "Enabling Amazon S3 server access logging"), which costs a trickle of storage, expired by the
 *   lifecycle rule; a second bucket would itself need a log destination to meet PR.2. Give
 *   `serverAccessLogsBucket` to send them elsewhere;
 * - event notifications to EventBridge (PR.4), set on the CloudFormation resource (the construct's
 *   `eventBridgeEnabled` would add a custom-resource function).
 */
export function createReportBucket(scope: Construct, options: Extract<ReportBucketChoice, { create: unknown }>['create'], key: kms.Key): s3.Bucket {
  const logsElsewhere = options.serverAccessLogsBucket;
  const bucket = new s3.Bucket(scope, 'ReportBucket', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    objectLockEnabled: true,
    ...(logsElsewhere ? { serverAccessLogsBucket: logsElsewhere, serverAccessLogsPrefix: `${Aws.STACK_NAME}/report-bucket/` } : {}),
    lifecycleRules: [
      {
        id: 'ExpireReports',
        prefix: REPORT_PREFIX,
        expiration: Duration.days(options.reportRetentionDays),
        noncurrentVersionExpiration: Duration.days(1),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
      ...(logsElsewhere
        ? []
        : [
            {
              id: 'ExpireAccessLogs',
              prefix: ACCESS_LOG_PREFIX,
              expiration: Duration.days(options.accessLogRetentionDays),
              noncurrentVersionExpiration: Duration.days(1),
            },
          ]),
    ],
    removalPolicy: options.removalPolicy ?? RemovalPolicy.RETAIN,
  });
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };

  if (!logsElsewhere) {
    // Set on the CloudFormation resource, with the bucket policy S3 documents for the logging service principal
    // (the construct's own serverAccessLogsPrefix would grant the log-delivery group an ACL, which
    // BUCKET_OWNER_ENFORCED disables, unless the app sets the feature flag serverAccessLogsUseBucketPolicy).
    // No DestinationBucketName: "By default, logs are stored in the bucket where the LoggingConfiguration property
    // is defined" (CloudFormation, AWS::S3::Bucket LoggingConfiguration); naming itself would be a circular reference.
    (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = { logFilePrefix: ACCESS_LOG_PREFIX };
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'S3ServerAccessLogsPolicy',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`${ACCESS_LOG_PREFIX}*`)],
        conditions: {
          ArnLike: { 'aws:SourceArn': bucket.bucketArn },
          StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
        },
      }),
    );
    // S3 delivers the access logs as logging.s3.amazonaws.com (the bucket policy below, as the S3 User Guide's
    // "Enabling Amazon S3 server access logging" gives it, with the confused-deputy conditions). Whether that
    // delivery to an SSE-KMS bucket also needs the key policy to let the principal use the key is not stated there;
    // this statement, limited to this account, makes either answer work.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowS3ServerAccessLogDelivery',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
      }),
    );
  }
  return bucket;
}

/**
 * The function's one right on the bucket: `s3:PutObject` under `reports/` (Service Authorization Reference, Amazon
 * S3: PutObject on the object resource type). For an SSE-KMS bucket whose key the construct knows, also
 * `kms:GenerateDataKey` through S3 ("To upload an object encrypted with an AWS KMS key, you need
 * kms:GenerateDataKey permissions on the key": Amazon S3 User Guide, "Using server-side encryption with AWS KMS
 * keys (SSE-KMS)"); a single PutObject needs no kms:Decrypt.
 */
export function grantReportWrites(bucket: s3.IBucket, role: iam.Role): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects(`${REPORT_PREFIX}*`)] }));
  if (bucket.encryptionKey) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey'],
        resources: [bucket.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
      }),
    );
  }
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagRendering(Stack.of(role).resolve(bucket.arnForObjects(`${REPORT_PREFIX}*`)))}]`,
    reason:
      "The reports' keys are made at run time (reports/<aggregator>/latest.html and a dated copy); the grant is " +
      's3:PutObject alone, under the reports/ prefix of this one bucket.',
  });
}

/** A resolved value as cdk-nag prints it in a finding id: references as <LogicalId> or <LogicalId.Attribute>, joined. */
function nagRendering(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string]; 'Fn::Join'?: [string, unknown[]] };
  if (v.Ref !== undefined) return `<${v.Ref}>`;
  if (v['Fn::GetAtt'] !== undefined) return `<${v['Fn::GetAtt'].join('.')}>`;
  if (v['Fn::Join'] !== undefined) return v['Fn::Join'][1].map(nagRendering).join(v['Fn::Join'][0]);
  return JSON.stringify(value);
}
