/**
 * cdk.json sets the feature flags `cdk init` writes for the pinned aws-cdk-lib (its recommended-feature-flags.json),
 * so `cdk synth` prints no "feature flags are not configured" notice, and none of them changes the synthesized
 * template of an existing deployment: no resource is replaced, no logical id moves (the table's included).
 */
import { createRequire } from 'node:module';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MonitorStack } from '../../lib/monitor-stack';
import { CDK_JSON_CONTEXT } from '../support/cdk-json';
import { NO_BUNDLING, VPC_CONTEXT } from './support';

const RECOMMENDED = createRequire(import.meta.url)('aws-cdk-lib/recommended-feature-flags.json') as Record<string, unknown>;
/** The flags cdk.json set before every recommended flag was (the template was deployed with these). */
const BEFORE = [
  '@aws-cdk/aws-lambda-nodejs:useLatestRuntimeVersion',
  '@aws-cdk/aws-iam:minimizePolicies',
  '@aws-cdk/core:checkSecretUsage',
  '@aws-cdk/aws-lambda:recognizeLayerVersion',
  '@aws-cdk/core:target-partitions',
];

const flags = Object.fromEntries(Object.entries(CDK_JSON_CONTEXT).filter(([k]) => k.startsWith('@aws-cdk')));
const synth = (context: Record<string, unknown>) => Template.fromStack(new MonitorStack(new App({ context: { ...NO_BUNDLING, ...context } }), 'ConfigAggregatorWatch')).toJSON();

describe('feature flags', () => {
  it('are the ones cdk init writes for the installed aws-cdk-lib, with its recommended values', () => {
    expect(flags).toEqual(RECOMMENDED);
  });

  it.each([
    ['default', {}],
    ['named aggregators', { aggregators: 'org-aggregator' }],
    ['existing topic', { topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' }],
    ['VPC', VPC_CONTEXT],
  ])('leave the %s template as the flags cdk.json had before give it', (_name, context) => {
    const before = Object.fromEntries(BEFORE.map((k) => [k, RECOMMENDED[k]]));
    expect(synth({ ...flags, ...context })).toEqual(synth({ ...before, ...context }));
  });
});
