/**
 * DynamoDB misbehaving under the engine: throttling, UnprocessedItems, a write refused by a condition, the endpoint
 * gone for part of a run or for Finalize (the aggregator-level notice carried to the next execution: gap 1), and a
 * tick arriving while the previous execution still runs (the dispatcher skips it: one execution at a time).
 */
import { describe, expect, it } from 'vitest';
import type { FaultHook } from '../../tools/local/fake-server';
import { DYNAMODB_FAULTS } from '../../tools/local/recording-proxy';
import { withLab, type Execution } from './support/lab';
import { assertConverged, sum } from './support/oracle';
import { wireItems } from './support/requests';
import { MAIN, cleanRun, describeExecution, followUp, organization, play, story } from './support/script';

const clean = (runs: Execution[]) => runs.map(cleanRun);
const CLEAN = (runs: Execution[]) => runs.map(() => ['SUCCEEDED', true]);

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
      expect(clean(runs)).toEqual(CLEAN(runs));
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
      expect(clean(runs)).toEqual(CLEAN(runs));
      const bounced = [...l.bounced.values()].reduce((a, s) => a + s.size, 0);
      expect(bounced).toBeGreaterThan(100);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
    });
  });

  it('forever, for a Task: after 12 attempts it fails loudly, writing nothing of its batch; the definition\'s Retry converges', async () => {
    // Arrange
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      const hook = l.unprocessedItems(() => true);
      // Act: in step 1 nothing can be written by BatchWriteItem until a Task fails (the store backs off 50 ms
      // doubling to 5 s: warped).
      const runs = await play(l, story(org), (i) => (i === 1 ? { disarm: l.local.dynamodbProxy.inject(hook), options: { warp: 20 } } : undefined));
      await followUp(l);
      // Assert: the first Task to write a batch failed after twelve attempts at it, every item of each bounced.
      const failed = runs[1]?.invocations.find((i) => !i.outcome.ok);
      expect(failed?.code).toBe(1);
      expect(failed?.outcome.error?.message).toMatch(/^\d+ items still unprocessed after 12 BatchWriteItem attempts on aggwatch-faults/);
      const batches = failed?.dynamodb.filter((r) => r.operation === 'BatchWriteItem') ?? [];
      expect(batches.map((r) => l.bounced.get(r.seq)?.size === wireItems(r).length)).toEqual(Array.from({ length: 12 }, () => true));
      // Its retry, in the same execution, completed the run: no monitor notice (nothing an aggregator did wrong).
      expect(runs[1]?.status).toBe('SUCCEEDED');
      expect(runs[1]?.transitions.filter((t) => t.event === 'retried').map((t) => t.state)).toEqual([failed?.state]);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
      expect(c.monitor).toEqual([]);
    });
  });
});

