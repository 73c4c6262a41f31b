import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ConfigAggregatorMonitor } from './config-aggregator-monitor';
import { monitorPropsFromContext } from './context-settings';
import { OUTPUTS } from '../core/stack-outputs';

export { OUTPUTS };


/** The deployable app: one monitor configured from the CDK context (see lib/context-settings.ts). */
export class MonitorStack extends Stack {
  public readonly monitor: ConfigAggregatorMonitor;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.monitor = new ConfigAggregatorMonitor(this, 'Monitor', monitorPropsFromContext(this.node.getAllContext()));

    new CfnOutput(this, OUTPUTS.tableName, {
      description: 'DynamoDB table holding current source state and history',
      value: this.monitor.table.tableName,
    });
    new CfnOutput(this, OUTPUTS.topicArn, {
      description: 'SNS topic the alerts and alarms are published to',
      value: this.monitor.topic.topicArn,
    });
    new CfnOutput(this, OUTPUTS.functionName, {
      description: 'The scheduled check function (invoke it to run a check now)',
      value: this.monitor.function.functionName,
    });
    new CfnOutput(this, OUTPUTS.dashboardUrl, {
      description: 'CloudWatch dashboard',
      value:
        `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}` +
        `#dashboards/dashboard/${this.monitor.dashboard.dashboardName}`,
    });
  }
}
