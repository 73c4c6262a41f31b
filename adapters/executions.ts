/**
 * The state machine's executions, as the dispatcher sees them (Step Functions API Reference:
 * ListExecutions https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html,
 * DescribeExecution https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html,
 * StartExecution https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
 * Throttling and 5xx are retried by the SDK client (its retry strategy); every other error is thrown.
 *
 * ListExecutions and DescribeExecution are "eventually consistent ... best effort and may not reflect very recent
 * updates": an execution started a moment ago may not be listed yet. The dispatcher does not depend on it: a
 * re-delivered tick that does not see its own execution running computes the same input and StartExecution answers
 * with the running execution (same name and input), or with ExecutionAlreadyExists once it has closed.
 */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ListExecutionsCommand,
  StartExecutionCommand,
  paginateListExecutions,
  type ExecutionListItem,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { ExecutionDetail, ExecutionSummary } from '../core/dispatch';

/** ListExecutions' page size at most (the default is 100). */
const MAX_PAGE = 1_000;
/**
 * The newest executions looked at for the previous one: this tick's own (on a re-delivery) and, with one execution
 * at a time, the previous one come first; a page of 20 leaves room for executions started by hand.
 */
export const RECENT_PAGE = 20;

export type StartOutcome =
  | { readonly started: true; readonly executionArn: string; readonly startDate: string }
  /**
   * ExecutionAlreadyExists: an execution of this name has closed (this tick already ran), or is open with a
   * different input; either way the tick has its execution.
   */
  | { readonly started: false; readonly message: string };

export class Executions {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  /** Every RUNNING execution, all pages (nextToken followed by the SDK's paginator). */
  async running(): Promise<ExecutionSummary[]> {
    const found: ExecutionSummary[] = [];
    const pages = paginateListExecutions(
      { client: this.client, pageSize: MAX_PAGE },
      { stateMachineArn: this.stateMachineArn, statusFilter: 'RUNNING' },
    );
    for await (const page of pages) found.push(...(page.executions ?? []).map(summary));
    return found;
  }

  /** The newest executions, any status: the first page of RECENT_PAGE (newest first, ListExecutions). */
  async recent(): Promise<ExecutionSummary[]> {
    const out = await this.client.send(new ListExecutionsCommand({ stateMachineArn: this.stateMachineArn, maxResults: RECENT_PAGE }));
    return (out.executions ?? []).map(summary);
  }

  async describe(executionArn: string): Promise<ExecutionDetail> {
    const out = await this.client.send(new DescribeExecutionCommand({ executionArn }));
    return {
      status: String(out.status),
      ...(out.error === undefined ? {} : { error: out.error }),
      ...(out.cause === undefined ? {} : { cause: out.cause }),
      ...(out.input === undefined ? {} : { input: out.input }),
    };
  }

  /**
   * Starts the execution `name` with `input`. For a Standard workflow StartExecution is idempotent: the same name
   * and input as an open execution returns that execution; a closed one of the same name (names are unique for 90
   * days) or a different input gives ExecutionAlreadyExists, returned here as `started: false`.
   */
  async start(name: string, input: string): Promise<StartOutcome> {
    try {
      const out = await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input }));
      return { started: true, executionArn: required(out.executionArn, 'executionArn'), startDate: iso(required(out.startDate, 'startDate')) };
    } catch (e) {
      if (e instanceof ExecutionAlreadyExists) return { started: false, message: e.message };
      throw e;
    }
  }
}

function summary(e: ExecutionListItem): ExecutionSummary {
  return {
    name: required(e.name, 'name'),
    executionArn: required(e.executionArn, 'executionArn'),
    status: required(e.status, 'status'),
    startDate: iso(required(e.startDate, 'startDate')),
  };
}

/** A field the API reference marks as required in ListExecutions' and StartExecution's responses. */
function required<T>(value: T | undefined, field: string): T {
  if (value === undefined || value === null) throw new Error(`Step Functions answered without the required field ${field}`);
  return value;
}

function iso(d: Date): string {
  return d.toISOString();
}