describe.concurrent('DynamoDB refuses a write on a condition', () => {
  it('ConditionalCheckFailedException on the aggregator record: taken as a newer run having written it, the run completes and the next converges', async () => {
    // Arrange: the aggregator record is written on condition that no newer run wrote it (overlapping runs).
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      const conflict = { error: { code: 'ConditionalCheckFailedException', message: 'The conditional request failed', status: 400 } };
      // Act: the first put of the aggregator record in step 2 (its full sweep updates it) is refused.
      let left = 1;
      const refuse: FaultHook = (r) => (r.operation === 'PutItem' && wireItems(r).some((i) => i.pk?.S === 'AGG') && left-- > 0 ? conflict : undefined);
      const runs = await play(l, story(org), (i) => (i === 2 ? { disarm: l.local.dynamodbProxy.inject(refuse) } : undefined));
      await followUp(l);
      // Assert: the record was kept, not a failure; sources, history and notices are untouched by it.
      expect(left).toBe(0);
      expect(cleanRun(runs[2] as Execution)).toEqual(['SUCCEEDED', true]);
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
      expect(clean(runs)).toEqual(CLEAN(runs));
      const faults = runs[0]?.dynamodb.filter((r) => r.fault) ?? [];
      expect(faults.map((r) => r.fault).sort()).toEqual(['destroy', 'destroy', 'destroy', 'served', 'served', 'served', 'served']);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
    });
  });

  it('for the rest of a Task (its port closed mid-writes): that attempt fails loudly; its retry converges, every notice sent once', async () => {
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
      // Act: gone at the 4th batch of the first run, back for the definition's retry of that Task.
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
      const failed = runs[0]?.invocations.find((i) => !i.outcome.ok);
      expect(failed?.code).toBe(1);
      expect(failed?.outcome.error?.message).toMatch(/ECONNREFUSED/);
      expect(runs[0]?.status).toBe('SUCCEEDED');
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
      expect(c.monitor).toEqual([]);
    });
  });

  describe.sequential('for Finalize, after Notify had a monitor error accepted (gap 1)', () => {
    let monitor: string[] = [];
    let unrecorded: Execution | undefined;

    it('the execution ends Unrecorded with what Notify accepted; the next one records it', async () => {
      // Arrange
      const org = organization();
      await withLab({ org, aggregators: [MAIN] }, async (l) => {
        const steps = story(org);
        await play(l, steps.slice(0, 1));
        // Act: step 1's tick: Config refuses the aggregator (a monitor error, notified), and DynamoDB refuses every
        // write of the aggregator record and the run summaries (Finalize's) through every attempt.
        const denied = l.local.config.inject(() => ({ error: { code: 'AccessDeniedException', message: 'not authorized', status: 400 } }));
        const finalizeGone: FaultHook = (r) => (wireItems(r).some((i) => i.pk?.S === 'AGG' || i.pk?.S === 'RUNS') ? { destroy: true } : undefined);
        const removeGone = l.local.dynamodbProxy.inject(finalizeGone);
        [unrecorded] = await play(l, steps.slice(1, 2), () => ({
          persist: true,
          options: { warp: 20 },
          disarm: () => {
            denied();
            removeGone();
          },
        }));
        await play(l, steps.slice(2));
        await followUp(l);
        // Assert
        expect([unrecorded?.status, unrecorded?.error]).toEqual(['FAILED', 'UnrecordedNotices']);
        const c = await assertConverged(l);
        monitor = c.monitor.map((n) => `${n.kind} ${n.subject}`);
        expect(monitor[0]).toBe('monitor-error AccessDeniedException');
      });
    });

    it('the monitor error the failed execution could not record is followed by its recovery (gap 1, closed)', () => {
      // The next execution's input carries the obligation (the dispatcher reads the Unrecorded cause); its Begin
      // records it, so the recovery is sent once the aggregator can be read again.
      expect(monitor).toEqual(['monitor-error AccessDeniedException', 'monitor-recovery ']);
    });
  });
});

describe.concurrent('a tick while the previous execution still runs', () => {
  it('is skipped by the dispatcher (one execution at a time); the next tick catches up, everything converges', async () => {
    // Arrange: the run of step 1 outlasts the schedule interval (held at its first write).
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      const steps = story(org);
      await play(l, steps.slice(0, 1));
      const older = l.hold('dynamodb', (r) => r.operation === 'BatchWriteItem' && wireItems(r).some((i) => /^(SRC|CUR)#/.test(i.pk?.S ?? '')));
      steps[1]?.change();
      const a = l.startTick(steps[1]?.at ?? '');
      await older.reached;
      // Act: step 2's tick arrives meanwhile; then step 1's run completes; then step 3's tick.
      steps[2]?.change();
      const skipped = await l.tick(steps[2]?.at ?? '');
      older.release();
      const first = await a.done;
      await play(l, steps.slice(3));
      await followUp(l);
      // Assert: no second execution started; the skipped tick is the dispatcher's answer.
      expect([first.status, skipped.status, (skipped.dispatched as { outcome?: string } | undefined)?.outcome]).toEqual(['SUCCEEDED', 'NOT_STARTED', 'skipped']);
      expect(l.stepFunctions.executions().map((e) => e.options.name)).not.toContain(skipped.name);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
    });
  });

  it('a re-delivered event of a running tick starts nothing', async () => {
    // Arrange
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      const steps = story(org);
      const held = l.hold('dynamodb', (r) => r.operation === 'BatchWriteItem' && wireItems(r).some((i) => /^(SRC|CUR)#/.test(i.pk?.S ?? '')));
      const a = l.startTick(steps[0]?.at ?? '');
      await held.reached;
      // Act: EventBridge delivers the same event again (at-least-once delivery).
      const again = await l.tick(steps[0]?.at ?? '');
      held.release();
      const first = await a.done;
      await play(l, steps.slice(1));
      // Assert
      expect([first.status, again.status, (again.dispatched as { outcome?: string } | undefined)?.outcome], `${first.error}: ${first.cause}\n${describeExecution(first)}`).toEqual(['SUCCEEDED', 'NOT_STARTED', 'already-running']);
      expect(l.stepFunctions.executions()).toHaveLength(4);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
    });
  });
});
