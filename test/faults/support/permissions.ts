/**
 * Every call a fault scenario's ticks made, checked against the policy of the role that made it, as the stack
 * synthesizes it for the lab's AGGREGATORS and Security Hub settings, under the resource types of the Service
 * Authorization Reference (an action without resource type, such as DescribeConfigurationAggregators, is evaluated
 * against "*"):
 * - the worker's calls (every request a worker process sent, attributed by its client id) against the worker's role;
 * - the dispatcher's calls (Step Functions, the skipped-tick record) against the dispatcher's role;
 * - the state machine's calls, `lambda:InvokeFunction` on the function each Task invoked, against its role.
 * Faults change what is called (retries, discovery after errors): each of those calls must be allowed too.
 */
import { App } from 'aws-cdk-lib';
import { Template as Assertions } from 'aws-cdk-lib/assertions';
import { MonitorStack } from '../../../lib/monitor-stack';
import { stateMachineDefinition } from '../../../tools/local/state-machine-definition';
import type { RecordedRequest } from '../../../tools/local/fake-server';
import { callsOf, deniedCalls, type Call } from '../../support/calls';
import { CDK_JSON_CONTEXT } from '../../support/cdk-json';
import { CfnResolver, noticesTopicId, roleStatements, type PolicyStatement, type Template } from '../../support/cloudformation';
import { environmentOf } from './environment';
import type { Lab } from './lab';
import { cachedTemplate } from '../../support/workflow-artifact';

export interface Policy {
  /** The worker role's statements. */
  readonly statements: PolicyStatement[];
  readonly topicKeyArn?: string;
  readonly dispatcher: PolicyStatement[];
  readonly stateMachine: PolicyStatement[];
}

/**
 * The template with and without named aggregators, and with Security Hub findings: the roles' policies depend on
 * nothing else a lab varies.
 * Synthesized (or read from the cache) when this module loads, before any lab runs: synthesis blocks the event loop
 * for seconds, and the local endpoints of a running lab are served by this process.
 */
const TEMPLATES = {
  named: synthesize({ aggregators: 'org-aggregator' }),
  discovery: synthesize({}),
  // The lab's Security Hub setting, as the stack would be deployed with it (test/faults/integrations.test.ts).
  namedSecurityHub: synthesize({ aggregators: 'org-aggregator', securityHubFindings: 'true' }),
};

function synthesize(context: Record<string, unknown>): Template {
  // Cached on disk per content of the sources: the test files share one synthesis of each.
  return cachedTemplate(context, () => {
    const stack = new MonitorStack(new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context } }), 'ConfigAggregatorWatch');
    return Assertions.fromStack(stack).toJSON() as Template;
  });
}

