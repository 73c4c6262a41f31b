/**
 * The oracle for the integrations, beside the digest's (oracle.ts): from what Config served (the lab's
 * observations), independently of the monitor's code, every source that entered FAILED got a `failure` event and
 * every one that left it a `recovery` (or `removed`) event, at least once each; a copy of an event carries the
 * noticeId and detail of the first (consumers deduplicate on it), except `previous`, which a re-delivery after the
 * run's state write can no longer fill (the status before is gone); with Security Hub on, each source's finding
 * ends ACTIVE while it is FAILED and ARCHIVED once it recovered.
 */
import { expect } from 'vitest';
import { refKey, type SimulatedSource } from '../../../tools/local/simulated-organization';
import type { Lab } from './lab';

export interface IntegrationsConvergence {
  /** Events delivered more than once (same noticeId). */
  readonly duplicateEvents: number;
}

const keyOf = (aggregator: string, s: { sourceType: string; sourceId: string; region?: string; awsRegion?: string }) =>
  `${aggregator} ${s.sourceType} ${s.sourceId} ${s.region ?? s.awsRegion ?? ''}`;

export function assertIntegrationsConverged(lab: Lab, options: { findings?: boolean } = {}): IntegrationsConvergence {
  const expected = new Map<string, number>();
  const owe = (key: string) => expected.set(key, (expected.get(key) ?? 0) + 1);
  const everFailed = new Set<string>();
  for (const aggregator of lab.aggregators) {
    const observations = [...(lab.observations.get(aggregator) ?? [])].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    let previous = new Map<string, SimulatedSource>();
    for (const { sources } of observations) {
      const current = new Map(sources.map((s) => [refKey(s), s] as const));
      for (const [k, s] of current) {
        const was = previous.get(k)?.status === 'FAILED';
        if (s.status === 'FAILED' && !was) owe(`failure ${keyOf(aggregator, s)}`);
        if (s.status !== 'FAILED' && was) owe(`recovery ${keyOf(aggregator, s)}`);
        if (s.status === 'FAILED') everFailed.add(keyOf(aggregator, s));
      }
      for (const [k, p] of previous) if (!current.has(k) && p.status === 'FAILED') owe(`removed ${keyOf(aggregator, p)}`);
      previous = current;
    }
  }

  const events = lab.local.eventBridge.events.filter((e) => e.source === 'config-aggregator-watch' && 'source' in e.detail);
  const got = new Map<string, number>();
  const byId = new Map<string, string>();
  let duplicateEvents = 0;
  for (const e of events) {
    const d = e.detail as { noticeKind: string; noticeId: string; aggregator: string; source: { sourceType: string; sourceId: string; awsRegion: string } };
    if (['failure', 'recovery', 'removed'].includes(d.noticeKind)) {
      const key = `${d.noticeKind} ${keyOf(d.aggregator, d.source)}`;
      got.set(key, (got.get(key) ?? 0) + 1);
    }
    const detail = JSON.stringify({ ...d, previous: undefined });
    const first = byId.get(d.noticeId);
    if (first === undefined) byId.set(d.noticeId, detail);
    else {
      duplicateEvents++;
      expect(detail, `a copy of event ${d.noticeId} differs from the first`).toBe(first);
    }
  }
  for (const [key, n] of expected) expect(got.get(key) ?? 0, `events for ${key}`).toBeGreaterThanOrEqual(n);

  if (options.findings) {
    const state = new Map<string, string>();
    for (const f of lab.local.securityHub.findings.values()) {
      const fields = f.finding.ProductFields as Record<string, string>;
      const aggregator = fields['config-aggregator-watch/Aggregator'] ?? '';
      state.set(keyOf(aggregator, { sourceType: fields['config-aggregator-watch/SourceType'] ?? '', sourceId: fields['config-aggregator-watch/SourceId'] ?? '', region: fields['config-aggregator-watch/AwsRegion'] ?? '' }), f.recordState);
    }
    for (const aggregator of lab.aggregators) {
      for (const s of lab.org.sources(aggregator)) {
        const key = keyOf(aggregator, s);
        if (s.status === 'FAILED') expect(state.get(key), `finding of ${key}`).toBe('ACTIVE');
        else if (everFailed.has(key)) expect(state.get(key), `finding of ${key}`).toBe('ARCHIVED');
      }
    }
  }
  return { duplicateEvents };
}
