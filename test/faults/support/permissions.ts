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
import { CfnResolver, roleStatements, type PolicyStatement, type Template } from '../../support/cloudformation';
import type { Lab } from './lab';

export interface Policy {
  readonly statements: PolicyStatement[];
  readonly topicKeyArn?: string;
}

const synthesized = new Map<string, Policy>();

/**
 * The role's statements as synthesized with `aggregators` (default: the lab's setting), resolved against the lab's
 * table and topic; one synthesis per distinct value.
 */
export function rolePolicy(lab: Lab, aggregators: readonly string[] = lab.aggregators): Policy {
  const key = [aggregators.join(','), lab.local.tableName, lab.local.topicArn].join('|');
  const known = synthesized.get(key);
  if (known) return known;
  const context = { 'aws:cdk:bundling-stacks': [], ...(aggregators.length > 0 ? { aggregators: aggregators.join(',') } : {}) };
  const stack = new MonitorStack(new App({ context }), 'ConfigAggregatorWatch');
  const template = Assertions.fromStack(stack).toJSON() as Template;
  const only = (type: string) => Object.keys(template.Resources).find((id) => template.Resources[id]?.Type === type) ?? '';
  const env = { partition: lab.org.partition, region: lab.org.region, accountId: lab.org.accountId };
  const resolver = new CfnResolver(template, env, {
    ...Object.fromEntries(Object.keys(template.Resources).map((id) => [id, `${id}-faults`])),
    [only('AWS::DynamoDB::Table')]: lab.local.tableName,
    [only('AWS::SNS::Topic')]: lab.local.topicArn.split(':').at(-1) ?? '',
  });
  const role = (template.Resources[only('AWS::Lambda::Function')]?.Properties?.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  const topicKey = template.Resources[only('AWS::SNS::Topic')]?.Properties?.KmsMasterKeyId;
  const policy: Policy = {
    statements: roleStatements(template, role, resolver),
    ...(topicKey === undefined ? {} : { topicKeyArn: resolver.resolveString(topicKey) }),
  };
  synthesized.set(key, policy);
  return policy;
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
