/**
 * Config's limits across the engine's read rounds, under the cloud assembly's bundles: a NextToken that expires
 * between two rounds (the fake's `tokenTtlMs`: the read restarts once from the first page), and an account-wide
 * request rate held for minutes (the fake's `throttleAbovePerSecond`, compressed: two requests a second over a
 * read of 50 pages): the run completes, slowly, nothing lost, few calls wasted on throttling.
 */
import { describe, expect, it } from 'vitest';
import type { FaultHook } from '../../tools/local/fake-server';
import { SimulatedOrganization } from '../../tools/local/simulated-organization';
import { T0, withLab, type TaskInvocation } from './support/lab';
import { assertConverged, sum } from './support/oracle';
import { MAIN, cleanRun } from './support/script';

const PAGES = 'DescribeConfigurationAggregatorSourcesStatus';
const token = (input: unknown) => (input as { NextToken?: string }).NextToken;
/** A worker whose context says this little time is left: each read round reads one page (a round always progresses). */
const SHORT_ROUNDS_S = 60;

function organization(accounts: number): SimulatedOrganization {
  const org = new SimulatedOrganization({ now: T0, seed: 5 });
  org.populate(MAIN, { accounts, regions: ['us-east-1', 'eu-west-1', 'ap-east-1', 'sa-east-1'], seed: 5, unauthorizedAccounts: 1, recorderOff: 1, outdated: 2 });
  return org;
}

describe.concurrent('Config limits across read rounds', () => {
  it('a NextToken expiring between two rounds: the read restarts once from the first page, the run completes', async () => {
    // Arrange: 1,200 sources, 12 pages; each round reads one page. Tokens live 1.5 s; the second round's page
    // arrives 2 s after the first round's (held), as after a long pause between two invocations.
    const org = organization(300);
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      l.local.config.tokenTtlMs = 1_500;
      let pause = false;
      const late: FaultHook = (r) => {
        if (r.operation !== PAGES || !token(r.input) || !pause) return undefined;
        pause = false;
        return { hangMs: 2_000 };
      };
      const remove = l.local.config.inject(late);
      let rounds = 0;
      const onInvocationEnd = (i: TaskInvocation) => {
        if (i.step === 'read' && ++rounds === 1) pause = true;
      };
      // Act
      const run = await l.tick(T0, { timeoutSeconds: SHORT_ROUNDS_S, onInvocationEnd });
      remove();
      // Assert: round 1 read page 1; round 2's token was refused; the read restarted at page 1, once, and finished.
      expect(cleanRun(run)).toEqual(['SUCCEEDED', true]);
      const pages = run.config.filter((r) => r.operation === PAGES);
      const refused = pages.findIndex((r) => r.errorCode === 'InvalidNextTokenException');
      expect([refused, pages.filter((r) => r.errorCode).length]).toEqual([1, 1]);
      expect(token(pages[refused + 1]?.input)).toBeUndefined();
      expect(pages.filter((r) => r.status === 200)).toHaveLength(1 + 12);
      expect(run.invocations.filter((i) => i.step === 'read').length).toBeGreaterThanOrEqual(1 + 1 + 12);
      expect(run.invocations.flatMap((i) => i.logs).filter((g) => g.message?.startsWith('Config refused the NextToken'))).toHaveLength(1);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
    });
  });

  it('an account-wide quota for minutes (compressed: 2 requests a second over 50 pages): slow, complete, little wasted', async () => {
    // Arrange: 5,000 sources, 50 pages, under a quota of 2 requests a second (the SDK and the shared limiter
    // adapt; the fake refuses whatever exceeds the sliding second).
    const quota = 2;
    const org = organization(1_250);
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      l.local.config.throttleAbovePerSecond = quota;
      // Act
      const run = await l.tick(T0);
      // Assert: every page read, at no more than the quota, with few refusals; everything recorded.
      expect(run.status).toBe('SUCCEEDED');
      const pages = run.config.filter((r) => r.operation === PAGES);
      const served = pages.filter((r) => r.status === 200);
      expect(served).toHaveLength(50);
      const seconds = ((served.at(-1)?.receivedAt ?? 0) - (served[0]?.receivedAt ?? 0)) / 1000;
      expect(seconds).toBeGreaterThanOrEqual((50 - quota) / quota);
      expect(l.local.config.throttled).toBeLessThan(served.length * 0.25);
      const recorded = run.invocations.filter((i) => i.step === 'finalize').flatMap((i) => i.logs.filter((g) => g.message === 'Recorded'));
      expect(recorded.map((g) => g.sources)).toEqual([5_000]);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
    });
  });
});
