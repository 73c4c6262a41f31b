import { Annotations, CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ConfigAggregatorMonitor, type ConfigAggregatorMonitorProps } from './config-aggregator-monitor';
import { integrationsFromContext, monitorPropsFromContext, networkFromContext, reportBucketFromContext } from './context-settings';
import { OUTPUTS } from '../core/stack-outputs';

export { OUTPUTS };


/** The deployable app: one monitor configured from the CDK context (see lib/context-settings.ts). */
export class MonitorStack extends Stack {
  public readonly monitor: ConfigAggregatorMonitor;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const context = this.node.getAllContext();
    this.monitor = new ConfigAggregatorMonitor(this, 'Monitor', {
      ...monitorPropsFromContext(context),
      ...this.network(context),
      ...this.integrations(context),
      ...this.reportBucket(context),
    });

    new CfnOutput(this, OUTPUTS.tableName, {
      description: 'DynamoDB table holding current source state and history',
      value: this.monitor.table.tableName,
    });
    new CfnOutput(this, OUTPUTS.topicArn, {
      description: 'SNS topic the notices are published to (subscribe with a filter policy on format, see docs/notifications.md)',
      value: this.monitor.topic.topicArn,
    });
    new CfnOutput(this, OUTPUTS.alarmTopicArn, {
      description: "SNS topic the monitor's own alarms notify",
      value: this.monitor.alarmTopic.topicArn,
    });
    new CfnOutput(this, OUTPUTS.functionName, {
      description: "The monitor's function: each step of a run (a Task of the state machine) is one of its invocations",
      value: this.monitor.function.functionName,
    });
    new CfnOutput(this, OUTPUTS.dispatcherName, {
      description: 'What the schedule invokes to start a run (invoke it asynchronously to run a check now)',
      value: this.monitor.dispatcher.functionName,
    });
    new CfnOutput(this, OUTPUTS.stateMachineArn, {
      description: 'The run: one execution per scheduled tick (its history is in the Step Functions console)',
      value: this.monitor.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, OUTPUTS.dashboardUrl, {
      description: 'CloudWatch dashboard',
      value:
        `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}` +
        `#dashboards/dashboard/${this.monitor.dashboard.dashboardName}`,
    });
  }

  /** The bus (imported by name or ARN) and the chat channels the context names. */
  private integrations(context: Record<string, unknown>): Pick<ConfigAggregatorMonitorProps, 'eventBus' | 'chat'> {
    const { eventBusName, chat } = integrationsFromContext(context);
    const eventBus =
      eventBusName === undefined
        ? undefined
        : eventBusName.startsWith('arn:')
          ? events.EventBus.fromEventBusArn(this, 'EventBus', eventBusName)
          : events.EventBus.fromEventBusName(this, 'EventBus', eventBusName);
    return { ...(eventBus ? { eventBus } : {}), ...(chat ? { chat } : {}) };
  }

  /** The report bucket the context names (an existing bucket by name: no lookup), or `create`. */
  private reportBucket(context: Record<string, unknown>): Pick<ConfigAggregatorMonitorProps, 'reportBucket'> {
    const choice = reportBucketFromContext(context);
    if (choice === undefined) return {};
    return { reportBucket: choice === 'create' ? true : s3.Bucket.fromBucketName(this, 'ReportBucket', choice.name) };
  }

  /**
   * The VPC and subnets the context names, imported from their ids alone: no lookup, so synthesis needs no
   * credentials. The Availability Zones are left to CloudFormation (Fn::GetAZs); nothing here uses them, since the
   * subnets are given.
   */
  private network(context: Record<string, unknown>): Pick<ConfigAggregatorMonitorProps, 'vpc' | 'vpcSubnets'> {
    const network = networkFromContext(context);
    if (network === undefined) return {};
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', { vpcId: network.vpcId, availabilityZones: Fn.getAzs() });
    Annotations.of(vpc).acknowledgeWarning(
      '@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones',
      'The function is given its subnets; nothing selects subnets by Availability Zone at synthesis time.',
    );
    const subnets = network.subnetIds.map((id) => {
      const subnet = ec2.Subnet.fromSubnetId(this, `Subnet-${id}`, id);
      Annotations.of(subnet).acknowledgeWarning(
        '@aws-cdk/aws-ec2:noSubnetRouteTableId',
        "Nothing here reads the subnet's route table: Lambda only places the function's interfaces in it.",
      );
      return subnet;
    });
    return { vpc, vpcSubnets: { subnets } };
  }
}
