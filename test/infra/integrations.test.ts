/**
 * The integrations in the template: PutEvents on the one bus, BatchImportFindings on the default product only
 * when opted in, and the chat topic with its Slack and Microsoft Teams channel configurations, whose guardrail
 * allows nothing and whose role has no permission. Configured by props and by context.
 */
import { describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { ENV } from '../../core/settings';
import { integrationsFromContext } from '../../lib/context-settings';
import { ConfigAggregatorMonitor } from '../../lib/config-aggregator-monitor';
import { NO_BUNDLING, logicalId, nagViolations, ref, roleStatements, synthMonitor, synthStack } from './support';

const SLACK = { workspaceId: 'T07EA123LEP', channelId: 'C07EZ1ABC23' };
const TEAMS = { teamId: '5f6a0d5e-1111-4222-8333-444455556666', channelId: '19%3ab6ef35dc342d4e1fb1e2b3b1f1a1b1c1%40thread.tacv2', tenantId: '0a1b2c3d-1111-4222-8333-444455556666' };
const PRODUCT = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':product/', { Ref: 'AWS::AccountId' }, '/default']] };

const statementsFor = (s: ReturnType<typeof synthMonitor>, action: string) =>
  roleStatements(s.template, logicalId(s.subject.role)).filter((st) => [st.Action].flat().includes(action));
const environment = (s: ReturnType<typeof synthMonitor>) =>
  Object.values(s.template.findResources('AWS::Lambda::Function'))[0]?.Properties.Environment.Variables as Record<string, unknown>;

describe('events', () => {
  it('may put events on the default bus only, and names no bus to the function, by default', () => {
    const s = synthMonitor();
    expect(statementsFor(s, 'events:PutEvents')).toEqual([
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':event-bus/default']] },
      },
    ]);
    expect(environment(s)).not.toHaveProperty(ENV.eventBusName);
  });

  it('may put events on the given bus only, and gives the function its ARN', () => {
    const app = new App({ context: NO_BUNDLING });
    const stack = new Stack(app, 'WithBus');
    const bus = new events.EventBus(stack, 'Bus');
    const monitor = new ConfigAggregatorMonitor(stack, 'Monitor', { eventBus: bus });
    const template = Template.fromStack(stack);
    const busArn = { 'Fn::GetAtt': [logicalId(bus), 'Arn'] };
    expect(roleStatements(template, logicalId(monitor.role)).filter((st) => st.Action === 'events:PutEvents')).toEqual([
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: busArn },
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ [ENV.eventBusName]: busArn }) } });
    expect(monitor.chatTopic).toBeUndefined();
  });

  it('takes the bus from the context by name or ARN', () => {
    const byName = synthStack({ eventBusName: 'security' });
    const byArn = synthStack({ eventBusName: 'arn:aws:events:eu-west-1:111111111111:event-bus/central' });
    const put = (s: ReturnType<typeof synthStack>) =>
      roleStatements(s.template, logicalId(s.subject.monitor.role)).filter((st) => st.Action === 'events:PutEvents').map((st) => st.Resource);
    expect(JSON.stringify(put(byName))).toContain(':event-bus/security');
    expect(put(byArn)).toEqual(['arn:aws:events:eu-west-1:111111111111:event-bus/central']);
    expect(() => synthStack({ eventBusName: 'my bus' })).toThrow(/Invalid eventBusName: "my bus"\. Allowed: an EventBridge bus name/);
  });
});

describe('Security Hub findings', () => {
  it('are off by default: no grant, and the function is told so', () => {
    const s = synthMonitor();
    expect(statementsFor(s, 'securityhub:BatchImportFindings')).toEqual([]);
    expect(environment(s)[ENV.securityHubFindings]).toBe('false');
  });

  it('opted in, may import into the account\'s default product only', () => {
    const s = synthMonitor({ securityHubFindings: true });
    expect(statementsFor(s, 'securityhub:BatchImportFindings')).toEqual([{ Effect: 'Allow', Action: 'securityhub:BatchImportFindings', Resource: PRODUCT }]);
    expect(environment(s)[ENV.securityHubFindings]).toBe('true');
    const fromContext = synthStack({ securityHubFindings: 'true' });
    expect(roleStatements(fromContext.template, logicalId(fromContext.subject.monitor.role)).filter((st) => st.Action === 'securityhub:BatchImportFindings')).toHaveLength(1);
  });
});

describe('chat', () => {
  const s = synthMonitor({ chat: { slack: SLACK, teams: TEAMS } });
  const m = s.subject;

  it('has a topic of its own, encrypted with the monitor key, that the function may publish to and is told of', () => {
    expect(m.chatTopic).toBeDefined();
    s.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(m.key), 'Arn'] }, DisplayName: 'Config aggregator watch chat' });
    expect(environment(s)[ENV.chatTopicArn]).toEqual(ref(m.chatTopic!));
    expect(statementsFor(s, 'sns:Publish').map((st) => st.Resource)).toContainEqual(ref(m.chatTopic!));
  });

  it('subscribes a Slack and a Microsoft Teams channel, with a guardrail that denies everything and a role with no policy', () => {
    const guardrails = s.template.findResources('AWS::IAM::ManagedPolicy');
    const [guardrailId, guardrail] = Object.entries(guardrails)[0]!;
    expect(Object.keys(guardrails)).toHaveLength(1);
    expect(guardrail.Properties.PolicyDocument.Statement).toEqual([{ Effect: 'Deny', Action: '*', Resource: '*' }]);
    const common = { SnsTopicArns: [ref(m.chatTopic!)], GuardrailPolicies: [{ Ref: guardrailId }], LoggingLevel: 'NONE', UserRoleRequired: false };
    s.template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', { ...common, SlackWorkspaceId: SLACK.workspaceId, SlackChannelId: SLACK.channelId });
    s.template.hasResourceProperties('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', { ...common, TeamId: TEAMS.teamId, TeamsChannelId: TEAMS.channelId, TeamsTenantId: TEAMS.tenantId });
    const roles = s.template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'chatbot.amazonaws.com' } }] } } });
    const [roleId, role] = Object.entries(roles)[0]!;
    expect(role.Properties.Policies).toBeUndefined();
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(roleStatements(s.template, roleId)).toEqual([]);
  });

  it('is configured from the context, each channel\'s keys all or none, each id checked', () => {
    expect(integrationsFromContext({ slackWorkspaceId: SLACK.workspaceId, slackChannelId: SLACK.channelId })).toEqual({ chat: { slack: SLACK } });
    expect(() => integrationsFromContext({ slackWorkspaceId: SLACK.workspaceId })).toThrow(/Invalid slackChannelId: null\. Allowed: required with slackWorkspaceId/);
    expect(() => integrationsFromContext({ teamsTeamId: 'x', teamsChannelId: TEAMS.channelId, teamsTenantId: TEAMS.tenantId })).toThrow(/Invalid teamsTeamId: "x"\. Allowed: a Microsoft Teams team id/);
    expect(() => synthMonitor({ chat: {} })).toThrow(/Invalid chat.*Allowed: a slack or teams channel/);
    expect(() => synthMonitor({ chat: { slack: { workspaceId: 'lower', channelId: 'C1' } } })).toThrow(/Invalid slackWorkspaceId: "lower"/);
  });

  it('leaves cdk-nag with nothing to report', () => {
    expect(nagViolations(s.app)).toEqual([]);
  });
});
