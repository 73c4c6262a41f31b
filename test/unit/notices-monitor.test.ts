import { describe, expect, it } from 'vitest';
import type { AggregatorMeta } from '../../core/model';
import { decideMonitorNotice, metaAfterMonitorNotice, type MonitorError, type NoticePolicy } from '../../core/notices';
import { AT, hoursAfter, meta } from '../support/builders';
import { POLICY } from './notices-fixtures';

describe('decideMonitorNotice / metaAfterMonitorNotice', () => {
  const MISSING_AGG: MonitorError = {
    code: 'NoSuchConfigurationAggregatorException',
    message: 'Configuration aggregator "org" does not exist in this account and region',
  };
  const THROTTLED: MonitorError = { code: 'ThrottlingException', message: 'Rate exceeded' };
  const T0 = '2026-11-23T12:00:00.000Z';
  const notified = (overrides: Partial<AggregatorMeta> = {}): AggregatorMeta =>
    meta({
      lastFullSweepAt: T0,
      monitorError: { ...MISSING_AGG, since: T0 },
      monitorErrorNotifiedAt: T0,
      ...overrides,
    });

  it('owes a monitor-error notice for a first error, since = at', () => {
    // Prepare
    const before = undefined;

    // Act
    const notice = decideMonitorNotice(before, MISSING_AGG, POLICY, AT);

    // Assess
    expect(notice).toStrictEqual({ kind: 'monitor-error', ...MISSING_AGG, since: AT, reminder: false });
  });

  it('owes nothing for the same error code inside the reminder interval', () => {
    // Prepare
    const before = notified({ monitorErrorNotifiedAt: hoursAfter(AT, -24, 1) });

    // Act
    const notice = decideMonitorNotice(before, MISSING_AGG, POLICY, AT);

    // Assess
    expect(notice).toBeUndefined();
  });

  it('owes a reminder for the same error code once the interval passed, keeping since and taking the new message', () => {
    // Prepare
    const before = notified({ monitorErrorNotifiedAt: hoursAfter(AT, -24) });

    // Act
    const notice = decideMonitorNotice(before, { ...MISSING_AGG, message: 'reworded' }, POLICY, AT);

    // Assess
    expect(notice).toStrictEqual({
      kind: 'monitor-error',
      code: 'NoSuchConfigurationAggregatorException',
      message: 'reworded',
      since: T0,
      reminder: true,
    });
  });

  it('owes a new notice (since = at, not a reminder) for a different error code', () => {
    // Prepare
    const before = notified({ monitorErrorNotifiedAt: hoursAfter(AT, -1) });

    // Act
    const notice = decideMonitorNotice(before, THROTTLED, POLICY, AT);

    // Assess
    expect(notice).toStrictEqual({ kind: 'monitor-error', ...THROTTLED, since: AT, reminder: false });
  });

  it('owes a first notice for a known error that was never notified, keeping its since', () => {
    // Prepare
    const before = meta({ monitorError: { ...MISSING_AGG, since: T0 } });

    // Act
    const notice = decideMonitorNotice(before, MISSING_AGG, POLICY, AT);

    // Assess
    expect(notice).toStrictEqual({ kind: 'monitor-error', ...MISSING_AGG, since: T0, reminder: false });
  });

  it('owes a recovery naming the notified error when the error is gone', () => {
    // Prepare
    const before = notified();

    // Act
    const notice = decideMonitorNotice(before, undefined, POLICY, AT);

    // Assess
    expect(notice).toStrictEqual({ kind: 'recovery', ...MISSING_AGG, since: T0, reminder: false });
  });

  it.each<[string, AggregatorMeta | undefined, NoticePolicy]>([
    ['notifyRecoveries is false', notified(), { ...POLICY, notifyRecoveries: false }],
    ['the error was never notified', meta({ monitorError: { ...MISSING_AGG, since: T0 } }), POLICY],
    ['there was no error', meta({ lastFullSweepAt: T0 }), POLICY],
    ['there is no meta at all', undefined, POLICY],
  ])('owes no recovery when %s', (_why, before, policy) => {
    // Prepare
    const error = undefined;

    // Act
    const notice = decideMonitorNotice(before, error, policy, AT);

    // Assess
    expect(notice).toBeUndefined();
  });

  it('records a first error notice: monitorError with since = at and monitorErrorNotifiedAt = at, other fields kept', () => {
    // Prepare
    const before = meta({ lastFullSweepAt: T0, totalSources: 12 });
    const notice = decideMonitorNotice(before, MISSING_AGG, POLICY, AT);

    // Act
    const after = metaAfterMonitorNotice(before, notice, MISSING_AGG, AT);

    // Assess
    expect(after).toStrictEqual({
      aggregator: 'org',
      lastFullSweepAt: T0,
      totalSources: 12,
      monitorError: { ...MISSING_AGG, since: AT },
      monitorErrorNotifiedAt: AT,
    });
  });

  it('records an error that was not notified without a monitorErrorNotifiedAt', () => {
    // Prepare
    const before = meta();

    // Act
    const after = metaAfterMonitorNotice(before, undefined, THROTTLED, AT);

    // Assess
    expect(after).toStrictEqual({ aggregator: 'org', monitorError: { ...THROTTLED, since: AT } });
  });

  it('replaces a notified error by a new code: since and notifiedAt = at', () => {
    // Prepare
    const before = notified();
    const notice = decideMonitorNotice(before, THROTTLED, POLICY, AT);

    // Act
    const after = metaAfterMonitorNotice(before, notice, THROTTLED, AT);

    // Assess
    expect(after).toStrictEqual({
      aggregator: 'org',
      lastFullSweepAt: T0,
      monitorError: { ...THROTTLED, since: AT },
      monitorErrorNotifiedAt: AT,
    });
  });

  it('clears the error and its notice time when the error is gone (recovery notified or not)', () => {
    // Prepare
    const before = notified({ totalSources: 3 });
    const recovery = decideMonitorNotice(before, undefined, POLICY, AT);

    // Act
    const afterRecovery = metaAfterMonitorNotice(before, recovery, undefined, AT);
    const afterSilent = metaAfterMonitorNotice(before, undefined, undefined, AT);

    // Assess
    expect(afterRecovery).toStrictEqual({ aggregator: 'org', lastFullSweepAt: T0, totalSources: 3 });
    expect(afterSilent).toStrictEqual({ aggregator: 'org', lastFullSweepAt: T0, totalSources: 3 });
  });

  it('preserves since across runs of the same error: notice, silence, reminder, then recovery', () => {
    // Prepare
    const runs = [T0, hoursAfter(T0, 1), hoursAfter(T0, 24), hoursAfter(T0, 25)];
    const errors = [MISSING_AGG, MISSING_AGG, MISSING_AGG, undefined];
    let m: AggregatorMeta = meta();
    const seen: unknown[] = [];

    // Act
    runs.forEach((at, i) => {
      const error = errors[i];
      const notice = decideMonitorNotice(m, error, POLICY, at);
      m = metaAfterMonitorNotice(m, notice, error, at);
      seen.push([notice?.kind, notice?.since, notice?.reminder, m.monitorError?.since, m.monitorErrorNotifiedAt]);
    });

    // Assess
    expect(seen).toStrictEqual([
      ['monitor-error', T0, false, T0, T0],
      [undefined, undefined, undefined, T0, T0],
      ['monitor-error', T0, true, T0, hoursAfter(T0, 24)],
      ['recovery', T0, false, undefined, undefined],
    ]);
    expect(m).toStrictEqual({ aggregator: 'org' });
  });
});
