/**
 * A bad environment: every variable the worker reads (ENV in core/settings.ts), given a bad value, fails
 * the cold start of the worker's bundle (the cloud assembly's) with an error naming the variable and the value, before any call to AWS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../core/settings';
import { Lab, tick, type ProcessRun } from './support/lab';
import { MAIN, organization } from './support/script';

/** A bad value for each variable, and what the error must say about it. */
const BAD: Record<(typeof ENV)[keyof typeof ENV], { value: string | undefined; says: string }> = {
  AGGREGATORS: { value: 'org-main,org main!', says: 'Invalid AGGREGATORS: "org main!". Allowed: aggregator names' },
  TABLE_NAME: { value: 'x', says: 'Invalid TABLE_NAME: "x". Allowed: a DynamoDB table name' },
  TOPIC_ARN: { value: 'alerts', says: 'Invalid TOPIC_ARN: "alerts". Allowed: an SNS topic ARN' },
  ALERT_STATUSES: { value: 'FAILED,BROKEN', says: 'Invalid ALERT_STATUSES: "BROKEN". Allowed: one or more of FAILED, OUTDATED' },
  REMIND_AFTER_HOURS: { value: '0', says: 'Invalid REMIND_AFTER_HOURS: "0". Allowed: a whole number from 1 to 1000000' },
  NOTIFY_RECOVERIES: { value: 'yes', says: 'Invalid NOTIFY_RECOVERIES: "yes". Allowed: true or false' },
  STALE_AFTER_HOURS: { value: '-3', says: 'Invalid STALE_AFTER_HOURS: "-3". Allowed: a whole number from 1 to 1000000' },
  FULL_SWEEP_HOURS: { value: '1.5', says: 'Invalid FULL_SWEEP_HOURS: "1.5". Allowed: a whole number from 1 to 1000000' },
  HISTORY_RETENTION_DAYS: { value: '36501', says: 'Invalid HISTORY_RETENTION_DAYS: "36501". Allowed: a whole number from 1 to 36500' },
  SMS_NOTICES: { value: 'failure,pager', says: 'Invalid SMS_NOTICES: "pager". Allowed: one or more of failure, reminder, recovery, monitor-error' },
  EVENT_BUS_NAME: { value: 'my bus', says: 'Invalid EVENT_BUS_NAME: "my bus". Allowed: an EventBridge bus name' },
  SECURITY_HUB_FINDINGS: { value: 'on', says: 'Invalid SECURITY_HUB_FINDINGS: "on". Allowed: true or false' },
  CHAT_TOPIC_ARN: { value: 'chat', says: 'Invalid CHAT_TOPIC_ARN: "chat". Allowed: an SNS topic ARN' },
  REPORT_BUCKET: { value: 'My_Reports', says: 'Invalid REPORT_BUCKET: "My_Reports". Allowed: an S3 bucket name' },
  AGGREGATOR_CONCURRENCY: { value: '51', says: 'Invalid AGGREGATOR_CONCURRENCY: "51". Allowed: a whole number from 1 to 50' },
  RECONCILE_CONCURRENCY: { value: '0', says: 'Invalid RECONCILE_CONCURRENCY: "0". Allowed: a whole number from 1 to 40' },
};
const MISSING = ['TABLE_NAME', 'TOPIC_ARN'] as const;

let lab: Lab;
const results = new Map<string, ProcessRun>();

beforeAll(async () => {
  lab = await Lab.start({ org: organization(), aggregators: [MAIN] });
  const cases: [string, Record<string, string | undefined>][] = [
    ...Object.entries(BAD).map(([name, bad]): [string, Record<string, string | undefined>] => [name, { [name]: bad.value }]),
    ...MISSING.map((name): [string, Record<string, string | undefined>] => [`no ${name}`, { [name]: undefined }]),
    ['all at once', Object.fromEntries(Object.entries(BAD).map(([name, bad]) => [name, bad.value]))],
  ];
  // Cold starts in parallel, two at a time.
  for (let i = 0; i < cases.length; i += 2) {
    const pair = cases.slice(i, i + 2);
    // The worker's cold start with Begin's payload, as the first Task of a tick would invoke it.
    const done = await Promise.all(pair.map(([, env]) => lab.invokeWorker({ step: 'begin', at: tick(0), carried: [] }, { env })));
    pair.forEach(([name], j) => results.set(name, done[j] as ProcessRun));
  }
});
afterAll(async () => {
  await lab?.close();
});

describe('a bad environment fails the cold start, naming the variable and the value', () => {
  it('covers every variable the handler reads', () => {
    expect(Object.keys(BAD).sort()).toEqual(Object.values(ENV).sort());
  });

  for (const [name, bad] of Object.entries(BAD)) {
    it(`${name}=${JSON.stringify(bad.value)}`, () => {
      const inv = results.get(name);
      expect([inv?.code, inv?.outcome.phase]).toEqual([2, 'init']);
      const [head, problem, ...more] = (inv?.outcome.error?.message ?? '').split('\n');
      expect([head, problem?.startsWith(`- ${bad.says}`) ? 'names it' : problem, more]).toEqual(['Invalid configuration:', 'names it', []]);
    });
  }

  for (const name of MISSING) {
    it(`${name} unset`, () => {
      const inv = results.get(`no ${name}`);
      expect([inv?.code, inv?.outcome.phase]).toEqual([2, 'init']);
      expect(inv?.outcome.error?.message).toBe(`Invalid configuration:\n- Missing ${name}: the environment variable must be set (the stack sets it).`);
    });
  }

  it('all of them at once: every problem reported in one error, so one deploy fixes them all', () => {
    const message = results.get('all at once')?.outcome.error?.message ?? '';
    const lines = message.split('\n');
    expect(lines[0]).toBe('Invalid configuration:');
    expect(lines.slice(1).map((l) => /^- Invalid (\w+): /.exec(l)?.[1]).sort()).toEqual(Object.values(ENV).sort());
  });

  it('nothing was read or written: no request reached any endpoint', () => {
    expect(lab.servers().map((s) => s.requests.length)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

