/**
 * The run's state machine (docs/decisions/engine.md, "Design"): a Standard workflow in JSONPath ASL whose every Task
 * invokes the monitor's function with `{ "step": ... }` (lambda/handler.ts dispatches on it). The state and error
 * names, and each step's input and output, are core/workflow.ts's.
 *
 * Every Task is a `LambdaInvoke` with `payloadResponseOnly` (Resource = the function's ARN, the function's result is
 * the Task's result) and `retryOnServiceExceptions: false`: its Retry is written here, per Task, in two retriers.
 * Step Functions applies the first retrier whose ErrorEquals names the error, each with its own attempt count; when
 * that retrier's attempts are spent, the state fails (Amazon States Language, "Retrying after an error"):
 * 1. Lambda's own transient failures, which "result in a 500 error": Lambda.ClientExecutionTimeoutException,
 *    Lambda.ServiceException, Lambda.AWSLambdaException, Lambda.SdkClientException, and Lambda.TooManyRequestsException
 *    ("when Lambda hits the maximum number of invocations") — the Step Functions Developer Guide, "Handle Lambda
 *    service exceptions", https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html.
 *    That page's example waits 2 s, doubling, 6 attempts; here 2 s doubling up to 1 minute, 10 attempts (~6 minutes),
 *    so that a throttled account (reserveConcurrency off) has time to free a slot.
 * 2. The invocation itself failed: `Lambda.Unknown` ("unhandled errors ... out-of-memory errors and function
 *    timeouts", same page), the Task's own timeout (`States.Timeout`), and every error the function throws, which
 *    Step Functions reports under the thrown error's name: `States.TaskFailed` matches "any known error name except
 *    for States.Timeout" (Developer Guide, "Handling errors in Step Functions workflows"). An aggregator's own failure
 *    is a result the function records, never a Task error, so every error reaching here is worth retrying; the
 *    durable state (cursor, journal, staged pages) is in the table, so a retried step resumes. The timing per Task is
 *    TASK_RETRY below.
 * Map iterations (up to 40 at once: the inline Map's limit, Developer Guide "Inline Map state") retry with full
 * jitter, so that a dependency that failed them all is not hit by all of them again at the same instant.
 *
 * No execution timeout (a slow run is reported by the dispatcher's SkippedRuns, never cut off). Each Task has a
 * timeout of the function's own plus a minute: without one a Task waits up to 99999999 seconds (the ASL default),
 * and a lost invocation would hold the run for ever. Execution history is capped at 25,000 events and 256 KiB per
 * state input or output (Developer Guide, "Step Functions service quotas",
 * https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html): every Task returns small control data
 * only (core/workflow.ts), and Reconcile's result is discarded (ResultPath null).
 */
import { Aws, Duration, Fn, Lazy, Names } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { WORKFLOW, type StepName } from '../../core/workflow';
import type { ResolvedProps } from './props';

const S = WORKFLOW.states;
/** The reconcile unit's end (inside the Reconcile Map): not a state of the contract, it only closes the loop. */
export const UNIT_DONE = 'UnitDone';

/** Lambda's transient service errors (bp-lambda-serviceexception, above). */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/** A failed invocation: killed, timed out, out of memory, or an error the function threw. */
export const INVOCATION_ERRORS = ['Lambda.Unknown', sfn.Errors.TIMEOUT, sfn.Errors.TASKS_FAILED] as const;

interface RetryTiming {
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
  readonly maxDelaySeconds?: number;
}

/** Lambda's service errors, every Task alike: 2 s, doubling, at most 1 minute apart, 10 attempts: ~6 minutes. */
export const SERVICE_RETRY: RetryTiming = { intervalSeconds: 2, maxAttempts: 10, maxDelaySeconds: 60 };

/**
 * A failed invocation, per step (backoff rate 2 throughout):
 * - read: 30 s doubling, at most an hour apart, 10 attempts (~4 hours): a read round that fails (Config throttling
 *   for minutes beyond the SDK's own 30 attempts) resumes from the cursor in the table; slow, never lost
 *   (docs/decisions/engine.md, "The shared, adaptive rate budget"). The dispatcher skips (and reports) the ticks
 *   meanwhile.
 * - finalize: 5 s doubling, 7 attempts (635 s, ~10 minutes, under the default 15-minute schedule): then its Catch
 *   ends the execution in Unrecorded with what Notify accepted, which the next dispatcher carries (gap 1).
 * - begin, reconcile, notify: 5 s doubling, at most 5 minutes apart, 8 attempts (~15 minutes): a DynamoDB or SNS
 *   outage of minutes; longer, and the execution fails (ExecutionsFailed alarms) and the next tick starts afresh.
 */
