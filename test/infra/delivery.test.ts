/**
 * Every delivery an AWS service makes to a resource of the stack (alarm notifications to the topic, dead letters
 * and invocations from the schedule, failed invocations to the dead-letter queue, the state machine's Task
 * invocations of the function, log events into the encrypted log groups) is allowed by the policies on its way.
 */
import { describe, expect, it } from 'vitest';
import type { Template } from '../support/cloudformation';
import { refusedDeliveries, templateDeliveries } from '../support/deliveries';
import { TEST_ENV, testResolver } from '../support/policy-check';
import { INTEGRATIONS_CONTEXT, VPC_CONTEXT, synthStack } from './support';

const VARIANTS: Record<string, Record<string, unknown>> = {
  default: {},
  'named aggregators': { aggregators: 'org-aggregator' },
  'an existing topic': { topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' },
  'in a VPC': VPC_CONTEXT,
  'with every integration': INTEGRATIONS_CONTEXT,
};

const deliveriesOf = (template: Template) => templateDeliveries(template, testResolver(template), TEST_ENV);

describe.each(Object.entries(VARIANTS))('the %s stack', (name, context) => {
  const template = synthStack(context).template.toJSON() as Template;

  it('lets every service deliver what the template wires it to', () => {
    const deliveries = deliveriesOf(template);
    const alarmActions = deliveries.filter((d) => /^(AlarmActions|OKActions) of /.test(d.what));
    // Five alarms, each notifying the stack's own alarm topic on ALARM and OK, with an existing notices topic too.
    expect(alarmActions).toHaveLength(10);
    expect(deliveries.map((d) => d.what.replace(/ of \S+ to \S+| of \S+ by \S+| of \S+ with \S+/, ''))).toEqual(
      expect.arrayContaining(['dead letters', 'invocations', 'failed invocations', 'task invocations', 'encryption']),
    );
    // The worker's, the dispatcher's and the state machine's log groups.
    expect(deliveries.filter((d) => d.what.startsWith('encryption of '))).toHaveLength(3);
    expect(refusedDeliveries(deliveries)).toEqual([]);
  });
});

describe('the check', () => {
  const template = synthStack({}).template.toJSON() as Template;

  it("refuses alarm notifications when the topic policy holds only the TLS statement (the stack before issue 12)", () => {
    const old = structuredClone(template);
    for (const r of Object.values(old.Resources)) {
      if (r.Type !== 'AWS::SNS::TopicPolicy') continue;
      const doc = r.Properties?.PolicyDocument as { Statement: { Sid?: string }[] };
      doc.Statement = doc.Statement.filter((s) => s.Sid !== 'AllowThisAccountsAlarmsToPublish');
    }
    const refused = refusedDeliveries(deliveriesOf(old));
    expect(refused).toHaveLength(10);
    expect(refused[0]).toMatch(/topic policy of \S+ refuses sns:Publish/);
  });

  it('refuses an alarm of another account', () => {
    const deliveries = deliveriesOf(template).map((d) => ({
      ...d,
      checks: d.checks.map((c) => ({ ...c, request: { ...c.request, context: { ...c.request.context, 'aws:SourceAccount': '210987654321' } } })),
    }));
    expect(refusedDeliveries(deliveries).filter((r) => r.includes('sns:Publish'))).toHaveLength(10);
  });

  it('refuses CloudWatch Logs another log group', () => {
    const deliveries = deliveriesOf(template).filter((d) => d.what.startsWith('encryption'));
    const other = deliveries.map((d) => ({
      ...d,
      checks: d.checks.map((c) => ({ ...c, request: { ...c.request, context: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:us-west-2:210987654321:log-group:x' } } })),
    }));
    expect(refusedDeliveries(other)).toHaveLength(9);
  });

  it("refuses the state machine's Task invocations when its role may invoke only a version of the function", () => {
    const narrowed = structuredClone(template);
    for (const r of Object.values(narrowed.Resources)) {
      if (r.Type !== 'AWS::IAM::Policy') continue;
      const doc = r.Properties?.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] };
      for (const st of doc.Statement) {
        if (st.Action === 'lambda:InvokeFunction') st.Resource = { 'Fn::Join': ['', [st.Resource, ':1']] };
      }
    }
    const refused = refusedDeliveries(deliveriesOf(narrowed));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/^task invocations of \S+ by \S+: identity policy of \S+ refuses lambda:InvokeFunction/);
  });
});
