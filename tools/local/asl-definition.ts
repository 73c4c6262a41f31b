/**
 * What the local Step Functions endpoint needs to know about an ASL (JSONPath) definition before it runs it with
 * aws-local-stepfunctions: validation with asl-validator, every state (nested Map and Parallel states included),
 * each Task's Lambda function, and the few rewrites that make the interpreter behave as the service does.
 *
 * Rewrites (the definition the caller registered is kept as is; only the interpreter's copy is changed):
 * - A Task without `TimeoutSeconds`/`TimeoutSecondsPath`: the service's default is 99999999 seconds ("If not
 *   provided, the default value is 99999999", https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html);
 *   aws-local-stepfunctions would time it out after 60 s (the ASL spec's default). Set to the longest a Node.js timer
 *   can wait (2,147,483 s, ~24.8 days).
 * - A Fail state whose `ErrorPath`/`CausePath` is an intrinsic function (the service allows States.Format,
 *   States.JsonToString, States.ArrayGetItem, States.Base64Encode/Decode, States.Hash and States.UUID there,
 *   https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html): aws-local-stepfunctions 3.0.0 reads these
 *   fields as plain paths and fails with States.Runtime. The Fail state becomes a Pass state of the same name that
 *   evaluates them (through the interpreter's own intrinsic functions, in `Parameters`) followed by a Fail state
 *   reading the result by path; the endpoint reports the pair as the one Fail state.
 */
import aslValidator from 'asl-validator';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type AslState = Record<string, unknown> & { readonly Type: string };
export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
  readonly [key: string]: unknown;
}

/** A Lambda function ARN, as a payloadResponseOnly Task's Resource names it (an alias or version allowed). */
export const LAMBDA_FUNCTION_ARN = /^arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?$/;
/** Longest wait a Node.js timer supports, in seconds (2^31 - 1 ms). */
export const MAX_LOCAL_TIMEOUT_SECONDS = 2_147_483;
/** Suffix of the Fail state that follows a rewritten Fail state's Pass. */
export const FAIL_SUFFIX = ' \u2192 Fail';

export interface StateInfo {
  readonly name: string;
  readonly type: string;
  readonly definition: AslState;
}

export interface PreparedDefinition {
  readonly definition: AslDefinition;
  /** Every state by name (names are unique in the whole state machine; asl-validator checks it). */
  readonly states: ReadonlyMap<string, StateInfo>;
  /** Task state name -> the Lambda function ARN it invokes. */
  readonly tasks: ReadonlyMap<string, string>;
  /** What aws-local-stepfunctions runs. */
  readonly interpreted: StateMachineDefinition;
  /** Names of Fail states rewritten into Pass + Fail (see above). */
  readonly rewrittenFails: ReadonlySet<string>;
}

/** Validates `definition` with asl-validator (paths and ARNs checked); throws an Error listing every problem. */
export function validateDefinition(definition: unknown, what = 'state machine definition'): AslDefinition {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
    throw new Error(`The ${what} must be a JSON object, got ${definition === null ? 'null' : Array.isArray(definition) ? 'an array' : typeof definition}`);
  }
  // asl-validator writes a QueryLanguage into every state it visits: give it a copy.
  const { isValid, errorsText } = aslValidator(structuredClone(definition), { checkArn: true, checkPaths: true });
  if (!isValid) throw new Error(`The ${what} is not valid ASL (asl-validator):\n${errorsText('\n')}`);
  return definition as AslDefinition;
}

export function prepareDefinition(raw: unknown): PreparedDefinition {
  const definition = validateDefinition(raw);
  const states = new Map<string, StateInfo>();
  const tasks = new Map<string, string>();
  const rewrittenFails = new Set<string>();
  const interpreted = structuredClone(definition) as unknown as AslDefinition;
  visit(definition, (name, state) => {
    states.set(name, { name, type: state.Type, definition: state });
    if (state.Type !== 'Task') return;
    const resource = state.Resource;
    if (typeof resource !== 'string' || !LAMBDA_FUNCTION_ARN.test(resource)) {
      throw new Error(
        `Task state '${name}': Resource ${JSON.stringify(resource)} is not a Lambda function ARN; the local endpoint runs ` +
          'Lambda tasks with payloadResponseOnly only (Resource = arn:aws:lambda:<region>:<account>:function:<name>)',
      );
    }
    tasks.set(name, resource);
  });
  visit(interpreted, (name, state, siblings) => {
    if (state.Type === 'Task' && state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
      siblings[name] = { ...state, TimeoutSeconds: MAX_LOCAL_TIMEOUT_SECONDS };
    }
    if (state.Type === 'Fail' && (isIntrinsic(state.ErrorPath) || isIntrinsic(state.CausePath))) {
      rewrittenFails.add(name);
      const parameters: Record<string, unknown> = {};
      if (typeof state.Error === 'string') parameters.Error = state.Error;
      if (typeof state.ErrorPath === 'string') parameters['Error.$'] = state.ErrorPath;
      if (typeof state.Cause === 'string') parameters.Cause = state.Cause;
      if (typeof state.CausePath === 'string') parameters['Cause.$'] = state.CausePath;
      siblings[name] = { Type: 'Pass', Parameters: parameters, Next: name + FAIL_SUFFIX };
      siblings[name + FAIL_SUFFIX] = {
        Type: 'Fail',
        ...('Error' in parameters || 'Error.$' in parameters ? { ErrorPath: '$.Error' } : {}),
        ...('Cause' in parameters || 'Cause.$' in parameters ? { CausePath: '$.Cause' } : {}),
      };
    }
  });
  return { definition, states, tasks, interpreted: interpreted as unknown as StateMachineDefinition, rewrittenFails };
}

/** Calls `fn` for every state of the machine and of its nested Map item processors and Parallel branches. */
export function visit(definition: AslDefinition, fn: (name: string, state: AslState, siblings: Record<string, AslState>) => void): void {
  for (const [name, state] of Object.entries(definition.States)) {
    fn(name, state, definition.States);
    const nested = [state.ItemProcessor, state.Iterator, ...(Array.isArray(state.Branches) ? state.Branches : [])];
    for (const machine of nested) {
      if (typeof machine === 'object' && machine !== null && 'States' in machine) visit(machine as AslDefinition, fn);
    }
  }
}

function isIntrinsic(path: unknown): boolean {
  return typeof path === 'string' && path.startsWith('States.');
}

/** Size of a JSON value as Step Functions counts its payload quota: bytes of its UTF-8 JSON text. */
export function payloadBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
}