export const TASK_RETRY: Readonly<Record<StepName, RetryTiming>> = {
  begin: { intervalSeconds: 5, maxAttempts: 8, maxDelaySeconds: 300 },
  read: { intervalSeconds: 30, maxAttempts: 10, maxDelaySeconds: 3600 },
  reconcile: { intervalSeconds: 5, maxAttempts: 8, maxDelaySeconds: 300 },
  notify: { intervalSeconds: 5, maxAttempts: 8, maxDelaySeconds: 300 },
  finalize: { intervalSeconds: 5, maxAttempts: 7 },
};

export interface MonitorWorkflow {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
}

/**
 * The state machine, its log group (encrypted with the monitor's key, CT.CLOUDWATCH.PR.3) and its role, which may
 * invoke the worker function only.
 */
export function createWorkflow(
  scope: Construct,
  props: ResolvedProps,
  parts: { readonly worker: lambda.IFunction; readonly key: kms.IKey; readonly workerTimeout: Duration },
): MonitorWorkflow {
  const states = new Construct(scope, 'RunStates');
  const worker = parts.worker;
  const timeout = sfn.Timeout.duration(parts.workerTimeout.plus(Duration.minutes(1)));
  const task = (step: StepName, id: string, payload: Record<string, unknown>, options: { resultPath?: string; jitter?: boolean } = {}) => {
    const t = new tasks.LambdaInvoke(states, id, {
      stateName: id,
      lambdaFunction: worker,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      payload: sfn.TaskInput.fromObject({ step, ...payload }),
      taskTimeout: timeout,
      ...(options.resultPath === undefined ? {} : { resultPath: options.resultPath }),
    });
    const jitter = options.jitter ? { jitterStrategy: sfn.JitterType.FULL } : {};
    t.addRetry({ errors: [...LAMBDA_SERVICE_ERRORS], ...retryProps(SERVICE_RETRY), ...jitter });
    t.addRetry({ errors: [...INVOCATION_ERRORS], ...retryProps(TASK_RETRY[step]), ...jitter });
    return t;
  };
  const at = (path: string) => sfn.JsonPath.stringAt(path);
  const object = (path: string) => sfn.JsonPath.objectAt(path);

  const begin = task('begin', S.begin, { at: at('$.at'), carried: object('$.carried') }, { resultPath: '$.run' });
  const readRound = task('read', S.read, { runAt: at('$.run.runAt'), rate: object('$.run.read.rate'), rounds: sfn.JsonPath.numberAt('$.run.read.rounds') }, { resultPath: '$.run.read' });

  const unit = task('reconcile', S.reconcileUnit, { runAt: at('$.runAt'), unit: object('$.unit'), progress: object('$.progress') }, {
    resultPath: '$.progress',
    jitter: true,
  });
  const unitMore = new sfn.Choice(states, S.unitMore, { stateName: S.unitMore })
    .when(sfn.Condition.booleanEquals('$.progress.done', true), new sfn.Succeed(states, UNIT_DONE, { stateName: UNIT_DONE }))
    .otherwise(unit);
  const reconcile = new sfn.Map(states, S.reconcile, {
    stateName: S.reconcile,
    itemsPath: '$.run.read.units',
    maxConcurrency: props.reconcileConcurrency,
    // A literal null: CDK drops null values of an object it renders, so the null comes from a token.
    itemSelector: { runAt: at('$.run.runAt'), unit: object('$$.Map.Item.Value'), progress: Lazy.any({ produce: () => null }) },
    resultPath: sfn.JsonPath.DISCARD,
  }).itemProcessor(unit.next(unitMore), { mode: sfn.ProcessorMode.INLINE });

  // A channel's refusal fails NotifyAggregator, which its Retry sends again; once the retries are spent, the last
  // attempt records the refusal as the aggregator's failure (a result: the notices stay owed, Finalize still runs).
  // A state with both Retry and Catch uses its retriers first and only then the matching catcher (Developer Guide,
  // "Handling errors in Step Functions workflows", https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
  const notifyLastAttempt = task('notify', S.notifyLastAttempt, { runAt: at('$.runAt'), aggregator: at('$.aggregator'), lastAttempt: true });
  const notifyAggregator = task('notify', S.notifyAggregator, { runAt: at('$.runAt'), aggregator: at('$.aggregator') }, { jitter: true }).addCatch(
    notifyLastAttempt,
    { errors: [sfn.Errors.ALL], resultPath: '$.notifyError' },
  );
  const notify = new sfn.Map(states, S.notify, {
    stateName: S.notify,
    itemsPath: '$.run.aggregators',
    maxConcurrency: props.reconcileConcurrency,
    itemSelector: { runAt: at('$.run.runAt'), aggregator: at('$$.Map.Item.Value') },
    resultPath: '$.notified',
  }).itemProcessor(notifyAggregator, { mode: sfn.ProcessorMode.INLINE });

  const unrecorded = new sfn.Fail(states, S.unrecorded, {
    stateName: S.unrecorded,
    error: WORKFLOW.errors.unrecorded,
    causePath: sfn.JsonPath.jsonToString(object('$.notified')),
  });
  const finalize = task('finalize', S.finalize, { runAt: at('$.run.runAt'), notified: object('$.notified') }, { resultPath: '$.final' }).addCatch(
    unrecorded,
    { errors: [sfn.Errors.ALL], resultPath: '$.finalizeError' },
  );
  const anyFailed = new sfn.Choice(states, S.anyFailed, { stateName: S.anyFailed })
    .when(
      sfn.Condition.isPresent('$.final.failed[0]'),
      new sfn.Fail(states, S.aggregatorsFailed, {
        stateName: S.aggregatorsFailed,
        error: WORKFLOW.errors.aggregatorsFailed,
        causePath: sfn.JsonPath.jsonToString(object('$.final.failed')),
      }),
    )
    .otherwise(new sfn.Succeed(states, S.succeeded, { stateName: S.succeeded }));

  const readMore = new sfn.Choice(states, S.readMore, { stateName: S.readMore })
    .when(sfn.Condition.booleanEquals('$.run.read.done', true), reconcile.next(notify).next(finalize).next(anyFailed))
    .otherwise(readRound);
  readRound.next(readMore);

  const logGroup = new logs.LogGroup(scope, 'StateMachineLogGroup', {
    // "prefix your CloudWatch Logs log group names with /aws/vendedlogs/" to keep clear of the 5,120-character
    // CloudWatch Logs resource policy that Step Functions updates (Developer Guide, "Avoiding Amazon CloudWatch Logs
    // resource policy size restrictions"). The stack's id in the name: a retained group of a deleted stack does not
    // block the next one.
    logGroupName: `/aws/vendedlogs/states/${Names.uniqueId(scope)}-${Fn.select(2, Fn.split('/', Aws.STACK_ID))}`,
    retention: props.logRetention,
    encryptionKey: parts.key,
  });
  const role = stateMachineRole(scope, worker);
  const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
    // The statements CDK would add (LambdaInvoke's, logging's, tracing's) go nowhere: the role has exactly those of
    // stateMachineRole().
    role: role.withoutPolicyUpdates(),
    stateMachineType: sfn.StateMachineType.STANDARD,
    comment: 'config-aggregator-watch run: read every aggregator, reconcile, notify, record (docs/decisions/engine.md)',
    definitionBody: sfn.DefinitionBody.fromChainable(begin.next(readMore)),
    // Errors only, without the states' input and output (aggregator names and counts): the execution history keeps
    // every event with its data for 90 days after the execution closes (Step Functions quotas).
    logs: { destination: logGroup, level: sfn.LogLevel.ERROR, includeExecutionData: false },
    // CT.STEPFUNCTIONS.PR.2 and cdk-nag AwsSolutions-SF2.
    tracingEnabled: true,
  });
  // Step Functions checks at creation that the role may deliver the logs: the policy first.
  stateMachine.node.addDependency(role);
  return { stateMachine, logGroup, role };
}

