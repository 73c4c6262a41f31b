/**
 * reportBucket: the bucket created private, KMS-encrypted, versioned, with lifecycle rules and access logs, or an
 * existing one used as given; the function's one right on it (s3:PutObject under reports/); cdk-nag and the Control
 * Tower controls on S3 buckets.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigAggregatorMonitor } from '../../lib/config-aggregator-monitor';
import { reportBucketFromContext } from '../../lib/context-settings';
import { controlTowerResults, controls } from '../support/control-tower';
import { NO_BUNDLING, VPC_CONTEXT, actionsOf, arnOf, logicalId, nagViolations, ref, roleStatements, synthMonitor, synthStack, type Synthesized } from './support';

const S3_CONTROLS = ['CT.S3.PR.1', 'CT.S3.PR.2', 'CT.S3.PR.3', 'CT.S3.PR.4', 'CT.S3.PR.5', 'CT.S3.PR.6', 'CT.S3.PR.8', 'CT.S3.PR.9', 'CT.S3.PR.10', 'CT.S3.PR.11'];

/** The role's statements that name S3 or the bucket's key through S3. */
function reportStatements(s: Synthesized<ConfigAggregatorMonitor>) {
  return roleStatements(s.template, logicalId(s.subject.role)).filter(
    (st) => actionsOf(st).some((a) => a.startsWith('s3:')) || JSON.stringify(st.Condition ?? {}).includes('s3.'),
  );
}

describe('reportBucket: true (a bucket the construct creates)', () => {
  let s: Synthesized<ConfigAggregatorMonitor>;
  beforeAll(() => {
    s = synthMonitor({ reportBucket: true });
  });

  it('creates a private, KMS-encrypted, versioned bucket with Object Lock, access logs and EventBridge events', () => {
    s.template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arnOf(s.subject.key) } },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      ObjectLockEnabled: true,
      LoggingConfiguration: { LogFilePrefix: 'access-logs/', DestinationBucketName: Match.absent() },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    s.template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('expires reports after 90 days, access logs after 365, and the versions they leave a day later', () => {
    s.template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          { Id: 'ExpireReports', Prefix: 'reports/', Status: 'Enabled', ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
          { Id: 'ExpireAccessLogs', Prefix: 'access-logs/', Status: 'Enabled', ExpirationInDays: 365, NoncurrentVersionExpiration: { NoncurrentDays: 1 } },
        ],
      },
    });
  });

  it('denies requests without TLS and lets only S3 log delivery of this account write the access logs', () => {
    const [policy] = Object.values(s.template.findResources('AWS::S3::BucketPolicy'));
    const statements = policy?.Properties.PolicyDocument.Statement as { Effect: string; Principal: unknown; Action: unknown; Condition?: Record<string, unknown> }[];
    expect(statements.find((st) => st.Effect === 'Deny')?.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
    const delivery = statements.find((st) => JSON.stringify(st.Principal).includes('logging.s3.amazonaws.com'));
    expect([delivery?.Effect, delivery?.Action]).toEqual(['Allow', 's3:PutObject']);
    expect(Object.keys(delivery?.Condition ?? {}).sort()).toEqual(['ArnLike', 'StringEquals']);
  });

  it('gives the function the bucket name and s3:PutObject under reports/ alone, with the key through S3', () => {
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REPORT_BUCKET: ref(s.subject.reportBucket as s3.Bucket) }) },
    });
    const statements = reportStatements(s);
    expect(statements.map((st) => actionsOf(st))).toEqual([['s3:PutObject'], ['kms:GenerateDataKey']]);
    expect(statements[0]?.Resource).toEqual({ 'Fn::Join': ['', [arnOf(s.subject.reportBucket as s3.Bucket), '/reports/*']] });
    expect(statements[1]?.Resource).toEqual(arnOf(s.subject.key));
  });

  it('passes cdk-nag', () => {
    expect(nagViolations(s.app)).toEqual([]);
  });

  it('lets a reader read the reports only', () => {
    const app = new App({ context: NO_BUNDLING });
    const stack = new Stack(app, 'S');
    const subject = new ConfigAggregatorMonitor(stack, 'Monitor', { reportBucket: true });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    subject.grantReadReports(reader);
    const statements = roleStatements(Template.fromStack(stack), logicalId(reader));
    const onBucket = statements.find((st) => actionsOf(st).includes('s3:GetObject*'));
    expect(onBucket?.Resource).toEqual(expect.arrayContaining([{ 'Fn::Join': ['', [arnOf(subject.reportBucket as s3.Bucket), '/reports/*']] }]));
    expect(actionsOf(onBucket!).some((a) => /Put|Delete/.test(a))).toBe(false);
    expect(statements.some((st) => actionsOf(st).includes('kms:Decrypt'))).toBe(true);
  });
});

