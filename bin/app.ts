import { App } from 'aws-cdk-lib';
import { SettingsError } from '../core/settings';
import { UnknownContextKeyError } from '../lib/context-settings';
import { MonitorStack } from '../lib/monitor-stack';
import { DEFAULT_STACK_NAME } from '../core/stack-outputs';

const app = new App();
try {
  new MonitorStack(app, DEFAULT_STACK_NAME, {
    description:
      'config-aggregator-watch: checks AWS Config aggregator source status on a schedule, keeps current state and ' +
      'history in DynamoDB and alerts through SNS when sources fail',
  });
} catch (e) {
  // A configuration mistake is the user's to fix: say what is wrong, without a stack trace.
  if (e instanceof SettingsError || e instanceof UnknownContextKeyError) {
    console.error(`config-aggregator-watch: ${e.message}`);
    process.exit(1);
  }
  throw e;
}
