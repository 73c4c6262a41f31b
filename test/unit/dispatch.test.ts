/** The dispatcher's decisions (core/dispatch.ts), its run time and execution name, and its settings. */
import { describe, expect, it } from 'vitest';
import {
  carriedFrom,
  decideTick,
  executionInput,
  mayLeaveObligations,
  mergeCarried,
  previousExecution,
  type ExecutionSummary,
} from '../../core/dispatch';
import { ConfigurationError, DEFAULTS, dispatcherSettingsFromEnvironment, dispatcherSettingsToEnvironment } from '../../core/settings';
import { WORKFLOW, executionName, runTime, type CarriedObligation, type NotifyResult } from '../../core/workflow';

const AT = '2026-11-24T06:45:00.000Z';
const NAME = 'run-20261124T064500Z';
const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:AggWatchRuns';

const execution = (name: string, status: string, startDate: string): ExecutionSummary => ({
  name,
  status,
  startDate,
  executionArn: `arn:aws:states:us-east-1:123456789012:execution:AggWatchRuns:${name}`,
});

const obligation = (aggregator: string, monitorErrorNotifiedAt: string, code?: string): CarriedObligation => ({
  aggregator,
  ...(code ? { monitorError: { code, message: `${code} message`, since: '2026-11-24T05:00:00.000Z' } } : {}),
  monitorErrorNotifiedAt,
});

describe('runTime and executionName', () => {
  it('takes the scheduled event time, so every delivery of one tick has one name', () => {
    // Prepare
    const event = { 'detail-type': 'Scheduled Event', time: '2026-11-24T06:45:00Z' };
    // Act
    const at = runTime(event, new Date('2026-11-24T06:47:13.456Z'));
    // Assess
    expect(at).toBe(AT);
    expect(executionName(at)).toBe(NAME);
  });

  it('uses the current minute for any other invocation (no time, or a time that is not one)', () => {
    // Prepare
    const now = new Date('2026-11-24T06:47:13.456Z');
    // Act
    const times = [runTime({}, now), runTime(null, now), runTime({ time: 'yesterday' }, now), runTime({ time: 42 }, now)];
    // Assess
    expect(new Set(times)).toEqual(new Set(['2026-11-24T06:47:00.000Z']));
    expect(executionName(times[0]!)).toBe('run-20261124T064700Z');
  });
});

describe('decideTick', () => {
  const now = new Date('2026-11-24T06:45:02.000Z');

  it('starts when nothing is running', () => {
    // Act
    const decision = decideTick(AT, NAME, [], now);
    // Assess
    expect(decision).toEqual({ action: 'start' });
  });

  it("returns this tick's own running execution: a re-delivery starts nothing, even beside another one", () => {
    // Prepare
    const own = execution(NAME, 'RUNNING', '2026-11-24T06:45:01.000Z');
    const other = execution('run-20261124T063000Z', 'RUNNING', '2026-11-24T06:30:01.000Z');
    // Act
    const decision = decideTick(AT, NAME, [other, own], now);
    // Assess
    expect(decision).toEqual({ action: 'already-running', execution: own });
  });

  it('skips the tick while another execution runs, naming the oldest running one and its age', () => {
    // Prepare
    const older = execution('run-20261124T061500Z', 'RUNNING', '2026-11-24T06:15:00.500Z');
    const byHand = execution('manual-test', 'RUNNING', '2026-11-24T06:40:00.000Z');
    // Act
    const decision = decideTick(AT, NAME, [byHand, older], now);
    // Assess
    expect(decision).toEqual({
      action: 'skip',
      running: older,
      skipped: {
        runAt: AT,
        outcome: 'skipped',
        execution: NAME,
        runningExecution: 'run-20261124T061500Z',
        runningSince: '2026-11-24T06:15:00.500Z',
        runningForMs: 30 * 60_000 + 1_500,
      },
    });
  });
});

