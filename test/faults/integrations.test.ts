/**
 * EventBridge and Security Hub CSPM misbehaving under the engine: throttling, per-item failures
 * (FailedEntryCount, FailedFindings), and the process killed after EventBridge accepted the events. A notice counts
 * as delivered only once every channel accepted it: what was refused is sent again, with the same noticeId.
 */
import { describe, expect, it } from 'vitest';
import type { FaultHook } from '../../tools/local/fake-server';
import { ENTRY_FAULTS, EVENTBRIDGE_FAULTS } from '../../tools/local/fake-eventbridge';
import { FINDING_FAULTS, SECURITYHUB_FAULTS } from '../../tools/local/fake-securityhub';
import { withLab } from './support/lab';
import { assertIntegrationsConverged } from './support/integrations-oracle';
import { assertConverged } from './support/oracle';
import { MAIN, cleanRun, followUp, organization, play, story } from './support/script';

const SETTINGS = { securityHubFindings: true } as const;

describe.concurrent('the integrations under faults', () => {
  it('throttled on every other PutEvents and BatchImportFindings: retried, every event and finding delivered, no copy', async () => {
    const org = organization();
    await withLab({ org, aggregators: [MAIN], settings: SETTINGS }, async (l) => {
      let e = 0;
      let f = 0;
      const throttleEvents: FaultHook = (r) => (r.operation === 'PutEvents' && ++e % 2 === 1 ? EVENTBRIDGE_FAULTS.throttling : undefined);
      const throttleFindings: FaultHook = () => (++f % 2 === 1 ? SECURITYHUB_FAULTS.throttling : undefined);
      const runs = await play(l, story(org), () => {
        const a = l.local.eventBridge.inject(throttleEvents);
        const b = l.local.securityHub.inject(throttleFindings);
        return { persist: true, disarm: () => (a(), b()), options: { warp: 20 } };
      });
      await followUp(l);
      expect(runs.map(cleanRun)).toEqual(runs.map(() => ['SUCCEEDED', true]));
      expect(l.local.eventBridge.requests.some((r) => r.status === 400)).toBe(true);
      await assertConverged(l);
      expect(assertIntegrationsConverged(l, { findings: true }).duplicateEvents).toBe(0);
    });
  });

  it('entries and findings refused one by one (FailedEntryCount, FailedFindings): only those resent, all delivered', async () => {
    const org = organization();
    await withLab({ org, aggregators: [MAIN], settings: SETTINGS }, async (l) => {
      // The first entry of every PutEvents request and the first finding of every import fail, on the first try only.
      const seenEntries = new Set<string>();
      const seenFindings = new Set<string>();
      l.local.eventBridge.injectEntryFailure((entry, index) => {
        const key = String(entry.Detail);
        if (index !== 0 || seenEntries.has(key)) return undefined;
        seenEntries.add(key);
        return ENTRY_FAULTS.internal;
      });
      l.local.securityHub.injectFindingFailure((finding, index) => {
        const key = `${String(finding.Id)} ${String(finding.UpdatedAt)}`;
        if (index !== 0 || seenFindings.has(key)) return undefined;
        seenFindings.add(key);
        return FINDING_FAULTS.concurrent;
      });
      const runs = await play(l, story(org));
      await followUp(l);
      expect(runs.map(cleanRun)).toEqual(runs.map(() => ['SUCCEEDED', true]));
      expect(seenEntries.size).toBeGreaterThan(0);
      expect(seenFindings.size).toBeGreaterThan(0);
      await assertConverged(l);
      expect(assertIntegrationsConverged(l, { findings: true }).duplicateEvents).toBe(0);
    });
  });

  it('killed after EventBridge accepted the first events: the retried Notify sends them again, same noticeId, nothing lost', async () => {
    const org = organization();
    await withLab({ org, aggregators: [MAIN], settings: SETTINGS }, async (l) => {
      const runs = await play(l, story(org), (i) => (i === 1 ? { options: { kill: { step: 'notify', server: 'events', nth: 1, operation: 'PutEvents', when: 'after' } } } : undefined));
      await followUp(l);
      // The killed Notify, then the definition's Retry of it, which sends the events again; the execution succeeds.
      expect([runs[1]?.status, runs[1]?.invocations.filter((i) => i.step === 'notify').map((i) => i.killed)]).toEqual(['SUCCEEDED', [true, false]]);
      await assertConverged(l);
      expect(assertIntegrationsConverged(l, { findings: true }).duplicateEvents).toBeGreaterThan(0);
    });
  });
});
