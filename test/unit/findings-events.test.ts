import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DETAIL_TYPES,
  EVENT_SOURCE,
  PUT_EVENTS_MAX_BYTES,
  batchEvents,
  buildEvents,
  decideErrorCodeChanges,
  entrySize,
  type ErrorCodeChange,
} from '../../core/findings';
import { eventDetailSchema, eventRegistrySchemaContent } from '../../core/findings/event-schema';
import { sourceKey, type SourceState } from '../../core/model';
import type { Digest, MonitorNotice, NoticePolicy, SourceNotice } from '../../core/notices';
import { SCHEMA_FILE, schemaFileText } from '../../tools/schemas/write-event-schema';
import { AT, hoursAfter, state } from '../support/builders';

const POLICY: NoticePolicy = { alertStatuses: ['FAILED', 'OUTDATED'], remindAfterHours: 24, notifyRecoveries: true };
const failedState = (overrides: Partial<SourceState> = {}) =>
  state({ status: 'FAILED', errorCode: 'AUTHORIZATION_NOT_FOUND', errorMessage: 'No authorization', since: hoursAfter(AT, -2), ...overrides });
const notice = (kind: SourceNotice['kind'], s: SourceState, condition = s.status, removed = false): SourceNotice => ({ kind, state: s, condition, removed });
const digest = (sources: SourceNotice[], monitor?: MonitorNotice): Digest => ({ aggregator: 'org', at: AT, sources, ...(monitor ? { monitor } : {}) });