describe('previousExecution', () => {
  it("is the newest execution by start date that is neither running nor this tick's own", () => {
    // Prepare: the page out of order, this tick's own closed already and one started by hand still running
    const recent = [
      execution('run-20261124T060000Z', 'SUCCEEDED', '2026-11-24T06:00:01.000Z'),
      execution(NAME, 'SUCCEEDED', '2026-11-24T06:45:01.000Z'),
      execution('run-20261124T063000Z', 'FAILED', '2026-11-24T06:30:01.000Z'),
      execution('manual-test', 'RUNNING', '2026-11-24T06:40:00.000Z'),
    ];
    // Act
    const previous = previousExecution(recent, NAME);
    // Assess
    expect(previous?.name).toBe('run-20261124T063000Z');
    expect(previousExecution([], NAME)).toBeUndefined();
  });

  it('is described only when it did not succeed', () => {
    // Act
    const described = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'].map((s) => mayLeaveObligations(execution('x', s, AT)));
    // Assess
    expect(described).toEqual([false, true, true, true]);
  });
});

describe('carriedFrom', () => {
  const notified = (results: NotifyResult[]) => JSON.stringify(results);
  const input = (carried: CarriedObligation[]) => JSON.stringify({ at: '2026-11-24T06:30:00.000Z', carried });

  it('carries the obligations in the cause of an execution that failed with UnrecordedNotices', () => {
    // Prepare
    const cause = notified([
      { aggregator: 'org', published: 2, obligation: obligation('org', '2026-11-24T06:31:00.000Z', 'AccessDenied') },
      { aggregator: 'lab', published: 0, obligation: null },
      { aggregator: 'dev', published: 1, obligation: obligation('dev', '2026-11-24T06:32:00.000Z') },
    ]);
    // Act
    const result = carriedFrom({ status: 'FAILED', error: WORKFLOW.errors.unrecorded, cause, input: input([]) });
    // Assess: sorted by aggregator; a recovery obligation has no monitorError
    expect(result).toEqual({
      carried: [obligation('dev', '2026-11-24T06:32:00.000Z'), obligation('org', '2026-11-24T06:31:00.000Z', 'AccessDenied')],
      problems: [],
    });
  });

  it('carries nothing from a cause that is not JSON, and says so', () => {
    // Act
    const result = carriedFrom({ status: 'FAILED', error: WORKFLOW.errors.unrecorded, cause: '[{"aggregator":"org",', input: input([]) });
    // Assess
    expect(result.carried).toEqual([]);
    expect(result.problems).toEqual([expect.stringMatching(/^the previous execution's cause is unreadable \(.+\): \[\{"aggregator":"org",$/)]);
  });

  it('keeps the readable obligations of a cause and names each one that is not', () => {
    // Prepare
    const cause = JSON.stringify([
      { aggregator: 'org', published: 1, obligation: obligation('org', '2026-11-24T06:31:00.000Z', 'X') },
      { aggregator: 'lab', published: 1, obligation: { aggregator: 'lab', monitorErrorNotifiedAt: 'not a time' } },
      'nonsense',
    ]);
    // Act
    const result = carriedFrom({ status: 'FAILED', error: WORKFLOW.errors.unrecorded, cause, input: input([]) });
    // Assess
    expect(result.carried).toEqual([obligation('org', '2026-11-24T06:31:00.000Z', 'X')]);
    expect(result.problems).toEqual([
      expect.stringMatching(/^element 1 of the previous execution's cause is not an obligation: \{"aggregator":"lab"/),
      'element 2 of the previous execution\'s cause is not an obligation: "nonsense"',
    ]);
  });

  it('says so when the cause is missing or not an array', () => {
    // Act
    const missing = carriedFrom({ status: 'FAILED', error: WORKFLOW.errors.unrecorded, input: input([]) });
    const object = carriedFrom({ status: 'FAILED', error: WORKFLOW.errors.unrecorded, cause: '{"a":1}', input: input([]) });
    // Assess
    expect(missing).toEqual({ carried: [], problems: ["the previous execution's cause is missing"] });
    expect(object.problems).toEqual(['the previous execution\'s cause is unreadable (not a JSON array of NotifyResults): {"a":1}']);
  });

  it('carries forward what an execution that did not succeed carried itself, whatever its error', () => {
    // Prepare
    const carried = [obligation('org', '2026-11-24T06:01:00.000Z', 'X')];
    // Act
    const results = [
      carriedFrom({ status: 'FAILED', error: 'States.TaskFailed', cause: 'Begin failed', input: input(carried) }),
      carriedFrom({ status: 'FAILED', error: WORKFLOW.errors.aggregatorsFailed, cause: '["lab"]', input: input(carried) }),
      carriedFrom({ status: 'TIMED_OUT', input: input(carried) }),
      carriedFrom({ status: 'ABORTED', input: input(carried) }),
    ];
    // Assess: the cause of any other error is not read
    for (const r of results) expect(r).toEqual({ carried, problems: [] });
  });

  it('carries nothing from an execution that succeeded (its Begin wrote what it carried)', () => {
    // Act
    const result = carriedFrom({ status: 'SUCCEEDED', input: input([obligation('org', '2026-11-24T06:01:00.000Z', 'X')]) });
    // Assess
    expect(result).toEqual({ carried: [], problems: [] });
  });

  it('unites the cause and the carried input, the newest per aggregator', () => {
    // Prepare: org's newer notice is in the cause, lab's in the input, dev only in the input
    const cause = notified([
      { aggregator: 'org', published: 1, obligation: obligation('org', '2026-11-24T06:31:00.000Z') },
      { aggregator: 'lab', published: 1, obligation: obligation('lab', '2026-11-24T06:02:00.000Z', 'Old') },
    ]);
    const carried = [
      obligation('org', '2026-11-24T06:01:00.000Z', 'X'),
      obligation('lab', '2026-11-24T06:03:00.000Z', 'New'),
      obligation('dev', '2026-11-24T06:04:00.000Z', 'Y'),
    ];
    // Act
    const result = carriedFrom({ status: 'FAILED', error: WORKFLOW.errors.unrecorded, cause, input: input(carried) });
    // Assess
    expect(result.carried).toEqual([
      obligation('dev', '2026-11-24T06:04:00.000Z', 'Y'),
      obligation('lab', '2026-11-24T06:03:00.000Z', 'New'),
      obligation('org', '2026-11-24T06:31:00.000Z'),
    ]);
  });

  it('carries nothing from an input that cannot be read, and says so', () => {
    // Act
    const unreadable = carriedFrom({ status: 'FAILED', error: 'States.TaskFailed', input: 'not json' });
    const notArray = carriedFrom({ status: 'FAILED', error: 'States.TaskFailed', input: '{"at":"x","carried":{}}' });
    const none = carriedFrom({ status: 'FAILED', error: 'States.TaskFailed', input: '{"at":"x"}' });
    const missing = carriedFrom({ status: 'ABORTED' });
    // Assess
    expect(unreadable.carried).toEqual([]);
    expect(unreadable.problems).toEqual([expect.stringMatching(/^the previous execution's input is unreadable \(.+\): not json$/)]);
    expect(notArray.problems).toEqual(['the previous execution\'s input is unreadable (its `carried` is not an array): {"at":"x","carried":{}}']);
    expect(none).toEqual({ carried: [], problems: [] });
    expect(missing).toEqual({ carried: [], problems: ["the previous execution's input is missing"] });
  });
});

describe('mergeCarried and executionInput', () => {
  it('keeps the newest obligation per aggregator; on a tie, the first list', () => {
    // Prepare
    const first = [obligation('org', '2026-11-24T06:00:00.000Z', 'First')];
    const second = [obligation('org', '2026-11-24T06:00:00.000Z', 'Second'), obligation('org', '2026-11-24T05:00:00.000Z', 'Older')];
    // Act
    const merged = mergeCarried(first, second);
    // Assess
    expect(merged).toEqual(first);
  });

  it('gives the same text for the same obligations in any order and with any key order', () => {
    // Prepare
    const a = [obligation('org', '2026-11-24T06:00:00.000Z', 'X'), obligation('lab', '2026-11-24T06:01:00.000Z')];
    const reordered = [
      { monitorErrorNotifiedAt: '2026-11-24T06:01:00.000Z', aggregator: 'lab' },
      { monitorError: { since: '2026-11-24T05:00:00.000Z', message: 'X message', code: 'X' }, monitorErrorNotifiedAt: '2026-11-24T06:00:00.000Z', aggregator: 'org' },
    ];
    // Act
    const texts = [executionInput(AT, a), executionInput(AT, reordered)];
    // Assess
    expect(texts[0]).toBe(texts[1]);
    expect(JSON.parse(texts[0]!)).toEqual({ at: AT, carried: [obligation('lab', '2026-11-24T06:01:00.000Z'), obligation('org', '2026-11-24T06:00:00.000Z', 'X')] });
    expect(executionInput(AT, [])).toBe(`{"at":"${AT}","carried":[]}`);
  });
});

describe('dispatcherSettingsFromEnvironment', () => {
  it('reads the state machine, the table and the retention, and writes them back', () => {
    // Prepare
    const env = { STATE_MACHINE_ARN: ARN, TABLE_NAME: 'aggwatch-table', HISTORY_RETENTION_DAYS: '30' };
    // Act
    const settings = dispatcherSettingsFromEnvironment(env);
    // Assess
    expect(settings).toEqual({ stateMachineArn: ARN, tableName: 'aggwatch-table', historyRetentionDays: 30 });
    expect(dispatcherSettingsToEnvironment(settings)).toEqual(env);
    expect(dispatcherSettingsFromEnvironment({ STATE_MACHINE_ARN: ARN, TABLE_NAME: 'aggwatch-table' }).historyRetentionDays).toBe(DEFAULTS.historyRetentionDays);
  });

  it('names every missing or bad variable, its value and what is allowed', () => {
    // Act
    const read = (env: Record<string, string>) => () => dispatcherSettingsFromEnvironment(env);
    // Assess
    expect(read({})).toThrow(ConfigurationError);
    expect(read({})).toThrow(
      'Invalid configuration:\n- Missing STATE_MACHINE_ARN: the environment variable must be set (the stack sets it).\n' +
        '- Missing TABLE_NAME: the environment variable must be set (the stack sets it).',
    );
    expect(read({ STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:execution:AggWatchRuns:run-1', TABLE_NAME: 't', HISTORY_RETENTION_DAYS: '0' })).toThrow(
      'Invalid configuration:\n' +
        '- Invalid STATE_MACHINE_ARN: "arn:aws:states:us-east-1:123456789012:execution:AggWatchRuns:run-1". Allowed: a Step Functions state machine ARN such as arn:aws:states:us-east-1:123456789012:stateMachine:AggWatchRuns.\n' +
        '- Invalid TABLE_NAME: "t". Allowed: a DynamoDB table name ([\\w.-]{3,255}).\n' +
        '- Invalid HISTORY_RETENTION_DAYS: "0". Allowed: a whole number from 1 to 36500.',
    );
  });

  it.each([
    ['a name with a space', 'arn:aws:states:us-east-1:123456789012:stateMachine:a b'],
    ['a name with a colon', 'arn:aws:states:us-east-1:123456789012:stateMachine:a:b'],
    ['a control character', 'arn:aws:states:us-east-1:123456789012:stateMachine:a\u0007'],
    ['a name of 81 characters', `arn:aws:states:us-east-1:123456789012:stateMachine:${'a'.repeat(81)}`],
    ['another service', 'arn:aws:lambda:us-east-1:123456789012:function:f'],
  ])('refuses %s', (_, value) => {
    // Act
    const read = () => dispatcherSettingsFromEnvironment({ STATE_MACHINE_ARN: value, TABLE_NAME: 'aggwatch-table' });
    // Assess
    expect(read).toThrow(`Invalid STATE_MACHINE_ARN: ${JSON.stringify(value)}.`);
  });

  it('takes a name of 80 characters in any partition', () => {
    // Prepare
    const value = `arn:aws-us-gov:states:us-gov-west-1:123456789012:stateMachine:${'a'.repeat(79)}-`;
    // Act
    const settings = dispatcherSettingsFromEnvironment({ STATE_MACHINE_ARN: value, TABLE_NAME: 'aggwatch-table' });
    // Assess
    expect(settings.stateMachineArn).toBe(value);
  });
});
