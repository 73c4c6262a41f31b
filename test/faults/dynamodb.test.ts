/**
 * DynamoDB misbehaving under the real handler bundle: throttling, UnprocessedItems, a write refused by a
 * condition, the endpoint gone for part of a run, and two invocations overlapping (what reserved concurrency 1
 * prevents, and what `reserveConcurrency=false` allows when a run outlasts the schedule interval).
 */
import { describe, expect, it } from 'vitest';
import type { FaultHook } from '../../tools/local/fake-server';
import { DYNAMODB_FAULTS } from '../../tools/local/recording-proxy';
import { withLab, type Invocation } from './support/lab';
import { assertConverged, noticesIn, sum } from './support/oracle';
import { MAIN, followUp, organization, play, story } from './support/script';

const firstAttemptsOk = (runs: Invocation[][]) => runs.map((step) => [step.length, step[0]?.outcome.ok]);

describe.concurrent('DynamoDB throttles', () => {
  it('ProvisionedThroughputExceeded and request-rate throttling on a share of calls: retried, every run completes', async () => {
    // Arrange
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      let n = 0;
      const throttle: FaultHook = () => {
        n++;
        return n % 7 === 0 ? DYNAMODB_FAULTS.throttling : n % 17 === 0 ? DYNAMODB_FAULTS.requestLimit : undefined;
      };
      // Act
      const runs = await play(l, story(org), () => ({ disarm: l.local.dynamodbProxy.inject(throttle), persist: true, options: { warp: 20 } }));
      await followUp(l);
      // Assert
      expect(firstAttemptsOk(runs)).toEqual(runs.map(() => [1, true]));
      const codes = l.local.dynamodbProxy.requests.map((r) => r.errorCode).filter((c) => c !== undefined);
      expect(new Set(codes)).toEqual(new Set(['ProvisionedThroughputExceededException', 'ThrottlingException']));
      expect(codes.length).toBeGreaterThan(10);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
    });
  });
});

describe.concurrent('DynamoDB leaves items unprocessed', () => {
  it('some items of most batches and every item of some: the store writes them again until written', async () => {
    // Arrange
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      const once = new Set<string>();
      let batches = 0;
      const hook = l.unprocessedItems((index, w) => {
        if (index === 0) batches++;
        const key = JSON.stringify(w);
        if (once.has(key)) return false;
        const bounce = batches % 3 === 0 || index % 2 === 1;
        if (bounce) once.add(key);
        return bounce;
      });
      // Act
      const runs = await play(l, story(org), () => ({ disarm: l.local.dynamodbProxy.inject(hook), persist: true }));
      await followUp(l);
      // Assert: every run completed at once; every bounced item was sent again, alone, and written.
      expect(firstAttemptsOk(runs)).toEqual(runs.map(() => [1, true]));
      const bounced = [...l.bounced.values()].reduce((a, s) => a + s.size, 0);
      expect(bounced).toBeGreaterThan(100);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
    });
  });

  it('forever: after 12 attempts the run fails loudly, writing nothing of the step; the retried delivery converges', async () => {
    // Arrange
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      const hook = l.unprocessedItems(() => true);
      // Act: in step 1 nothing can be written by BatchWriteItem (the store backs off 50 ms doubling to 5 s: warped).
      const runs = await play(l, story(org), (i) => (i === 1 ? { disarm: l.local.dynamodbProxy.inject(hook), options: { warp: 20 } } : undefined));
      await followUp(l);
      // Assert
      const [failed, retried] = runs[1] ?? [];
      expect(failed?.code).toBe(1);
      expect(failed?.outcome.error?.message).toBe(
        '1 of 1 aggregators failed: org-main (UnprocessedItems: 4 items still unprocessed after 12 BatchWriteItem attempts on aggwatch-faults)',
      );
      // Twelve attempts at the step's history batch, every item of each bounced: nothing of the step written.
      const batches = failed?.dynamodb.filter((r) => r.operation === 'BatchWriteItem') ?? [];
      expect(batches.map((r) => l.bounced.get(r.seq)?.size)).toEqual(Array.from({ length: 12 }, () => 4));
      expect(failed?.published.flatMap(noticesIn).map((n) => `${n.kind} ${n.subject}`)).toEqual(['monitor-error UnprocessedItems']);
      expect(retried?.outcome.ok).toBe(true);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
      expect(c.monitor.map((n) => n.kind)).toEqual(['monitor-error', 'monitor-recovery']);
    });
  });
});

describe.concurrent('DynamoDB refuses a write on a condition', () => {
  it('ConditionalCheckFailedException on the aggregator record: taken as a newer run having written it, the run completes and the next converges', async () => {
    // Arrange: the aggregator record is written on condition that no newer run wrote it (overlapping runs).
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      const conflict = { error: { code: 'ConditionalCheckFailedException', message: 'The conditional request failed', status: 400 } };
      // Act: the first PutItem of step 2 (its full sweep updates the aggregator record) is refused.
      const runs = await play(l, story(org), (i) => (i === 2 ? { disarm: l.local.dynamodbProxy.injectNext(conflict, { operation: 'PutItem' }) } : undefined));
      await followUp(l);
      // Assert: the record was kept, not a failure; sources, history and notices are untouched by it.
      const [run] = runs[2] ?? [];
      expect(run?.code).toBe(0);
      expect(run?.outcome.ok).toBe(true);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
      expect(c.monitor).toEqual([]);
    });
  });
});

