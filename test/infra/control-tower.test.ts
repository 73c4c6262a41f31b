/**
 * The AWS Control Tower proactive controls (AWS's cfn-guard rules) on every variant of the synthesized template.
 * A landing zone that enables a control rejects a stack that fails it; the only control the default stack cannot
 * meet is CT.LAMBDA.PR.3 (the functions in a customer VPC), which the `vpc` setting meets: for the worker and the
 * dispatcher alike (the VPC variant fails no control).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { controlTowerResults, controls, type ControlResult } from '../support/control-tower';
import { INTEGRATIONS_CONTEXT, README_CONTEXT, VPC_CONTEXT, synthStack } from './support';

const VARIANTS: Record<string, { context: Record<string, unknown>; failing: string[] }> = {
  default: { context: {}, failing: ['CT.LAMBDA.PR.3'] },
  'named aggregators, e-mail and SMS': {
    context: README_CONTEXT,
    failing: ['CT.LAMBDA.PR.3'],
  },
  'an existing topic': { context: { topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' }, failing: ['CT.LAMBDA.PR.3'] },
  'every integration': { context: INTEGRATIONS_CONTEXT, failing: ['CT.LAMBDA.PR.3'] },
};

/** The controls that apply to this stack's resources and that it meets (whatever the variant). */
const PASSING = [
  'CT.CLOUDWATCH.PR.1',
  'CT.CLOUDWATCH.PR.2',
  'CT.CLOUDWATCH.PR.3',
  'CT.CLOUDWATCH.PR.4',
  'CT.DYNAMODB.PR.1',
  'CT.DYNAMODB.PR.2',
  'CT.IAM.PR.1',
  'CT.IAM.PR.4',
  'CT.IAM.PR.5',
  'CT.KMS.PR.1',
  'CT.KMS.PR.3',
  'CT.LAMBDA.PR.2',
  'CT.SQS.PR.2',
  // The run's state machine: logging (ERROR, to its log group) and X-Ray tracing.
  'CT.STEPFUNCTIONS.PR.1',
  'CT.STEPFUNCTIONS.PR.2',
];

describe.each(Object.entries(VARIANTS))('the %s stack', (_name, variant) => {
  let results: ControlResult[];
  beforeAll(() => {
    results = controlTowerResults(synthStack(variant.context).template.toJSON());
  });

  it('fails only the controls it must', () => {
    expect(controls(results, 'FAIL')).toEqual(variant.failing);
  });

  it('meets the controls on its log group, table, key and queue', () => {
    expect(controls(results, 'PASS')).toEqual(expect.arrayContaining(PASSING));
  });
});

describe('the stack in a VPC', () => {
  let results: ControlResult[];
  beforeAll(() => {
    results = controlTowerResults(synthStack(VPC_CONTEXT).template.toJSON());
  });

  it('fails no control', () => {
    expect(controls(results, 'FAIL')).toEqual([]);
    expect(controls(results, 'PASS')).toEqual(expect.arrayContaining([...PASSING, 'CT.LAMBDA.PR.3']));
  });
});

describe('the control run', () => {
  it('reports a failing control with its own fix (the log group and queue of the template before issue 12)', () => {
    const results = controlTowerResults({
      Resources: {
        Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 365 } },
        Queue: { Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: true } },
      },
    });
    expect(controls(results, 'FAIL')).toEqual(['CT.CLOUDWATCH.PR.3', 'CT.SQS.PR.1']);
    expect(results.find((r) => r.id === 'CT.CLOUDWATCH.PR.3')?.fix).toMatch(/^Set 'KmsKeyId' to the ARN of an AWS KMS customer managed key/);
  });
});
