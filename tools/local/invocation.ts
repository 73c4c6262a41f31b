/**
 * What Lambda hands the handler when the schedule fires: the EventBridge scheduled event and a context.
 * Shared by the demo, the end-to-end test and the benchmark, so they all invoke the handler the same way.
 */
import type { Context } from 'aws-lambda';

export interface InvocationTarget {
  readonly accountId: string;
  readonly region: string;
  readonly functionName?: string;
  readonly ruleName?: string;
}

/** The event an EventBridge schedule rule delivers; `time` is the run's logical time (seconds precision). */
export function scheduledEvent(time: string | Date, target: InvocationTarget): Record<string, unknown> {
  const iso = new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    version: '0',
    id: `local-${iso}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: target.accountId,
    time: iso,
    region: target.region,
    resources: [`arn:aws:events:${target.region}:${target.accountId}:rule/${target.ruleName ?? 'config-aggregator-watch-schedule'}`],
    detail: {},
  };
}

/** A Lambda context whose remaining time counts down from `timeoutMs` (the function's 15 minutes by default). */
export function lambdaContext(target: InvocationTarget, timeoutMs = 15 * 60_000): Context {
  const deadline = Date.now() + timeoutMs;
  const functionName = target.functionName ?? 'config-aggregator-watch-local';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${target.region}:${target.accountId}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: `local-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