/**
 * The state machine's role, its statements written out rather than CDK's: LambdaInvoke grants lambda:InvokeFunction
 * on the function and `<arn>:*` (every version and alias), but the Tasks invoke the unqualified ARN and the stack
 * publishes no version or alias, so this role may invoke the function's ARN and nothing else (the Service
 * Authorization Reference gives InvokeFunction the function resource type, arn:...:function:${FunctionName}).
 * The other statements are the ones the Step Functions Developer Guide documents, on "*" as the reference requires of
 * actions without a resource type:
 * - logging to CloudWatch Logs ("IAM policies for logging to CloudWatch Logs"): logs:CreateLogDelivery,
 *   GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy,
 *   DescribeResourcePolicies, DescribeLogGroups;
 * - X-Ray tracing ("IAM policies for using AWS X-Ray in Step Functions"): xray:PutTraceSegments,
 *   PutTelemetryRecords, GetSamplingRules, GetSamplingTargets.
 */
function stateMachineRole(scope: Construct, worker: lambda.IFunction): iam.Role {
  const role = new iam.Role(scope, 'StateMachineRole', {
    assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
    description: 'config-aggregator-watch run (Step Functions): invokes the monitor function',
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [worker.functionArn] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...STATE_MACHINE_STAR_ACTIONS], resources: ['*'] }));
  return role;
}

/** What the state machine's role is granted on "*" (stateMachineRole). */
export const STATE_MACHINE_STAR_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
] as const;

function retryProps(timing: RetryTiming): sfn.RetryProps {
  return {
    interval: Duration.seconds(timing.intervalSeconds),
    backoffRate: 2,
    maxAttempts: timing.maxAttempts,
    ...(timing.maxDelaySeconds === undefined ? {} : { maxDelay: Duration.seconds(timing.maxDelaySeconds) }),
  };
}