describe('buildEvents', () => {
  it('sends one event per notice under the stable source and detail-types, each valid against the published schema', () => {
    // Prepare
    const removed = failedState({ sourceId: '333333333333', removedAt: hoursAfter(AT, -1), notifiedCondition: 'FAILED', notifiedAt: hoursAfter(AT, -30) });
    const d = digest(
      [
        notice('failure', failedState()),
        notice('reminder', failedState({ sourceId: '222222222222', notifiedCondition: 'FAILED', notifiedAt: hoursAfter(AT, -25) })),
        notice('recovery', state({ sourceId: '444444444444', notifiedCondition: 'OUTDATED', notifiedAt: hoursAfter(AT, -3) }), 'OUTDATED'),
        notice('recovery', removed, 'FAILED', true),
      ],
      { kind: 'monitor-error', code: 'AccessDeniedException', message: 'not authorized', since: hoursAfter(AT, -1), reminder: false },
    );

    // Act
    const events = buildEvents({ digest: d });

    // Assess
    expect(events.map((e) => [e.entry.DetailType, e.detail.noticeKind])).toEqual([
      [DETAIL_TYPES.monitorError, 'monitor-error'],
      [DETAIL_TYPES.sourceAlert, 'failure'],
      [DETAIL_TYPES.sourceAlert, 'reminder'],
      [DETAIL_TYPES.sourceRecovered, 'recovery'],
      [DETAIL_TYPES.sourceRemoved, 'removed'],
    ]);
    for (const e of events) {
      expect(e.entry.Source).toBe(EVENT_SOURCE);
      expect(e.entry.Source.startsWith('aws.')).toBe(false);
      expect(e.entry.DetailType.length).toBeLessThanOrEqual(128);
      expect(e.entry.Time).toBe(AT);
      expect(e.entry).not.toHaveProperty('EventBusName');
      const parsed = eventDetailSchema.safeParse(JSON.parse(e.entry.Detail));
      expect(parsed.error?.issues ?? []).toEqual([]);
      expect(e.bytes).toBe(entrySize(e.entry));
    }
  });

  it('carries the seven API fields, the aggregator, the previous state, the run time and the remediation hint', () => {
    // Prepare
    const s = failedState({ lastUpdateTime: hoursAfter(AT, -3), notifiedCondition: 'OUTDATED', notifiedAt: hoursAfter(AT, -5) });
    const before = state({ status: 'OUTDATED', errorCode: 'OLD_CODE' });

    // Act
    const [event] = buildEvents({ digest: digest([notice('failure', s)]), previous: new Map([[sourceKey(s), before]]), eventBusName: 'security' });

    // Assess
    expect(event?.entry.EventBusName).toBe('security');
    expect(JSON.parse(event?.entry.Detail ?? '')).toMatchObject({
      schemaVersion: '1.0',
      noticeKind: 'failure',
      aggregator: 'org',
      runAt: AT,
      condition: 'FAILED',
      since: hoursAfter(AT, -2),
      source: {
        sourceId: '111111111111',
        sourceType: 'ACCOUNT',
        awsRegion: 'us-east-1',
        lastUpdateStatus: 'FAILED',
        lastUpdateTime: hoursAfter(AT, -3),
        lastErrorCode: 'AUTHORIZATION_NOT_FOUND',
        lastErrorMessage: 'No authorization',
      },
      previous: { lastUpdateStatus: 'OUTDATED', lastErrorCode: 'OLD_CODE', notifiedCondition: 'OUTDATED', notifiedAt: hoursAfter(AT, -5) },
      remediation: expect.stringContaining('authorize the aggregator account'),
    });
  });

  it('keeps the notice id across re-deliveries of the same notice and changes it for the next one', () => {
    // Prepare
    const owed = failedState({ notifiedCondition: 'FAILED', notifiedAt: hoursAfter(AT, -25) });
    const later = { ...digest([notice('reminder', owed)]), at: hoursAfter(AT, 1) };
    const afterAccepted = digest([notice('reminder', { ...owed, notifiedAt: AT })]);

    // Act
    const [first] = buildEvents({ digest: digest([notice('reminder', owed)]) });
    const [retried] = buildEvents({ digest: later });
    const [next] = buildEvents({ digest: afterAccepted });

    // Assess
    expect(retried?.noticeId).toBe(first?.noticeId);
    expect(next?.noticeId).not.toBe(first?.noticeId);
  });

  it('announces an error-code change once, unless the source has a notice in the same run', () => {
    // Prepare
    const s = failedState({ errorCode: 'NEW_CODE', notifiedCondition: 'FAILED', notifiedAt: hoursAfter(AT, -2) });
    const other = failedState({ sourceId: '222222222222', errorCode: 'B', notifiedCondition: 'FAILED', notifiedAt: hoursAfter(AT, -2) });
    const changes: ErrorCodeChange[] = [
      { kind: 'error-code-changed', state: s, condition: 'FAILED', previousErrorCode: 'OLD_CODE' },
      { kind: 'error-code-changed', state: other, condition: 'FAILED', previousErrorCode: 'A' },
    ];

    // Act
    const events = buildEvents({ digest: digest([notice('reminder', other)]), errorCodeChanges: changes });

    // Assess
    expect(events.map((e) => [e.detail.noticeKind, 'source' in e.detail ? e.detail.source.sourceId : ''])).toEqual([
      ['reminder', '222222222222'],
      ['error-code-changed', '111111111111'],
    ]);
    expect(events[1]?.detail).toMatchObject({ previous: { lastErrorCode: 'OLD_CODE' }, source: { lastErrorCode: 'NEW_CODE' } });
  });

  it('cuts free text so that an event always fits, and reports the size as EventBridge counts it', () => {
    // Prepare: a 1 MB error message of 4-byte characters
    const huge = failedState({ errorMessage: '😀'.repeat(250_000) });

    // Act
    const [event] = buildEvents({ digest: digest([notice('failure', huge)]) });

    // Assess
    const detail = JSON.parse(event?.entry.Detail ?? '') as { source: { lastErrorMessage: string } };
    expect(detail.source.lastErrorMessage.length).toBeLessThanOrEqual(2_048);
    expect(detail.source.lastErrorMessage).not.toMatch(/[\ud800-\udbff]$/);
    expect(event?.bytes).toBe(14 + Buffer.byteLength(EVENT_SOURCE) + Buffer.byteLength(DETAIL_TYPES.sourceAlert) + Buffer.byteLength(event?.entry.Detail ?? ''));
  });
});