/** The logical ids of the worker, the dispatcher and the state machine, and their roles, by their relations. */
export function principals(template: Template): { worker: string; dispatcher: string; stateMachine: string; roles: Record<'worker' | 'dispatcher' | 'stateMachine', string> } {
  const ids = (type: string) => Object.keys(template.Resources).filter((id) => template.Resources[id]?.Type === type);
  const [stateMachine = ''] = ids('AWS::StepFunctions::StateMachine');
  const [worker = ''] = Object.keys(stateMachineDefinition(template, {}, stateMachine).functions);
  const [dispatcher = ''] = ids('AWS::Lambda::Function').filter((id) =>
    JSON.stringify(template.Resources[id]?.Properties?.Environment ?? {}).includes(`"Ref":"${stateMachine}"`),
  );
  const role = (id: string, property: string) => (template.Resources[id]?.Properties?.[property] as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  return { worker, dispatcher, stateMachine, roles: { worker: role(worker, 'Role'), dispatcher: role(dispatcher, 'Role'), stateMachine: role(stateMachine, 'RoleArn') } };
}

/** The roles' statements as synthesized with `aggregators` (default: the lab's setting), resolved against the lab. */
export function rolePolicy(lab: Lab, aggregators: readonly string[] = lab.aggregators): Policy {
  const securityHub = lab.local.settings.securityHubFindings === true;
  if (securityHub && aggregators.length === 0) throw new Error('no template synthesized for discovery with Security Hub findings: add one to TEMPLATES');
  const template = securityHub ? TEMPLATES.namedSecurityHub : aggregators.length > 0 ? TEMPLATES.named : TEMPLATES.discovery;
  const only = (type: string) => Object.keys(template.Resources).find((id) => template.Resources[id]?.Type === type) ?? '';
  const topic = noticesTopicId(template) ?? '';
  const env = { partition: lab.org.partition, region: lab.org.region, accountId: lab.org.accountId };
  const { roles, stateMachine } = principals(template);
  const resolver = new CfnResolver(template, env, {
    // As the lab names them (labResolver): functions by logical id, the state machine as registered.
    ...Object.fromEntries(Object.entries(template.Resources).map(([id, r]) => [id, r.Type === 'AWS::Lambda::Function' ? id : `${id}-faults`])),
    [only('AWS::DynamoDB::Table')]: lab.local.tableName,
    [topic]: lab.local.topicArn.split(':').at(-1) ?? '',
    [stateMachine]: lab.stateMachineArn.split(':').at(-1) ?? '',
  });
  const topicKey = template.Resources[topic]?.Properties?.KmsMasterKeyId;
  return {
    statements: roleStatements(template, roles.worker, resolver),
    ...(topicKey === undefined ? {} : { topicKeyArn: resolver.resolveString(topicKey) }),
    dispatcher: roleStatements(template, roles.dispatcher, resolver),
    stateMachine: roleStatements(template, roles.stateMachine, resolver),
  };
}

/** Each principal's calls in the lab so far. */
export function labCalls(lab: Lab, policy: Pick<Policy, 'topicKeyArn'>): { worker: Call[]; dispatcher: Call[]; stateMachine: Call[] } {
  const env = { partition: lab.org.partition, region: lab.org.region, accountId: lab.org.accountId };
  const requests = lab.servers().flatMap((server) => server.requests);
  const workers = new Set(lab.executions.flatMap((e) => e.invocations.map((i) => i.environment)));
  const dispatchers = new Set(lab.executions.flatMap((e) => e.dispatches.map((d) => d.environment)));
  const from = (r: RecordedRequest) => environmentOf(r.client) ?? '';
  const of = (clients: Set<string>) => requests.filter((r) => clients.has(from(r)));
  const unattributed = requests.filter((r) => !workers.has(from(r)) && !dispatchers.has(from(r)));
  if (unattributed.length > 0) {
    throw new Error(`requests no process of the lab made (no client id): ${unattributed.map((r) => `${r.service}:${r.operation}`).join(', ')}`);
  }
  return {
    worker: callsOf(of(workers), env, policy.topicKeyArn === undefined ? {} : { topicKeyArn: policy.topicKeyArn }),
    dispatcher: callsOf(of(dispatchers), env),
    stateMachine: [...new Set(lab.invocations.map((i) => i.functionArn))].map((resource) => ({ action: 'lambda:InvokeFunction', resource })),
  };
}

/** The calls the lab's processes and executions made that the synthesized policies do not allow, by principal. */
export function deniedLabCalls(lab: Lab, policy: Policy = rolePolicy(lab)): Call[] {
  const calls = labCalls(lab, policy);
  return [
    ...deniedCalls(policy.statements, calls.worker),
    ...deniedCalls(policy.dispatcher, calls.dispatcher).map((c) => ({ ...c, action: `${c.action} (dispatcher)` })),
    ...deniedCalls(policy.stateMachine, calls.stateMachine).map((c) => ({ ...c, action: `${c.action} (state machine)` })),
  ];
}

/** Throws, naming them, when any call of the lab's ticks is not allowed. */
export function assertLabCallsAllowed(lab: Lab): void {
  const denied = deniedLabCalls(lab);
  if (denied.length > 0) {
    throw new Error(`calls the synthesized role policies do not allow:\n${denied.map((c) => `  ${c.action} on ${c.resource}`).join('\n')}`);
  }
}
