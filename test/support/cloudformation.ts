/**
 * Just enough CloudFormation to check a synthesized template's permissions and run its function locally:
 * resolving the intrinsics a template uses (Ref, Fn::GetAtt, Fn::Join, Fn::Sub) against fake physical resources,
 * and collecting the template's policies (identity policies of a role, topic, queue and key policies) with those
 * references resolved. The policies are evaluated by ./iam.ts. A reference this does not know fails loudly rather
 * than resolving to something wrong.
 */
import type { Environment, PolicyStatement } from './iam';
import { ENV } from '../../core/settings';

export type { Environment, PolicyStatement };

export interface Template {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** Physical names of resources, by logical id; ARNs and Ref values are derived from them by type. */
export type PhysicalNames = Record<string, string>;

export class CfnResolver {
  constructor(
    private readonly template: Template,
    private readonly env: Environment,
    private readonly names: PhysicalNames,
  ) {}

  get partition(): string {
    return this.env.partition;
  }

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    const [only] = entries;
    if (entries.length === 1 && only && (only[0] === 'Ref' || only[0].startsWith('Fn::'))) return this.intrinsic(only[0], only[1]);
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]));
  }

  resolveString(value: unknown): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string') throw new Error(`expected a string, got ${JSON.stringify(resolved)}`);
    return resolved;
  }

  /** The ARN of a resource, by logical id. */
  arn(logicalId: string): string {
    const { partition: p, region: r, accountId: a } = this.env;
    const type = this.typeOf(logicalId);
    const name = this.name(logicalId);
    switch (type) {
      case 'AWS::DynamoDB::Table':
        return `arn:${p}:dynamodb:${r}:${a}:table/${name}`;
      case 'AWS::SNS::Topic':
        return `arn:${p}:sns:${r}:${a}:${name}`;
      case 'AWS::SQS::Queue':
        return `arn:${p}:sqs:${r}:${a}:${name}`;
      case 'AWS::KMS::Key':
        return `arn:${p}:kms:${r}:${a}:key/${name}`;
      case 'AWS::Logs::LogGroup':
        return `arn:${p}:logs:${r}:${a}:log-group:${name}:*`;
      case 'AWS::IAM::Role':
        return `arn:${p}:iam::${a}:role/${name}`;
      case 'AWS::Lambda::Function':
        return `arn:${p}:lambda:${r}:${a}:function:${name}`;
      case 'AWS::CloudWatch::Alarm':
        return `arn:${p}:cloudwatch:${r}:${a}:alarm:${name}`;
      case 'AWS::Events::Rule':
        return `arn:${p}:events:${r}:${a}:rule/${name}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:${p}:states:${r}:${a}:stateMachine:${name}`;
      default:
        throw new Error(`no ARN format for ${logicalId} (${type})`);
    }
  }

  private intrinsic(fn: string, arg: unknown): unknown {
    switch (fn) {
      case 'Ref':
        return this.ref(String(arg));
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
        return this.getAtt(String(id), String(attribute));
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return parts.map((part) => this.resolveString(part)).join(separator);
      }
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
        return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
          if (name in vars) return this.resolveString(vars[name]);
          const [id, attribute] = name.split('.');
          return attribute === undefined ? String(this.ref(name)) : String(this.getAtt(String(id), attribute));
        });
      }
      default:
        throw new Error(`cannot resolve ${fn} ${JSON.stringify(arg)}`);
    }
  }

  private ref(id: string): unknown {
    switch (id) {
      case 'AWS::Partition':
        return this.env.partition;
      case 'AWS::Region':
        return this.env.region;
      case 'AWS::AccountId':
        return this.env.accountId;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return 'local-stack';
    }
    const type = this.typeOf(id);
    // Ref returns the ARN for a topic and a state machine, the URL for a queue, the name or id for the rest.
    if (type === 'AWS::SNS::Topic' || type === 'AWS::StepFunctions::StateMachine') return this.arn(id);
    if (type === 'AWS::SQS::Queue') return `https://sqs.${this.env.region}.amazonaws.com/${this.env.accountId}/${this.name(id)}`;
    return this.name(id);
  }

  private getAtt(id: string, attribute: string): unknown {
    const type = this.typeOf(id);
    if (attribute === 'Arn') return this.arn(id);
    if (type === 'AWS::SNS::Topic' && attribute === 'TopicArn') return this.arn(id);
    if (type === 'AWS::SNS::Topic' && attribute === 'TopicName') return this.name(id);
    if (type === 'AWS::SQS::Queue' && attribute === 'QueueName') return this.name(id);
    if (type === 'AWS::SQS::Queue' && attribute === 'QueueUrl') return this.ref(id);
    if (type === 'AWS::EC2::SecurityGroup' && attribute === 'GroupId') return this.name(id);
    if (type === 'AWS::StepFunctions::StateMachine' && attribute === 'Name') return this.name(id);
    throw new Error(`cannot resolve Fn::GetAtt ${id}.${attribute} (${type})`);
  }

  private typeOf(id: string): string {
    const resource = this.template.Resources[id];
    if (!resource) throw new Error(`no resource ${id} in the template`);
    return resource.Type;
  }

  private name(id: string): string {
    const name = this.names[id];
    if (name === undefined) throw new Error(`no physical name given for ${id} (${this.typeOf(id)})`);
    return name;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The template's policies
// ---------------------------------------------------------------------------------------------------------------

export type PolicyKind = 'identity' | 'topic' | 'queue' | 'key';

export interface TemplatePolicy {
  readonly kind: PolicyKind;
  /** The logical id of the resource holding the policy (the AWS::IAM::Policy, topic/queue policy, or key). */
  readonly id: string;
  /** For resource policies: the ARNs of the resources the policy is attached to. */
  readonly attachedTo: readonly string[];
  readonly statements: readonly PolicyStatement[];
}

const statementsOf = (resolver: CfnResolver, document: unknown): PolicyStatement[] => {
  const statements = (resolver.resolve(document) as { Statement: PolicyStatement | PolicyStatement[] }).Statement;
  return Array.isArray(statements) ? statements : [statements];
};

/** Every policy document of the template (trust policies excepted), resolved. */
export function templatePolicies(template: Template, resolver: CfnResolver): TemplatePolicy[] {
  const policies: TemplatePolicy[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::IAM::Policy':
        policies.push({ kind: 'identity', id, attachedTo: [], statements: statementsOf(resolver, props.PolicyDocument) });
        break;
      case 'AWS::IAM::Role':
        for (const inline of (props.Policies ?? []) as { PolicyDocument: unknown }[]) {
          policies.push({ kind: 'identity', id, attachedTo: [], statements: statementsOf(resolver, inline.PolicyDocument) });
        }
        break;
      case 'AWS::SNS::TopicPolicy':
        policies.push({ kind: 'topic', id, attachedTo: list(resolver.resolve(props.Topics)), statements: statementsOf(resolver, props.PolicyDocument) });
        break;
      case 'AWS::SQS::QueuePolicy':
        policies.push({
          kind: 'queue',
          id,
          attachedTo: ((props.Queues ?? []) as unknown[]).map((q) => queueArn(resolver, q)),
          statements: statementsOf(resolver, props.PolicyDocument),
        });
        break;
      case 'AWS::KMS::Key':
        policies.push({ kind: 'key', id, attachedTo: [resolver.arn(id)], statements: statementsOf(resolver, props.KeyPolicy) });
        break;
    }
  }
  return policies;
}

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** A queue policy names its queues by URL (Ref); IAM evaluates the queue's ARN. */
function queueArn(resolver: CfnResolver, queue: unknown): string {
  const url = resolver.resolveString(queue);
  const match = /^https:\/\/sqs\.([^.]+)\.[^/]+\/(\d{12})\/(.+)$/.exec(url);
  if (!match) throw new Error(`not a queue URL: ${url}`);
  return `arn:${resolver.partition}:sqs:${match[1]}:${match[2]}:${match[3]}`;
}

/** Every statement of every identity policy attached to the role (AWS::IAM::Policy and inline), resolved. */
export function roleStatements(template: Template, roleLogicalId: string, resolver: CfnResolver): PolicyStatement[] {
  const documents: unknown[] = [];
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const roles = (resource.Properties?.Roles ?? []) as unknown[];
    if (roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId }))) documents.push(resource.Properties?.PolicyDocument);
  }
  const role = template.Resources[roleLogicalId];
  for (const inline of (role?.Properties?.Policies ?? []) as { PolicyDocument: unknown }[]) documents.push(inline.PolicyDocument);
  return documents.flatMap((doc) => statementsOf(resolver, doc));
}

/**
 * The logical id of the notices topic: the one the function publishes to (its TOPIC_ARN), not the alarm topic.
 * Undefined when the function is given an existing topic's ARN.
 */
export function noticesTopicId(template: Template): string | undefined {
  const fn = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function');
  const variables = (fn?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
  const ref = (variables?.[ENV.topicArn] as { Ref?: unknown } | undefined)?.Ref;
  return typeof ref === 'string' && template.Resources[ref]?.Type === 'AWS::SNS::Topic' ? ref : undefined;
}
