/**
 * Worker processes killed (SIGKILL) inside every kind of step of the engine, at chosen and at seeded "random"
 * points of an execution: Step Functions sees the Task's invocation crash (Lambda.Unknown) and the definition's
 * Retry invokes the function again, in a new execution environment, from what the table holds. After each tick
 * the table must equal the organization, history must hold every transition exactly once, and a notice may have
 * been sent twice only if SNS accepted it and the execution had not written its marker before sending it again.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, type SimulatedSource } from '../../tools/local/simulated-organization';
import { Lab, tick, withLab, type Execution, type KillPoint, type TaskInvocation } from './support/lab';
import { actualHistory, assertConverged, assertHistoryConverged, expectedHistory, sum, type Convergence } from './support/oracle';
import { isCursorAdvance, isHistoryBatch, isJournal, isStateBatch, isWrite } from './support/requests';
import { FOLLOW_UP, MAIN, cleanRun, describeExecution, organization, play, story } from './support/script';

type Counted = 'config' | 'dynamodb' | 'sns';
/** Requests each endpoint receives from the worker in each tick of a clean story: the range seeded points are drawn from. */
let calibration: Record<Counted, number>[] = [];

beforeAll(async () => {
  const org = organization();
  const lab = await Lab.start({ org, aggregators: [MAIN] });
  try {
    const runs = await play(lab, story(org));
    const count = (run: Execution, server: Counted) => sum(run.invocations.map((i) => i[server].length));
    calibration = runs.map((run) => ({ config: count(run, 'config'), dynamodb: count(run, 'dynamodb'), sns: count(run, 'sns') }));
  } finally {
    await lab.close();
  }
});

/** The invocation the definition's Retry made after `killed`: the same Task's next attempt. */
function retryOf(run: Execution, killed: TaskInvocation): TaskInvocation | undefined {
  const later = run.invocations.slice(run.invocations.indexOf(killed) + 1);
  return later.find((i) => i.state === killed.state && JSON.stringify(i.payload) === JSON.stringify(killed.payload));
}

/**
 * Plays the story killing one worker process of each tick at `points[step]` (the retries run clean), checking
 * convergence after every tick; then the clean follow-up run and the final check.
 */
async function killChain(points: readonly (KillPoint | undefined)[]): Promise<{ killed: TaskInvocation[]; convergence: Convergence }> {
  const org = organization();
  return withLab({ org, aggregators: [MAIN] }, async (lab) => {
    const killed: TaskInvocation[] = [];
    for (const [i, step] of story(org).entries()) {
      const point = points[i];
      const [run] = await play(lab, [step], () => (point ? { options: { kill: point } } : undefined));
      if (!run) throw new Error('no run');
      if (point) {
        const dead = run.invocations.filter((inv) => inv.killed);
        expect(dead.map((d) => d.step), `step ${i} killed at ${JSON.stringify(point)}\n${describeExecution(run)}`).toEqual([point.step ?? dead[0]?.step]);
        killed.push(...dead);
        // The definition's Retry of that Task, in another execution environment (the killed one is gone; a warm one
        // of the Map's may take it), completes; so does the execution.
        const retry = dead[0] ? retryOf(run, dead[0]) : undefined;
        expect([retry && retry.environment !== dead[0]?.environment, retry?.outcome.ok, run.status]).toEqual([true, true, 'SUCCEEDED']);
      } else {
        expect(cleanRun(run)).toEqual(['SUCCEEDED', true]);
      }
      // Converged after each tick already: the retried Task repaired what the killed one left.
      await assertConverged(lab);
    }
    expect((await lab.tick(FOLLOW_UP)).status).toBe('SUCCEEDED');
    return { killed, convergence: await assertConverged(lab) };
  });
}

