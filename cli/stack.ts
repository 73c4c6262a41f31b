/**
 * The table name from the deployed stack's outputs (DescribeStacks), when --table is not given.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DEFAULT_STACK_NAME, OUTPUTS } from '../core/stack-outputs';
import { CliError } from './errors';

export const DEFAULT_STACK = DEFAULT_STACK_NAME;
export const TABLE_OUTPUT = OUTPUTS.tableName;

export async function tableFromStack(cloudformation: CloudFormationClient, stackName: string): Promise<string> {
  const { DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const out = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
  const stack = out.Stacks?.[0];
  if (!stack) {
    throw new CliError(`Stack "${stackName}" not found: pass --stack NAME, or --table NAME to read a table directly.`);
  }
  const value = stack.Outputs?.find((o) => o.OutputKey === TABLE_OUTPUT)?.OutputValue;
  if (!value) {
    throw new CliError(
      `Stack "${stackName}" (${stack.StackStatus ?? 'unknown status'}) has no ${TABLE_OUTPUT} output: ` +
        'pass --table NAME (or --stack NAME for the config-aggregator-watch stack).',
    );
  }
  return value;
}
