/**
 * Every delivery an AWS service makes to a resource of the template, and whether the policies on its way allow it:
 * - an alarm action to a topic: CloudWatch publishes as cloudwatch.amazonaws.com, on behalf of the alarm (topic
 *   policy; and the topic's key policy when it is encrypted);
 * - a rule target's dead-letter queue: EventBridge sends as events.amazonaws.com, on behalf of the rule (queue
 *   policy), and invoking a function target needs the function's resource policy;
 * - a function's on-failure destination: Lambda sends with the function's execution role (identity policy);
 * - a state machine's Lambda Tasks: Step Functions invokes each Task's function with the state machine's role
 *   (identity policy; the function is in the same account, so its resource policy need not allow it);
 * - a log group's KMS key: CloudWatch Logs encrypts as logs.<region>.amazonaws.com, with the log group's ARN as
 *   encryption context (key policy).
 * Each request carries the context keys the service documents (aws:SourceAccount, aws:SourceArn, TLS).
 */
import { roleStatements, templatePolicies, type CfnResolver, type Template, type TemplatePolicy } from './cloudformation';
import { isAllowed, type Environment, type PolicyStatement, type Request } from './iam';

export interface Delivery {
  /** What is delivered where, in words. */
  readonly what: string;
  /** Each policy the request must pass, with the request as that policy sees it. */
  readonly checks: readonly { readonly policy: string; readonly statements: readonly PolicyStatement[]; readonly request: Request }[];
}

const refId = (v: unknown): string | undefined => {
  const o = v as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
  return o?.Ref ?? o?.['Fn::GetAtt']?.[0];
};

export function templateDeliveries(template: Template, resolver: CfnResolver, env: Environment): Delivery[] {
  const resources = template.Resources;
  const policies = templatePolicies(template, resolver);
  const attached = (kind: TemplatePolicy['kind'], arn: string) => policies.filter((p) => p.kind === kind && p.attachedTo.includes(arn));
  const resourcePolicy = (kind: TemplatePolicy['kind'], arn: string) => attached(kind, arn).flatMap((p) => p.statements);
  const keyOf = (id: string, property: string) => refId(resources[id]?.Properties?.[property]);
  const tls = { 'aws:SecureTransport': 'true' };
  const out: Delivery[] = [];

  for (const [id, r] of Object.entries(resources)) {
    const props = r.Properties ?? {};
    if (r.Type === 'AWS::CloudWatch::Alarm') {
      const context = { ...tls, 'aws:SourceAccount': env.accountId, 'aws:SourceArn': resolver.arn(id) };
      const principal = { service: 'cloudwatch.amazonaws.com' };
      for (const property of ['AlarmActions', 'OKActions', 'InsufficientDataActions']) {
        for (const action of (props[property] ?? []) as unknown[]) {
          const topic = refId(action);
          if (topic === undefined || resources[topic]?.Type !== 'AWS::SNS::Topic') continue;
          const topicArn = resolver.arn(topic);
          const checks: Delivery['checks'][number][] = [
            { policy: `topic policy of ${topic}`, statements: resourcePolicy('topic', topicArn), request: { action: 'sns:Publish', resource: topicArn, principal, context } },
          ];
          const key = keyOf(topic, 'KmsMasterKeyId');
          if (key !== undefined) {
            const keyArn = resolver.arn(key);
            for (const kmsAction of ['kms:GenerateDataKey', 'kms:Decrypt']) {
              checks.push({ policy: `key policy of ${key}`, statements: resourcePolicy('key', keyArn), request: { action: kmsAction, resource: keyArn, principal, context } });
            }
          }
          out.push({ what: `${property} of ${id} to ${topic}`, checks });
        }
      }
    }
    if (r.Type === 'AWS::Events::Rule') {
      const context = { ...tls, 'aws:SourceAccount': env.accountId, 'aws:SourceArn': resolver.arn(id) };
      const principal = { service: 'events.amazonaws.com' };
      for (const target of (props.Targets ?? []) as { Arn: unknown; DeadLetterConfig?: { Arn: unknown } }[]) {
        const queue = refId(target.DeadLetterConfig?.Arn);
        if (queue !== undefined) {
          if (resources[queue]?.Properties?.KmsMasterKeyId !== undefined) throw new Error(`${queue}: a KMS-encrypted dead-letter queue is not checked here`);
          const queueArn = resolver.arn(queue);
          out.push({
            what: `dead letters of ${id} to ${queue}`,
            checks: [{ policy: `queue policy of ${queue}`, statements: resourcePolicy('queue', queueArn), request: { action: 'sqs:SendMessage', resource: queueArn, principal, context } }],
          });
        }
        const fn = refId(target.Arn);
        if (fn !== undefined && resources[fn]?.Type === 'AWS::Lambda::Function') {
          out.push({ what: `invocations of ${fn} by ${id}`, checks: [lambdaPermission(template, resolver, fn, { principal, context })] });
        }
      }
    }
    if (r.Type === 'AWS::Lambda::EventInvokeConfig') {
      const fn = refId(props.FunctionName);
      const queue = refId((props.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination);
      const role = fn === undefined ? undefined : refId(resources[fn]?.Properties?.Role);
      if (queue !== undefined && role !== undefined) {
        const queueArn = resolver.arn(queue);
        const request = { action: 'sqs:SendMessage', resource: queueArn, context: tls };
        out.push({
          what: `failed invocations of ${fn} to ${queue}`,
          checks: [
            { policy: `identity policy of ${role}`, statements: roleStatements(template, role, resolver), request },
            { policy: `queue policy of ${queue}`, statements: denialsOnly(resourcePolicy('queue', queueArn)), request: { ...request, principal: { aws: resolver.arn(role) } } },
          ],
        });
      }
    }
    if (r.Type === 'AWS::StepFunctions::StateMachine') {
      const role = refId(props.RoleArn);
      if (role === undefined) throw new Error(`${id}: a state machine without a role of the template is not checked here`);
      const definition = JSON.parse(resolver.resolveString(props.DefinitionString)) as AslStates;
      for (const fnArn of new Set(lambdaTaskResources(definition))) {
        out.push({
          what: `task invocations of ${fnArn} by ${id}`,
          checks: [
            {
              policy: `identity policy of ${role}`,
              statements: roleStatements(template, role, resolver),
              request: { action: 'lambda:InvokeFunction', resource: fnArn, context: tls },
            },
          ],
        });
      }
    }
    if (r.Type === 'AWS::Logs::LogGroup' && props.KmsKeyId !== undefined) {
      const key = refId(props.KmsKeyId) ?? '';
      const keyArn = resolver.arn(key);
      const groupArn = resolver.arn(id).replace(/:\*$/, '');
      const principal = { service: `logs.${env.region}.amazonaws.com` };
      const context = { ...tls, 'kms:EncryptionContext:aws:logs:arn': groupArn };
      out.push({
        what: `encryption of ${id} with ${key}`,
        checks: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'].map((action) => ({
          policy: `key policy of ${key}`,
          statements: resourcePolicy('key', keyArn),
          request: { action, resource: keyArn, principal, context },
        })),
      });
    }
  }
  return out;
}

