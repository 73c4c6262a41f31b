import { describe, expect, it } from 'vitest';
import { parseStepInput, StepInputError } from '../../core/workflow-input';
import { metaAfterObligation } from '../../core/aggregator-record';
import { AT } from '../support/builders';

describe('parseStepInput', () => {
  it('names an unknown step and the allowed ones', () => {
    expect(() => parseStepInput({ step: 'plan' })).toThrow(new StepInputError('Unknown step "plan". Allowed: begin, read, reconcile, notify, finalize.'));
  });

  it('names the field of a step input that is wrong', () => {
    expect(() => parseStepInput({ step: 'reconcile', runAt: AT, unit: { aggregator: 'org', shards: [] }, progress: null })).toThrow(
      /Invalid input of step "reconcile": unit\.shards: /,
    );
    expect(() => parseStepInput({ step: 'begin', at: 'yesterday', carried: [] })).toThrow(/at: an ISO 8601 time/);
  });

  it('takes every step as the state machine sends it', () => {
    const inputs = [
      { step: 'begin', at: AT, carried: [{ aggregator: 'org', monitorErrorNotifiedAt: AT }] },
      { step: 'read', runAt: AT, rate: { rate: 5, ceiling: null } },
      { step: 'reconcile', runAt: AT, unit: { aggregator: 'org', shards: [0, 1] }, progress: { done: false, shardIndex: 1, bucket: 0 } },
      { step: 'notify', runAt: AT, aggregator: 'org' },
      { step: 'finalize', runAt: AT, notified: [{ aggregator: 'org', published: 1, obligation: null }] },
    ];
    for (const input of inputs) expect(parseStepInput(input)).toEqual(input);
  });

  it('rejects an event that is not a step, naming what it got and the allowed steps', () => {
    // Arrange: the schedule's event (the dispatcher's, not the worker's), and events that are no object
    const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-11-24T06:45:00Z' };
    const allowed = 'step one of begin, read, reconcile, notify, finalize';
    // Act / Assert
    expect(() => parseStepInput(scheduled)).toThrow(StepInputError);
    expect(() => parseStepInput(scheduled)).toThrow(`Not a step of the run's workflow: got ${JSON.stringify(scheduled)}.`);
    expect(() => parseStepInput(scheduled)).toThrow(allowed);
    expect(() => parseStepInput(null)).toThrow("Not a step of the run's workflow: got null.");
    expect(() => parseStepInput(undefined)).toThrow("Not a step of the run's workflow: got undefined.");
    expect(() => parseStepInput(['begin'])).toThrow('got ["begin"]');
    expect(() => parseStepInput('begin')).toThrow('got "begin"');
    expect(() => parseStepInput({ step: undefined })).toThrow(new StepInputError('Unknown step undefined. Allowed: begin, read, reconcile, notify, finalize.'));
  });
});

describe('metaAfterObligation', () => {
  it('records an accepted monitor-error notice, and clears the error for an accepted recovery', () => {
    // Arrange
    const error = { code: 'AccessDeniedException', message: 'denied', since: AT };
    // Act
    const failed = metaAfterObligation({ aggregator: 'org', totalSources: 3 }, { monitorError: error, monitorErrorNotifiedAt: AT });
    const recovered = metaAfterObligation(failed, { monitorErrorNotifiedAt: AT });
    // Assert
    expect(failed).toEqual({ aggregator: 'org', totalSources: 3, monitorError: error, monitorErrorNotifiedAt: AT });
    expect(recovered).toEqual({ aggregator: 'org', totalSources: 3 });
  });
});