describe('batchEvents', () => {
  it('puts at most 10 entries in a request', () => {
    // Prepare
    const entries = Array.from({ length: 23 }, (_, i) => ({ id: i, bytes: 100 }));

    // Act
    const batches = batchEvents(entries);

    // Assess
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(batches.flat().map((e) => e.id)).toEqual(entries.map((e) => e.id));
  });

  it('keeps each request under 256 KB by EventBridge\'s count', () => {
    // Prepare
    const entries = Array.from({ length: 9 }, (_, i) => ({ id: i, bytes: 60_000 }));

    // Act
    const batches = batchEvents(entries);

    // Assess
    for (const b of batches) expect(b.reduce((sum, e) => sum + e.bytes, 0)).toBeLessThanOrEqual(PUT_EVENTS_MAX_BYTES);
    expect(batches.map((b) => b.length)).toEqual([4, 4, 1]);
  });
});

describe('decideErrorCodeChanges', () => {
  it('owes a change only for a delivered alert whose code moved away from the delivered one', () => {
    // Prepare
    const delivered = new Map<string, string | undefined>([
      ['111111111111', 'OLD'],
      ['222222222222', 'SAME'],
      ['333333333333', undefined],
      ['444444444444', 'OLD'],
      ['555555555555', ''],
    ]);
    const states = [
      failedState({ sourceId: '111111111111', errorCode: 'NEW', notifiedCondition: 'FAILED' }),
      failedState({ sourceId: '222222222222', errorCode: 'SAME', notifiedCondition: 'FAILED' }),
      failedState({ sourceId: '333333333333', errorCode: 'NEW', notifiedCondition: 'FAILED' }),
      failedState({ sourceId: '444444444444', errorCode: 'NEW', notifiedCondition: 'OUTDATED' }),
      failedState({ sourceId: '555555555555', errorCode: 'FIRST', notifiedCondition: 'FAILED' }),
    ];

    // Act
    const changes = decideErrorCodeChanges(states, POLICY, (s) => delivered.get(s.sourceId));

    // Assess: 2 has the same code, 3 has no marker yet, 4 is owed a failure notice instead
    expect(changes.map((c) => [c.state.sourceId, c.previousErrorCode])).toEqual([
      ['111111111111', 'OLD'],
      ['555555555555', ''],
    ]);
  });
});

describe('the published JSON Schema', () => {
  it('is the one generated from the definition the events are validated with', () => {
    // Act
    const file = readFileSync(SCHEMA_FILE, 'utf8');

    // Assess
    expect(file).toBe(schemaFileText());
  });

  it('has a draft-04 variant of the whole event for the EventBridge schema registry', () => {
    // Act
    const content = JSON.parse(eventRegistrySchemaContent()) as { $schema: string; properties: Record<string, unknown> };

    // Assess
    expect(content.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(Object.keys(content.properties)).toEqual(['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']);
  });

  it('rejects a detail that breaks the contract', () => {
    // Prepare
    const [event] = buildEvents({ digest: digest([notice('failure', failedState())]) });
    const detail = JSON.parse(event?.entry.Detail ?? '') as Record<string, unknown>;

    // Act
    const results = [
      eventDetailSchema.safeParse({ ...detail, noticeKind: 'exploded' }),
      eventDetailSchema.safeParse({ ...detail, runAt: 'yesterday' }),
      eventDetailSchema.safeParse({ ...detail, extra: true }),
      eventDetailSchema.safeParse({ ...detail, source: undefined }),
    ];

    // Assess
    expect(results.map((r) => r.success)).toEqual([false, false, false, false]);
  });
});