describe.concurrent('killed inside each kind of step', () => {
  it('Notify after SNS accepted a part; a unit between journal and apply; a unit between history and states; ReadRound on Config', async () => {
    // Act
    const { killed, convergence: c } = await killChain([
      // First run: SNS accepted the digest of 8 failures (its e-mail part); the process dies before it reads the answer.
      { step: 'notify', server: 'sns', operation: 'Publish', nth: 1, when: 'after' },
      // Three new failures: the unit's journal is written, the process dies as the first history batch goes out.
      { step: 'reconcile', server: 'dynamodb', matches: isHistoryBatch, nth: 1, when: 'before' },
      // Full sweep: a unit's history landed, the process dies as its first state batch goes out (whichever unit).
      { server: 'dynamodb', matches: isStateBatch, nth: 1, when: 'before' },
      // A quiet run killed while reading Config.
      { step: 'read', server: 'config', nth: 1, when: 'before' },
    ]);
    // Assert: the one kill inside the at-least-once window sent the 8 notices twice; nothing else is duplicated.
    expect(killed.map((k) => k.published.length)).toEqual([1, 0, 0, 0]);
    expect(killed.slice(1).map((k) => k.dynamodb.filter((r) => isJournal(r)).length > 0)).toEqual([true, expect.any(Boolean), false]);
    expect([c.duplicates, sum(c.atRisk.values())]).toEqual([8, 8]);
  });

  it('Begin after its first write; ReadRound between staging a chunk and advancing its cursor; Notify after two parts; Finalize after its first write', async () => {
    // Act
    const { killed, convergence: c } = await killChain([
      { step: 'begin', server: 'dynamodb', matches: isWrite, nth: 1, when: 'after' },
      // The chunk is staged; the cursor's advance never lands: the retried round reads that chunk again.
      { step: 'read', server: 'dynamodb', matches: isCursorAdvance, nth: 1, when: 'before' },
      // The recovery's digest: e-mail and json accepted, the process dies before the second answer.
      { step: 'notify', server: 'sns', operation: 'Publish', nth: 2, when: 'after' },
      { step: 'finalize', server: 'dynamodb', matches: isWrite, nth: 1, when: 'after' },
    ]);
    // Assert: the re-read chunk is the same pages again; the two accepted parts of step 2 sent again, nothing else.
    const [, read] = killed;
    expect(read?.config.length).toBeGreaterThan(0);
    expect(killed.map((k) => k.published.length)).toEqual([0, 0, 2, 0]);
    expect(c.duplicates).toBe(sum(c.atRisk.values()));
  });

  for (const seed of [1, 2]) {
    it(`at seeded random points (seed ${seed}): each tick killed at a worker request drawn from a clean run's requests`, async () => {
      // Arrange: a server weighted by its share of the tick's requests, then a request of it, before or after.
      const random = mulberry32(seed);
      const points = calibration.map((counts): KillPoint => {
        const total = counts.config + counts.dynamodb + counts.sns;
        let pick = Math.floor(random() * total);
        const server = (['config', 'dynamodb', 'sns'] as const).find((s) => (pick -= counts[s]) < 0) ?? 'dynamodb';
        return { server, nth: 1 + Math.floor(random() * counts[server]), when: random() < 0.5 ? 'before' : 'after' };
      });
      // Act
      const { killed, convergence: c } = await killChain(points);
      // Assert: duplicates only where a killed Task had SNS accept a digest it could not mark.
      expect(killed).toHaveLength(points.length);
      expect(c.duplicates).toBeLessThanOrEqual(sum(c.atRisk.values()));
    });
  }
});

describe.sequential('killed, and no attempt of that Task completes', () => {
  // Every attempt of the tick's unit dies as its first state batch goes out, after a history batch landed: the
  // execution fails once the definition's Retry gives up. The next tick's Begin rolls its journals forward (gap 2).
  let want: string[] = [];
  let have: string[] = [];
  let truth: SimulatedSource[] = [];

  it('state, history and notices converge by the next runs; the dead run\'s transitions recorded once, at its time', async () => {
    // Arrange
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (lab) => {
      const steps = story(org);
      await play(lab, steps.slice(0, 1));
      // Act: the history batches of step 1 land; the connection is reset before each state batch, every attempt.
      const [dead] = await play(lab, steps.slice(1, 2), () => ({
        persist: true,
        options: { env: { AWS_MAX_ATTEMPTS: '1' } },
        disarm: lab.local.dynamodbProxy.inject((r) => (isStateBatch(r) ? { destroy: true } : undefined)),
      }));
      await play(lab, steps.slice(2));
      await lab.tick(FOLLOW_UP);
      const sweep = await lab.tick(tick(6 * 60));
      // Assert
      expect([dead?.status, dead?.invocations.some((i) => i.step === 'reconcile' && !i.outcome.ok)]).toEqual(['FAILED', true]);
      expect(sweep.status).toBe('SUCCEEDED');
      const c = await assertConverged(lab, { skipHistory: true });
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
      truth = org.sources(MAIN);
      have = actualHistory(c.items, MAIN);
      // The dead run journaled the buckets it reached; the next run's Begin rolled those journals forward (gap 2).
      // So a source of those buckets has the transitions between the snapshots of the completed runs and the dead
      // one (its transition at the dead run's time); any other source those of the completed runs only. Each once.
      const observations = lab.observations.get(MAIN) ?? [];
      const deadAt = dead?.at ?? '';
      const withDead = expectedHistory(MAIN, [...observations, { at: deadAt, sources: lab.snapshots.get(deadAt)?.get(MAIN) ?? [] }].sort((x, y) => (x.at < y.at ? -1 : 1)));
      const source = (line: string) => line.split(' ')[1] ?? '';
      const rolled = new Set(have.filter((l) => l.split(' ')[2] === deadAt).map(source));
      want = [...withDead.filter((l) => rolled.has(source(l))), ...expectedHistory(MAIN, observations).filter((l) => !rolled.has(source(l)))].sort();
      expect(rolled.size).toBeGreaterThan(0);
      expect(have).toEqual(want);
      expect(sweep.invocations[0]?.logs.map((l) => l.message)).not.toContain('Applied the journal of a run that did not finish');
      expect(lab.executions.find((e) => e.at === steps[2]?.at)?.invocations[0]?.logs.map((l) => l.message)).toContain('Applied the journal of a run that did not finish');
    });
  });

  it('the source that recovered after the dead run saw it fail is not left FAILED in history (gap 2, closed)', () => {
    // The dead run's history says SUCCEEDED > FAILED; its journal was rolled forward into the states, so the
    // recovery was recorded too: every source's latest history entry agrees with its status.
    assertHistoryConverged(MAIN, want, have, truth);
  });
});