describe('reportBucket options', () => {
  it('takes the retention periods, and sends the access logs to a given bucket', () => {
    const app = new App({ context: NO_BUNDLING });
    const stack = new Stack(app, 'S');
    const logs = new s3.Bucket(stack, 'CentralLogs');
    new ConfigAggregatorMonitor(stack, 'Monitor', { reportBucket: { reportRetentionDays: 30, serverAccessLogsBucket: logs } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalId(logs) } },
      LifecycleConfiguration: { Rules: [Match.objectLike({ Id: 'ExpireReports', ExpirationInDays: 30 })] },
    });
  });

  it.each([0, 1.5, 40_000])('rejects reportRetentionDays %s, naming it', (days) => {
    expect(() => synthMonitor({ reportBucket: { reportRetentionDays: days } })).toThrow(
      `Invalid reportBucket.reportRetentionDays: ${days}. Allowed: a whole number from 1 to 36500.`,
    );
  });

  it('writes no report and grants nothing on S3 without reportBucket', () => {
    const s = synthMonitor({});
    s.template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(reportStatements(s)).toEqual([]);
    expect(() => s.subject.grantReadReports(new iam.Role(s.stack, 'R', { assumedBy: new iam.AccountRootPrincipal() }))).toThrow(/grantReadReports needs one/);
  });
});

describe('an existing bucket', () => {
  it('is used as given: no bucket created, s3:PutObject under reports/, and its key when the construct knows it', () => {
    const app = new App({ context: NO_BUNDLING });
    const stack = new Stack(app, 'S');
    const key = new kms.Key(stack, 'TheirKey', { enableKeyRotation: true });
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Theirs', { bucketName: 'their-reports', encryptionKey: key });
    const subject = new ConfigAggregatorMonitor(stack, 'Monitor', { reportBucket: bucket });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    const statements = reportStatements({ app, stack, subject, template });
    expect(statements.map((st) => [actionsOf(st), st.Resource])).toEqual([
      [['s3:PutObject'], { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::their-reports/reports/*']] }],
      [['kms:GenerateDataKey'], arnOf(key)],
    ]);
    expect(nagViolations(app)).toEqual([]);
  });

  it('comes from the context by name, or is created with -c reportBucket=create', () => {
    expect(reportBucketFromContext({})).toBeUndefined();
    expect(reportBucketFromContext({ reportBucket: ' ' })).toBeUndefined();
    expect(reportBucketFromContext({ reportBucket: 'CREATE' })).toBe('create');
    expect(reportBucketFromContext({ reportBucket: 'my-reports' })).toEqual({ name: 'my-reports' });
    expect(() => reportBucketFromContext({ reportBucket: 'My_Reports' })).toThrow(/^Invalid reportBucket: "My_Reports"\. Allowed: an S3 bucket name/);
    expect(() => reportBucketFromContext({ reportBucket: 7 })).toThrow(/^Invalid reportBucket: 7\. Allowed: create, or the name of an existing S3 bucket/);
    const s = synthStack({ reportBucket: 'my-reports' });
    s.template.resourceCountIs('AWS::S3::Bucket', 0);
    s.template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ REPORT_BUCKET: 'my-reports' }) } });
    expect(nagViolations(s.app)).toEqual([]);
  });
});

describe('the Control Tower controls with a report bucket', () => {
  it('meets every control on S3 buckets, and in a VPC fails none at all', () => {
    const results = controlTowerResults(synthStack({ ...VPC_CONTEXT, reportBucket: 'create' }).template.toJSON());
    expect(controls(results, 'FAIL')).toEqual([]);
    expect(controls(results, 'PASS')).toEqual(expect.arrayContaining(S3_CONTROLS));
  });
});
