/**
 * The handler's process killed (SIGKILL) at chosen and at seeded "random" points of a run: while reading, between
 * reading and writing, mid-writes, between SNS accepting a digest and the marker being written. Lambda delivers
 * the same scheduled event again (it retries a failed asynchronous invocation twice), in a new execution
 * environment; after each step the table must equal the organization, history must hold every transition exactly
 * once, and a notice may have been sent twice only if SNS accepted it and the killed run had not written its marker.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, type SimulatedSource } from '../../tools/local/simulated-organization';
import { Lab, tick, withLab, type Invocation, type KillPoint, type ServerName } from './support/lab';
import { actualHistory, assertConverged, assertHistoryConverged, expectedHistory, sum, type Convergence } from './support/oracle';
import { FOLLOW_UP, MAIN, organization, play, story } from './support/script';

/** Requests each endpoint receives in each step of a clean story: the range the seeded kill points are drawn from. */
let calibration: Record<Exclude<ServerName, 'events' | 'securityhub'>, number>[] = [];

beforeAll(async () => {
  const org = organization();
  const lab = await Lab.start({ org, aggregators: [MAIN] });
  try {
    const runs = await play(lab, story(org));
    calibration = runs.map(([inv]) => ({ config: inv?.config.length ?? 0, dynamodb: inv?.dynamodb.length ?? 0, sns: inv?.sns.length ?? 0 }));
  } finally {
    await lab.close();
  }
});

/**
 * Plays the story killing each step's first delivery at `points[step]`, then delivering the same event again
 * until it completes, checking convergence after every step; then the clean follow-up run and the final check.
 */
async function killChain(points: readonly (KillPoint | undefined)[]): Promise<{ killed: Invocation[]; convergence: Convergence }> {
  const org = organization();
  return withLab({ org, aggregators: [MAIN] }, async (lab) => {
    const killed: Invocation[] = [];
    for (const [i, step] of story(org).entries()) {
      const point = points[i];
      const [first, ...retries] = (await play(lab, [step], () => (point ? { options: { kill: point } } : undefined)))[0] ?? [];
      if (point) {
        expect(first?.killed, `step ${i} killed at ${JSON.stringify(point)}`).toBe(true);
        if (first) killed.push(first);
        // Lambda's retry of the event, in a new execution environment, completes.
        expect(retries.map((r) => [r.cold, r.outcome.ok])).toEqual([[true, true]]);
      } else {
        expect(first?.outcome.ok).toBe(true);
      }
      // Converged after each step already: the retried delivery repaired what the killed one left.
      await assertConverged(lab);
    }
    expect((await lab.invoke(FOLLOW_UP)).outcome.ok).toBe(true);
    return { killed, convergence: await assertConverged(lab) };
  });
}

describe.concurrent('killed at chosen points', () => {
  it('between reading and writing, mid-history, between Publish accepted and its marker, before the aggregator record', async () => {
    // Act
    const { killed, convergence: c } = await killChain([
      // First run: SNS accepted the digest of 8 failures; the process dies before it reads the answer.
      { server: 'sns', operation: 'Publish', nth: 1, when: 'after' },
      // Three new failures read; killed as the first write (their history) goes out.
      { server: 'dynamodb', operation: 'BatchWriteItem', nth: 1, when: 'before' },
      // Full sweep: history written, states written, the digest accepted and its markers written; killed as the
      // aggregator record (last full sweep) is put.
      { server: 'dynamodb', operation: 'PutItem', nth: 1, when: 'before' },
      // A quiet run killed while reading Config.
      { server: 'config', nth: 1, when: 'before' },
    ]);
    // Assert: the one kill inside the at-least-once window sent 8 notices twice; nothing else is duplicated.
    // (The first killed run had the digest's e-mail accepted; the third its e-mail and json, with no SMS for it.)
    expect(killed.map((k) => k.published.length)).toEqual([1, 0, 2, 0]);
    expect([c.duplicates, sum(c.atRisk.values())]).toEqual([8, 8]);
  });

  for (const seed of [1, 2]) {
    it(`at seeded random points (seed ${seed}): each step killed at a request drawn from a clean run's requests`, async () => {
      // Arrange: a server weighted by its share of the step's requests, then a request of it, before or after.
      const random = mulberry32(seed);
      const points = calibration.map((counts): KillPoint => {
        const total = counts.config + counts.dynamodb + counts.sns;
        let pick = Math.floor(random() * total);
        const server = (['config', 'dynamodb', 'sns'] as const).find((s) => (pick -= counts[s]) < 0) ?? 'dynamodb';
        return { server, nth: 1 + Math.floor(random() * counts[server]), when: random() < 0.5 ? 'before' : 'after' };
      });
      // Act
      const { killed, convergence: c } = await killChain(points);
      // Assert: duplicates only where a killed run had SNS accept a digest it could not mark.
      expect(killed).toHaveLength(points.length);
      expect(c.duplicates).toBeLessThanOrEqual(sum(c.atRisk.values()));
    });
  }
});

