/** Shared helpers for the infrastructure tests. */
import { App, CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { ConfigAggregatorMonitor, type ConfigAggregatorMonitorProps } from '../../lib/config-aggregator-monitor';
import { MonitorStack } from '../../lib/monitor-stack';
import { CDK_JSON_CONTEXT } from '../support/cdk-json';

/**
 * Context that skips esbuild bundling (CDK's own switch, as `cdk synth --exclusively` uses). Bundling takes
 * seconds; one test file bundles for real, the variants don't need to.
 */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] } as const;

/** Placed in a VPC without lookups: the context a user gives `cdk synth -c vpcId=... -c subnetIds=...`. */
export const VPC_CONTEXT = {
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
} as const;

/** Every integration on: a named bus, Security Hub findings, a Slack channel (and so the chat topic). */
export const INTEGRATIONS_CONTEXT = {
  eventBusName: 'security',
  securityHubFindings: 'true',
  slackWorkspaceId: 'T07EA123LEP',
  slackChannelId: 'C07EZ1ABC23',
} as const;

export interface Synthesized<T> {
  readonly app: App;
  readonly stack: Stack;
  readonly subject: T;
  readonly template: Template;
}

/** The construct alone in a plain stack. */
export function synthMonitor(
  props: ConfigAggregatorMonitorProps = {},
  { bundle = false }: { bundle?: boolean } = {},
): Synthesized<ConfigAggregatorMonitor> {
  const app = new App({ context: bundle ? {} : NO_BUNDLING });
  const stack = new Stack(app, 'TestStack');
  const subject = new ConfigAggregatorMonitor(stack, 'Monitor', props);
  return { app, stack, subject, template: Template.fromStack(stack) };
}

/** The context of the README's `npx cdk synth -c aggregators=... -c emails=... -c smsNumbers=...`. */
export const README_CONTEXT = { aggregators: 'org-aggregator', emails: 'ops@example.com', smsNumbers: '+15555550100' };

/** The deployable stack, configured through context as `cdk synth -c key=value` would (cdk.json's flags included). */
export function synthStack(
  context: Record<string, unknown>,
  { bundle = false }: { bundle?: boolean } = {},
): Synthesized<MonitorStack> {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...context, ...(bundle ? {} : NO_BUNDLING) } });
  const subject = new MonitorStack(app, 'ConfigAggregatorWatch');
  return { app, stack: subject, subject, template: Template.fromStack(subject) };
}

/** The template's logical id of a construct's CloudFormation resource. */
export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).resolve(element.logicalId) as string;
}

export const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });
export const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });

export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Principal?: unknown;
  readonly Condition?: unknown;
  readonly Sid?: string;
}

/** Every statement of every identity policy attached to the role (inline and AWS::IAM::Policy). */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId })),
  );
  const role = template.findResources('AWS::IAM::Role')[roleLogicalId];
  const inline = (role?.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
  return [...policies.map((p) => p.Properties.PolicyDocument), ...inline.map((p) => p.PolicyDocument)].flatMap(
    (doc: { Statement: Statement[] }) => doc.Statement,
  );
}

export const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** cdk-nag v3 runs as a CDK policy-validation plugin; `validateScope` is its documented entry point for tests. */
export function nagViolations(app: App): string[] {
  const report = new AwsSolutionsChecks(app).validateScope(app);
  return report.violations.map(
    (v) => `${v.severity ?? 'unknown'} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
  );
}

/** Every acknowledgment (cdk-nag suppression) recorded in the tree: where, which rule, why. */
export function acknowledgments(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          // CDK prefixes annotation-style ids; cdk-nag strips the prefix the same way.
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}
