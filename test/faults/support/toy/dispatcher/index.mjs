// A toy dispatcher for the lab's own tests: starts the tick's execution, named after the event's time as
// core/workflow.ts executionName() names it. Not the monitor's dispatcher (no one-at-a-time decision).
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

const sfn = new SFNClient({});

export const handler = async (event) => {
  const at = new Date(event.time).toISOString();
  const name = `run-${at.replace(/\.\d{3}Z$/, 'Z').replace(/[:-]/g, '')}`;
  const out = await sfn.send(new StartExecutionCommand({ stateMachineArn: process.env.STATE_MACHINE_ARN, name, input: JSON.stringify({ at, carried: [] }) }));
  return { outcome: 'started', executionArn: out.executionArn };
};
