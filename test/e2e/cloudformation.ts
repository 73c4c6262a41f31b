/**
 * Just enough CloudFormation and IAM to run a synthesized function locally and check its permissions:
 * resolving the intrinsics a template uses (Ref, Fn::GetAtt, Fn::Join, Fn::Sub) against fake physical resources,
 * and evaluating a role's identity policies (Allow and Deny, wildcards in actions and resources, NotAction and
 * NotResource). A reference this does not know fails loudly rather than resolving to something wrong.
 */

export interface Template {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

export interface Environment {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/** Physical names of resources, by logical id; ARNs and Ref values are derived from them by type. */
export type PhysicalNames = Record<string, string>;

export class CfnResolver {
  constructor(
    private readonly template: Template,
    private readonly env: Environment,
    private readonly names: PhysicalNames,
  ) {}

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
    // Ref returns the ARN for a topic, the URL for a queue, the name or id for the rest.
    if (type === 'AWS::SNS::Topic') return this.arn(id);
    if (type === 'AWS::SQS::Queue') return `https://sqs.${this.env.region}.amazonaws.com/${this.env.accountId}/${this.name(id)}`;
    return this.name(id);
  }

  private getAtt(id: string, attribute: string): unknown {
    const type = this.typeOf(id);
    if (attribute === 'Arn') return this.arn(id);
    if (type === 'AWS::SNS::Topic' && attribute === 'TopicArn') return this.arn(id);
    if (type === 'AWS::SNS::Topic' && attribute === 'TopicName') return this.name(id);
    if (type === 'AWS::SQS::Queue' && attribute === 'QueueName') return this.name(id);
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
// IAM
// ---------------------------------------------------------------------------------------------------------------

export interface PolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: unknown;
  readonly Sid?: string;
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
  return documents.flatMap((doc) => {
    const statements = (resolver.resolve(doc) as { Statement: PolicyStatement | PolicyStatement[] }).Statement;
    return Array.isArray(statements) ? statements : [statements];
  });
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** IAM wildcards: `*` any run of characters, `?` one character. Actions compare case-insensitively. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

function applies(s: PolicyStatement, action: string, resource: string): boolean {
  const actionMatches = s.Action !== undefined ? list(s.Action).some((a) => wildcardMatch(a, action, true)) : !list(s.NotAction).some((a) => wildcardMatch(a, action, true));
  const resourceMatches =
    s.Resource !== undefined ? list(s.Resource).some((r) => wildcardMatch(r, resource)) : !list(s.NotResource).some((r) => wildcardMatch(r, resource));
  return actionMatches && resourceMatches;
}

/**
 * Whether the statements allow `action` on `resource`: an applicable Allow and no applicable Deny. A conditional
 * Allow is not counted (its condition cannot be evaluated here); a conditional Deny is (cautious both ways).
 */
export function isAllowed(statements: readonly PolicyStatement[], action: string, resource: string): boolean {
  if (statements.some((s) => s.Effect === 'Deny' && applies(s, action, resource))) return false;
  return statements.some((s) => s.Effect === 'Allow' && s.Condition === undefined && applies(s, action, resource));
}