interface AslStates {
  readonly States: Record<string, { Type: string; Resource?: string; ItemProcessor?: AslStates; Iterator?: AslStates; Branches?: AslStates[] }>;
}

/** The Lambda function ARNs Task states name as their Resource (payloadResponseOnly Tasks), nested states included. */
function lambdaTaskResources(definition: AslStates): string[] {
  return Object.values(definition.States).flatMap((state) => [
    ...(state.Type === 'Task' && state.Resource?.includes(':lambda:') ? [state.Resource] : []),
    ...[state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])].flatMap((nested) => (nested ? lambdaTaskResources(nested) : [])),
  ]);
}

/**
 * For a principal of the resource's own account the identity policy grants; the resource policy can only refuse,
 * by a Deny. These statements plus an Allow of everything are refused exactly by their Denies.
 */
function denialsOnly(statements: readonly PolicyStatement[]): PolicyStatement[] {
  return [...statements, { Effect: 'Allow', Principal: { AWS: '*' }, Action: '*', Resource: '*' }];
}

/** The function's resource policy (AWS::Lambda::Permission), as a statement list. */
function lambdaPermission(template: Template, resolver: CfnResolver, fn: string, request: Pick<Request, 'principal' | 'context'>): Delivery['checks'][number] {
  const fnArn = resolver.arn(fn);
  const statements: PolicyStatement[] = Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::Lambda::Permission' && refId(r.Properties?.FunctionName) === fn)
    .map((r) => {
      const p = resolver.resolve(r.Properties) as { Action: string; Principal: string; SourceArn?: string; SourceAccount?: string };
      return {
        Effect: 'Allow',
        Principal: p.Principal.includes('.') ? { Service: p.Principal } : { AWS: p.Principal },
        Action: p.Action,
        Resource: fnArn,
        Condition: {
          ...(p.SourceArn === undefined ? {} : { ArnLike: { 'aws:SourceArn': p.SourceArn } }),
          ...(p.SourceAccount === undefined ? {} : { StringEquals: { 'aws:SourceAccount': p.SourceAccount } }),
        },
      };
    });
  return { policy: `resource policy of ${fn}`, statements, request: { action: 'lambda:InvokeFunction', resource: fnArn, ...request } };
}

/** The deliveries a policy on their way refuses, one line each. */
export function refusedDeliveries(deliveries: readonly Delivery[]): string[] {
  return deliveries.flatMap((d) =>
    d.checks.filter((c) => !isAllowed(c.statements, c.request)).map((c) => `${d.what}: ${c.policy} refuses ${c.request.action} on ${c.request.resource}`),
  );
}
