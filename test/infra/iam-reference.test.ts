/**
 * Every policy statement of every variant of the template, against the Service Authorization Reference entries
 * vendored in test/support/iam-reference.json.
 */
import { describe, expect, it } from 'vitest';
import type { TemplatePolicy } from '../support/cloudformation';
import { templatePolicies, type Template } from '../support/cloudformation';
import { TEST_ENV, statementViolations, templateViolations, testResolver } from '../support/policy-check';
import { STATE_MACHINE_STAR_ACTIONS } from '../../lib/monitor/workflow';
import { INTEGRATIONS_CONTEXT, VPC_CONTEXT, logicalId, roleStatements, synthStack } from './support';

const VARIANTS: Record<string, Record<string, unknown>> = {
  'discovery (no aggregators)': {},
  'named aggregators': { aggregators: 'org-aggregator,team-aggregator' },
  'an existing topic': { aggregators: 'org-aggregator', topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' },
  'a VPC': VPC_CONTEXT,
  'a VPC and named aggregators': { ...VPC_CONTEXT, aggregators: 'org-aggregator' },
  'every integration (bus, Security Hub, Slack)': { aggregators: 'org-aggregator', ...INTEGRATIONS_CONTEXT },
};

const DISCOVERY = 'config:DescribeConfigurationAggregators';
const SOURCES = 'config:DescribeConfigurationAggregatorSourcesStatus';

describe.each(Object.entries(VARIANTS))('with %s', (_name, context) => {
  const s = synthStack(context);
  const template = s.template.toJSON() as Template;

  it('grants every action only on the resource types the reference gives it', () => {
    expect(templateViolations(template)).toEqual([]);
  });

  it('grants DescribeConfigurationAggregators, on "*", exactly when the function discovers the aggregators', () => {
    const role = templatePolicies(template, testResolver(template)).filter((p) => p.kind === 'identity');
    const statements = role.flatMap((p) => p.statements);
    const discovery = statements.filter((st) => [st.Action].flat().includes(DISCOVERY));
    if ('aggregators' in context) {
      expect(discovery).toEqual([]);
    } else {
      // Alone, or with other actions without resource type (minimizePolicies merges statements on "*").
      expect(discovery.map((st) => [st.Effect, st.Resource])).toEqual([['Allow', '*']]);
    }
    // On "*" only actions without resource type: the function's discovery, Lambda's interface listing in a VPC,
    // and the state machine's log delivery and tracing, on its own role.
    const stateMachineRole = logicalId(s.subject.monitor.stateMachine.role);
    const onStarOf = (role: string) =>
      roleStatements(s.template, role).filter((st) => st.Resource === '*').flatMap((st) => [st.Action].flat());
    expect(onStarOf(stateMachineRole).sort()).toEqual([...STATE_MACHINE_STAR_ACTIONS].sort());
    const otherRoles = Object.keys(s.template.findResources('AWS::IAM::Role')).filter((id) => id !== stateMachineRole);
    expect(otherRoles).toEqual(expect.arrayContaining([logicalId(s.subject.monitor.role), logicalId(s.subject.monitor.dispatcherRole)]));
    for (const role of otherRoles) {
      expect(onStarOf(role).filter((a) => a !== DISCOVERY && a !== 'ec2:DescribeNetworkInterfaces')).toEqual([]);
    }
    const sources = statements.filter((st) => [st.Action].flat().includes(SOURCES));
    expect(sources).toEqual([
      { Effect: 'Allow', Action: SOURCES, Resource: `arn:aws:config:${TEST_ENV.region}:${TEST_ENV.accountId}:config-aggregator/*` },
    ]);
    expect(logicalId(s.subject.monitor.role)).toBeTruthy();
  });
});

describe('the check', () => {
  const policy = (...statements: TemplatePolicy['statements']): TemplatePolicy => ({ kind: 'identity', id: 'P', attachedTo: [], statements });
  const aggregators = 'arn:aws:config:eu-west-1:123456789012:config-aggregator/*';
  const table = 'arn:aws:dynamodb:eu-west-1:123456789012:table/t';

  it('refuses an action without resource type granted on an ARN (the old grant)', () => {
    expect(statementViolations(policy({ Effect: 'Allow', Action: [SOURCES, DISCOVERY], Resource: aggregators }))).toEqual([
      `P statement 0: ${DISCOVERY} has no resource type, so only "*" allows it, not ${aggregators}`,
    ]);
  });

  it('refuses "*" for an action with a resource type, and ARNs of other types', () => {
    expect(statementViolations(policy({ Effect: 'Allow', Action: SOURCES, Resource: '*' }))).toHaveLength(1);
    expect(statementViolations(policy({ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: `${table}/index/*` }))).toHaveLength(1);
    expect(statementViolations(policy({ Effect: 'Allow', Action: 'dynamodb:Query', Resource: `${table}/index/*` }))).toEqual([]);
    expect(statementViolations(policy({ Effect: 'Allow', Action: 'sns:Publish', Resource: table }))).toHaveLength(1);
  });

  it('refuses actions and wildcards it has no reference entry for', () => {
    expect(statementViolations(policy({ Effect: 'Allow', Action: 'dynamodb:*', Resource: table }))).toHaveLength(1);
    expect(statementViolations(policy({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }))).toHaveLength(1);
    expect(statementViolations(policy({ Effect: 'Allow', Action: 'kms:GenerateDataKey*', Resource: 'arn:aws:kms:eu-west-1:123456789012:key/k' }))).toEqual([]);
  });

  it('matches log streams of a log group ARN ending in :*', () => {
    const group = 'arn:aws:logs:eu-west-1:123456789012:log-group:g:*';
    expect(statementViolations(policy({ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: group }))).toEqual([]);
    expect(
      statementViolations(policy({ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: 'arn:aws:logs:eu-west-1:123456789012:log-group:g' })),
    ).toHaveLength(1);
  });
});
