import { App } from 'aws-cdk-lib';
import { MonitorStack } from '../lib/monitor-stack';

const app = new App();
new MonitorStack(app, 'ConfigAggregatorWatch', {
  description:
    'config-aggregator-watch: checks AWS Config aggregator source status on a schedule, keeps current state and ' +
    'history in DynamoDB and alerts through SNS when sources fail',
});
