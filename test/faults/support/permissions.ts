/**
 * Every call a fault scenario's runs made, checked against the function role's policy as the stack synthesizes it
 * for the lab's AGGREGATORS setting, under the resource types of the Service Authorization Reference (an action
 * without resource type, such as DescribeConfigurationAggregators, is evaluated against "*"). Faults change what
 * the handler calls (retries, discovery after errors): each of those calls must be allowed too.
 */
import { App } from 'aws-cdk-lib';
import { Template as Assertions } from 'aws-cdk-lib/assertions';
import { MonitorStack } from '../../../lib/monitor-stack';
import { callsOf, deniedCalls, type Call } from '../../support/calls';
import { CDK_JSON_CONTEXT } from '../../support/cdk-json';
import { CfnResolver, noticesTopicId, roleStatements, type PolicyStatement, type Template } from '../../support/cloudformation';
import type { Lab } from './lab';

export interface Policy {
  readonly statements: PolicyStatement[];
  readonly topicKeyArn?: string;
}

/**
 * The template with and without named aggregators: the role's policy depends on nothing else a lab varies.
 * Synthesized when this module loads, before any lab runs: synthesis blocks the event loop for a second or two,
 * and the local endpoints of a running lab are served by this process.
 */
const TEMPLATES = {
  named: synthesize({ aggregators: 'org-aggregator' }),
  discovery: synthesize({}),
};

function synthesize(context: Record<string, unknown>): Template {
  const stack = new MonitorStack(new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context } }), 'ConfigAggregatorWatch');
  return Assertions.fromStack(stack).toJSON() as Template;
}

/** The role's statements as synthesized with `aggregators` (default: the lab's setting), resolved against the lab. */
export function rolePolicy(lab: Lab, aggregators: readonly string[] = lab.aggregators): Policy {
  const template = aggregators.length > 0 ? TEMPLATES.named : TEMPLATES.discovery;
  const only = (type: string) => Object.keys(template.Resources).find((id) => template.Resources[id]?.Type === type) ?? '';
  const topic = noticesTopicId(template) ?? '';
  const env = { partition: lab.org.partition, region: lab.org.region, accountId: lab.org.accountId };
  const resolver = new CfnResolver(template, env, {
    ...Object.fromEntries(Object.keys(template.Resources).map((id) => [id, `${id}-faults`])),
    [only('AWS::DynamoDB::Table')]: lab.local.tableName,
    [topic]: lab.local.topicArn.split(':').at(-1) ?? '',
  });
  const role = (template.Resources[only('AWS::Lambda::Function')]?.Properties?.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  const topicKey = template.Resources[topic]?.Properties?.KmsMasterKeyId;
  return {
    statements: roleStatements(template, role, resolver),
    ...(topicKey === undefined ? {} : { topicKeyArn: resolver.resolveString(topicKey) }),
  };
}

/** The calls the lab's endpoints received that the synthesized policy does not allow. */
export function deniedLabCalls(lab: Lab, policy: Policy = rolePolicy(lab)): Call[] {
  const requests = lab.servers().flatMap((server) => server.requests);
  const env = { partition: lab.org.partition, region: lab.org.region, accountId: lab.org.accountId };
  return deniedCalls(policy.statements, callsOf(requests, env, policy.topicKeyArn === undefined ? {} : { topicKeyArn: policy.topicKeyArn }));
}

/** Throws, naming them, when any call of the lab's invocations is not allowed. */
export function assertLabCallsAllowed(lab: Lab): void {
  const denied = deniedLabCalls(lab);
  if (denied.length > 0) {
    throw new Error(`calls the synthesized role policy does not allow:\n${denied.map((c) => `  ${c.action} on ${c.resource}`).join('\n')}`);
  }
}