describe.sequential('killed, and no delivery of that event completes', () => {
  // Lambda retries twice; if those die too (or DynamoDB is away for them), the next scheduled event is the next
  // run. Here the first delivery of step 1 dies right after its history batch landed, before any state was written.
  let want: string[] = [];
  let have: string[] = [];
  let truth: SimulatedSource[] = [];

  it('state and notices converge by the next full sweep; history holds every transition, the dead run\'s again at its time', async () => {
    // Arrange
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (lab) => {
      const steps = story(org);
      await play(lab, steps.slice(0, 1));
      steps[1]?.change();
      // Act
      const dead = await lab.invoke(steps[1]?.at ?? '', { kill: { server: 'dynamodb', operation: 'BatchWriteItem', nth: 1, when: 'after' } });
      await play(lab, steps.slice(2));
      await lab.invoke(FOLLOW_UP);
      // The source that left while the table still had it SUCCEEDED is only seen gone by the scheduled full sweep.
      const sweep = await lab.invoke(tick(6 * 60));
      // Assert
      expect([dead.killed, sweep.logs.find((l) => l.message === 'Recorded')?.sweepReason]).toEqual([true, 'schedule']);
      const c = await assertConverged(lab, { skipHistory: true });
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
      truth = org.sources(MAIN);
      want = expectedHistory(MAIN, lab.observations.get(MAIN) ?? []);
      have = actualHistory(c.items, MAIN);
      // Every transition the completed runs saw is there, at its run time or (a removal) at the full sweep's.
      const late = (line: string) => line.replace(steps[2]?.at ?? '', sweep.at);
      expect(want.filter((l) => !have.includes(l) && !have.includes(late(l)))).toEqual([]);
      // Beyond those, only what the dead run recorded: the transitions it saw (three failures, one OUTDATED), at its
      // time. One of them is never closed: the source recovered before a run recorded its failure in the state.
      const extra = have.filter((l) => !want.includes(l) && !want.map(late).includes(l));
      expect(extra.map((l) => l.split(' ').slice(2).join(' '))).toEqual([
        `${dead.at} STATUS_CHANGED SUCCEEDED>FAILED`,
        `${dead.at} STATUS_CHANGED SUCCEEDED>OUTDATED`,
        `${dead.at} STATUS_CHANGED SUCCEEDED>FAILED`,
        `${dead.at} STATUS_CHANGED SUCCEEDED>FAILED`,
      ]);
    });
  });

  it.fails('KNOWN GAP: the source that recovered before any run recorded its failure is left FAILED in history', () => {
    // The dead run's history says SUCCEEDED > FAILED; no run ever recorded the failure in the state, so none records
    // the recovery: that source's latest history entry contradicts its status.
    assertHistoryConverged(MAIN, want, have, truth);
  });
});
