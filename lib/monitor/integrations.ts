import { Aws, Names, Stack } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { ResolvedProps } from './props';

/** The actions the integrations call (Service Authorization Reference; test/support/iam-reference.json). */
export const PUT_EVENTS_ACTION = 'events:PutEvents';
export const IMPORT_FINDINGS_ACTION = 'securityhub:BatchImportFindings';

export interface MonitorIntegrations {
  /** The bus the events go to, as the function's EVENT_BUS_NAME (an ARN); undefined: the default bus. */
  readonly eventBusName?: string;
  /** The chat topic, when a chat channel is configured. */
  readonly chatTopic?: sns.Topic;
  /** The role Amazon Q Developer assumes for the channel: no permissions at all. */
  readonly chatRole?: iam.Role;
  /** The channel's guardrail: denies everything (notifications need no permission). */
  readonly chatGuardrail?: iam.ManagedPolicy;
}

/**
 * What the EventBridge events, the Security Hub CSPM findings and the chat notifications need:
 * - `events:PutEvents` on the one bus: its resource type is event-bus,
 *   `arn:${Partition}:events:${Region}:${Account}:event-bus/${EventBusName}` (Service Authorization Reference,
 *   Amazon EventBridge); the account's default bus is `event-bus/default`.
 * - `securityhub:BatchImportFindings` on the account's default product only, and only with `securityHubFindings`:
 *   its resource type is product, `arn:${Partition}:securityhub:${Region}:${Account}:product/${Company}/${ProductId}`
 *   (Service Authorization Reference, AWS Security Hub); custom findings go to `product/<account>/default`.
 * - a chat topic of its own (Amazon Q Developer renders only its custom-notification JSON, and its subscription
 *   takes no filter policy we can set, see core/settings.ts), encrypted with the monitor's key, and a Slack or
 *   Microsoft Teams channel configuration subscribed to it. GuardrailPolicies default to the AWS managed
 *   AdministratorAccess policy when not set (AWS::Chatbot::SlackChannelConfiguration and
 *   ::MicrosoftTeamsChannelConfiguration, CloudFormation User Guide), so the channel gets a guardrail that denies
 *   every action, and a role with no policy: the channel only receives notifications.
 */
export function createIntegrations(scope: Construct, props: ResolvedProps, role: iam.Role, key: kms.IKey): MonitorIntegrations {
  const stack = Stack.of(scope);
  const busArn = props.eventBus?.eventBusArn ?? stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [PUT_EVENTS_ACTION], resources: [busArn] }));
  if (props.securityHubFindings) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [IMPORT_FINDINGS_ACTION],
        resources: [`arn:${Aws.PARTITION}:securityhub:${Aws.REGION}:${Aws.ACCOUNT_ID}:product/${Aws.ACCOUNT_ID}/default`],
      }),
    );
  }
  const integrations: MonitorIntegrations = props.eventBus ? { eventBusName: props.eventBus.eventBusArn } : {};
  const { chat } = props;
  if (chat === undefined) return integrations;

  const chatTopic = new sns.Topic(scope, 'ChatTopic', { displayName: 'Config aggregator watch chat', masterKey: key, enforceSSL: true });
  chatTopic.grantPublish(role);
  const chatRole = new iam.Role(scope, 'ChatRole', {
    assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
    description: 'config-aggregator-watch chat channel: notifications only, no permissions',
  });
  const chatGuardrail = new iam.ManagedPolicy(scope, 'ChatGuardrail', {
    description: 'config-aggregator-watch chat channel guardrail: nothing is allowed',
    statements: [new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['*'], resources: ['*'] })],
  });
  const common = {
    iamRoleArn: chatRole.roleArn,
    snsTopicArns: [chatTopic.topicArn],
    guardrailPolicies: [chatGuardrail.managedPolicyArn],
    loggingLevel: 'NONE',
    userRoleRequired: false,
  };
  const name = (suffix: string) => `${Names.uniqueResourceName(scope, { maxLength: 100, separator: '-' })}-${suffix}`;
  if (chat.slack) {
    new chatbot.CfnSlackChannelConfiguration(scope, 'SlackChannel', {
      ...common,
      configurationName: name('slack'),
      slackWorkspaceId: chat.slack.workspaceId,
      slackChannelId: chat.slack.channelId,
    });
  }
  if (chat.teams) {
    new chatbot.CfnMicrosoftTeamsChannelConfiguration(scope, 'TeamsChannel', {
      ...common,
      configurationName: name('teams'),
      teamId: chat.teams.teamId,
      teamsChannelId: chat.teams.channelId,
      teamsTenantId: chat.teams.tenantId,
    });
  }
  return { ...integrations, chatTopic, chatRole, chatGuardrail };
}
