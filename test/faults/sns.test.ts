/**
 * SNS misbehaving under the engine: throttling, 500s (before and after it accepted the message),
 * the topic deleted, the endpoint gone. A notice counts as sent only once SNS accepted it: what a failed run could
 * not publish is owed, and sent by the next run that can.
 */
import { describe, expect, it } from 'vitest';
import type { FaultHook, RecordedRequest } from '../../tools/local/fake-server';
import { SNS_FAULTS } from '../../tools/local/fake-sns';
import { withLab, type Execution } from './support/lab';
import { assertConverged, formatOf, noticesIn, sum } from './support/oracle';
import { MAIN, cleanRun, followUp, organization, play, story } from './support/script';

const clean = (runs: Execution[]) => runs.map(cleanRun);
const CLEAN = (runs: Execution[]) => runs.map(() => ['SUCCEEDED', true]);
/** The format of the publication a Publish request carried (its first message attribute). */
const formatIn = (r: RecordedRequest) => (r.input as Record<string, string>)['MessageAttributes.entry.1.Value.StringValue'];

describe.concurrent('SNS throttles and fails', () => {
  it('Throttled (429) on every other Publish: retried, each notice accepted exactly once', async () => {
    // Arrange
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      let n = 0;
      const throttle: FaultHook = () => (++n % 2 === 1 ? SNS_FAULTS.throttling : undefined);
      // Act
      const runs = await play(l, story(org), () => ({ disarm: l.local.sns.inject(throttle), persist: true, options: { warp: 20 } }));
      await followUp(l);
      // Assert
      expect(clean(runs)).toEqual(CLEAN(runs));
      // Each publication (steps 1 and 2: e-mail, json, SMS; step 3's recoveries: e-mail, json) throttled once, then accepted.
      const formats = ['email', 'json', 'sms', 'email', 'json', 'sms', 'email', 'json'];
      expect(l.local.sns.requests.map((r) => [r.status, formatIn(r)])).toEqual(formats.flatMap((f) => [[429, f], [200, f]]));
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
    });
  });

  it('a 500 before SNS accepted the message: retried, exactly once; a 500 after it accepted: retried, one copy more, counted', async () => {
    // Arrange
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      // Act: the first run's Publish fails once with a 500; the second run's is accepted, then answered 500.
      const runs = await play(l, story(org), (i) =>
        i === 0 ? { disarm: l.local.sns.injectNext(SNS_FAULTS.internalError) } : i === 1 ? { disarm: l.local.sns.injectNext({ served: SNS_FAULTS.internalError }) } : undefined,
      );
      await followUp(l);
      // Assert: both retried by the SDK within the run; the second digest reached subscribers twice.
      expect(clean(runs)).toEqual(CLEAN(runs));
      expect(runs[0]?.sns.map((r) => [r.status, r.fault ?? '', formatIn(r)])).toEqual([
        [500, 'error', 'email'],
        [200, '', 'email'],
        [200, '', 'json'],
        [200, '', 'sms'],
      ]);
      expect(runs[1]?.sns.map((r) => [r.status, r.fault ?? '', formatIn(r)])).toEqual([
        [500, 'served', 'email'],
        [200, '', 'email'],
        [200, '', 'json'],
        [200, '', 'sms'],
      ]);
      expect(runs[1]?.published.map(formatOf)).toEqual(['email', 'email', 'json', 'sms']);
      const c = await assertConverged(l);
      // Three new failures in that digest, each sent twice: exactly the copies accepted and answered as failed.
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([3, 3]);
    });
  });
});

describe.concurrent('SNS goes away', () => {
  it('the topic deleted for a whole step: every delivery fails, the next run sends what was owed, once', async () => {
    // Arrange
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      const topic = l.local.topicArn.split(':').at(-1) ?? '';
      // Act: through the whole tick of step 2 (a recovery, a removal), Publish answers NotFound (not retried).
      const runs = await play(l, story(org), (i) => {
        if (i !== 2) return undefined;
        l.local.sns.deleteTopic(l.local.topicArn);
        return { persist: true, disarm: () => l.local.sns.createTopic(topic) };
      });
      await followUp(l);
      // Assert: step 2 recorded, notified nothing, and ended in AggregatorsFailed naming the aggregator.
      const step2 = runs[2];
      expect([step2?.status, step2?.error, step2?.cause, step2?.recorded, step2?.published.length]).toEqual(['FAILED', 'AggregatorsFailed', JSON.stringify([MAIN]), [MAIN], 0]);
      expect(step2?.sns.map((r) => r.errorCode)).toContain('NotFound');
      // The removed source is kept (REMOVED, owing its notice) until the next run can send it, with the recovery.
      expect(runs[3]?.published.flatMap(noticesIn).map((n) => n.kind).sort()).toEqual(['recovery', 'removed']);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
      // No monitor notice could be sent, so none is owed: no error, no recovery.
      expect(c.monitor).toEqual([]);
    });
  });

  // A channel that refuses the notices after the SDK's retries (here the port closed) fails the NotifyAggregator Task
  // (lambda/steps/notify.ts), so the definition's Retry sends them again within the run once SNS is back, before the
  // first of them (a source that failed at step 1) has recovered; only after the retries does NotifyAggregatorLastAttempt
  // record the refusal as the aggregator's failure.
  it('the endpoint gone (port closed) for one Notify attempt: the definition retries it, every notice sent once', async () => {
    // Arrange
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      const port = Number(new URL(l.local.sns.endpoint).port);
      // Act: SNS is unreachable in step 1 (three new failures) until a Task fails, back for its retry.
      const runs = await play(l, story(org), async (i) => {
        if (i !== 1) return undefined;
        await l.local.sns.close();
        return { options: { warp: 20 }, disarm: () => l.local.sns.start(port) };
      });
      await followUp(l);
      // Assert: the failed Notify was retried by the definition and sent the three failures, once.
      const notify = runs[1]?.invocations.filter((i) => i.step === 'notify') ?? [];
      expect([runs[1]?.status, notify.map((i) => i.outcome.ok)]).toEqual(['SUCCEEDED', [false, true]]);
      expect(notify[1]?.published.flatMap(noticesIn).map((n) => n.kind)).toEqual(['failure', 'failure', 'failure']);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
      expect(c.monitor).toEqual([]);
    });
  });
});