describe.concurrent('DynamoDB goes away', () => {
  it('for a moment (connections reset, some after the write landed): the SDK retries, the run completes', async () => {
    // Arrange
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      let n = 0;
      let puts = 0;
      const blip: FaultHook = (r) => {
        n++;
        if (n >= 20 && n < 26) return n % 2 === 0 ? { destroy: true } : { served: { destroy: true } };
        return r.operation === 'PutItem' && ++puts === 1 ? { served: { destroy: true } } : undefined;
      };
      // Act
      const runs = await play(l, story(org), (i) => (i === 0 ? { disarm: l.local.dynamodbProxy.inject(blip), options: { warp: 20 } } : undefined));
      await followUp(l);
      // Assert
      expect(firstAttemptsOk(runs)).toEqual(runs.map(() => [1, true]));
      const faults = runs[0]?.[0]?.dynamodb.filter((r) => r.fault) ?? [];
      expect(faults.map((r) => r.fault).sort()).toEqual(['destroy', 'destroy', 'destroy', 'served', 'served', 'served', 'served']);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
    });
  });

  describe.sequential('for the rest of a run (its port closed mid-writes)', () => {
    let failed: Invocation | undefined;
    let retried: Invocation | undefined;
    let monitor: string[] = [];

    it('the run fails loudly; the retried delivery converges, every source notice sent exactly once', async () => {
      // Arrange
      const org = organization();
      await withLab({ org, aggregators: [MAIN] }, async (l) => {
        const proxy = l.local.dynamodbProxy;
        const port = Number(new URL(proxy.endpoint).port);
        let writes = 0;
        let closing: Promise<void> | undefined;
        const gone: FaultHook = (r) => {
          if (r.operation !== 'BatchWriteItem' || ++writes !== 4) return undefined;
          closing = proxy.close();
          return { destroy: true };
        };
        const remove = proxy.inject(gone);
        // Act: gone at the 4th batch of the first run's history, back for Lambda's retry of the same event.
        const runs = await play(l, story(org), (i) =>
          i === 0
            ? {
                disarm: async () => {
                  remove();
                  await closing;
                  await proxy.start(port);
                },
                options: { warp: 20 },
              }
            : undefined,
        );
        await followUp(l);
        // Assert
        [failed, retried] = runs[0] ?? [];
        expect(failed?.code).toBe(1);
        expect(failed?.outcome.error?.message).toMatch(/^1 of 1 aggregators failed: org-main \(ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/);
        expect(retried?.outcome.ok).toBe(true);
        const c = await assertConverged(l, { monitorErrorMayDangle: true });
        expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
        monitor = c.monitor.map((n) => `${n.kind} ${n.subject}`);
        // The monitor error was notified (SNS worked) but could not be recorded (DynamoDB did not): today no
        // recovery notice follows (see the next test).
        expect(monitor).toEqual(['monitor-error ECONNREFUSED']);
        expect(c.monitorAtRisk).toBe(1);
      });
    });

    it.fails('KNOWN GAP: no recovery notice follows the monitor error the failed run could not record', () => {
      // The retried delivery finds no record of the error it would recover from: subscribers are left with
      // "could not be read" and never hear it works again. See the README's reliability section.
      expect(monitor).toEqual(['monitor-error ECONNREFUSED', 'monitor-recovery ']);
    });
  });
});

describe.concurrent('a concurrent writer: two invocations overlap', () => {
  it('the older run records last: sources, history and subscribers converge after the next run', async () => {
    // Arrange: runs overlap when one outlasts the schedule interval and concurrency is not reserved.
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      const steps = story(org);
      await play(l, steps.slice(0, 1));
      // Act: the run of step 1 holds at its first write while the run of step 2 reads, records and notifies.
      const older = l.hold('dynamodb', (r) => r.operation === 'BatchWriteItem');
      steps[1]?.change();
      const a = l.start(steps[1]?.at ?? '');
      await older.reached;
      steps[2]?.change();
      const b = await l.invoke(steps[2]?.at ?? '');
      older.release();
      const ainv = await a.done;
      await followUp(l);
      // Assert
      expect([ainv.outcome.ok, b.outcome.ok]).toEqual([true, true]);
      const c = await assertConverged(l, { overlapping: true });
      // The one copy too many: both runs saw the same source fail before either recorded it.
      expect(c.duplicates).toBe(1);
    });
  });

  describe('the newer run fails while the older one is still recording', () => {
    it('sources, history and source notices converge after the next run', async () => {
      // Arrange
      const org = organization();
      await withLab({ org, aggregators: [MAIN] }, async (l) => {
        const steps = story(org);
        await play(l, steps.slice(0, 1));
        await play(l, steps.slice(1, 2));
        // Act: step 2's run (a full sweep: the failing set shrank) holds at its first write; step 3's run is refused
        // by Config (a permission removed, then restored), notifies the monitor error and records it; then step 2's
        // run records what it saw, and puts the aggregator record of its full sweep.
        const older = l.hold('dynamodb', (r) => r.operation === 'BatchWriteItem');
        steps[2]?.change();
        const a = l.start(steps[2]?.at ?? '');
        await older.reached;
        steps[3]?.change();
        const denied = l.local.config.inject(() => ({ error: { code: 'AccessDeniedException', message: 'not authorized', status: 400 } }));
        const b = await l.invoke(steps[3]?.at ?? '');
        denied();
        older.release();
        const ainv = await a.done;
        await followUp(l);
        // Assert
        expect([ainv.outcome.ok, b.code]).toEqual([true, 1]);
        const c = await assertConverged(l, { overlapping: true });
        const monitor = c.monitor.map((n) => `${n.kind} ${n.subject}`);
        // The older run's aggregator record does not erase the newer run's error: its recovery follows.
        expect(monitor).toEqual(['monitor-error AccessDeniedException', 'monitor-recovery ']);
      });
    });
  });
});
