/**
 * AWS Config misbehaving at the protocol level, under the engine (the bundles of the cloud assembly): throttling, 5xx, a hung page,
 * expired pagination tokens, a missing aggregator, and odd but valid answers. After each faulty story and a clean
 * follow-up run, the oracle checks that the table equals the organization, every history transition exists once
 * and every notice reached SNS exactly once (no fault here falls between SNS accepting a notice and its marker).
 */
import { describe, expect, it } from 'vitest';
import { CONFIG_FAULTS } from '../../tools/local/fake-config-service';
import type { FaultHook } from '../../tools/local/fake-server';
import type { SourceRef } from '../../tools/local/simulated-organization';
import { withLab, type Execution } from './support/lab';
import { assertConverged, formatOf, noticesIn, scanTable, sum } from './support/oracle';
import { isHistoryBatch, isStateBatch } from './support/requests';
import { MAIN, TEAM, cleanRun, followUp, healthyAt, organization, play, story } from './support/script';

const PAGES = 'DescribeConfigurationAggregatorSourcesStatus';

const token = (input: unknown) => (input as { NextToken?: string }).NextToken;
/** Every tick succeeded with no Task failing: the SDK's retries absorbed the faults within each invocation. */
const clean = (runs: Execution[]) => runs.map(cleanRun);
const CLEAN = (runs: Execution[]) => runs.map(() => ['SUCCEEDED', true]);

describe.concurrent('Config throttles', () => {
  it('a share of calls (every other page): the SDK retries each, every run completes on its first attempt', async () => {
    // Arrange
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      let n = 0;
      const throttle: FaultHook = (r) => (r.operation === PAGES && ++n % 2 === 1 ? CONFIG_FAULTS.throttling : undefined);
      // Act: the whole story under throttling (the 1 s throttling backoff, and 20 s cap, warped 20 times faster).
      const runs = await play(l, story(org), () => ({ disarm: l.local.config.inject(throttle), persist: true, options: { warp: 20 } }));
      await followUp(l);
      // Assert
      expect(clean(runs)).toEqual(CLEAN(runs));
      const pages = l.local.config.calls(PAGES);
      expect(pages.filter((r) => r.errorCode === 'ThrottlingException').length).toBeGreaterThanOrEqual(5);
      // Every throttled call was followed by the same call, served.
      pages.forEach((r, i) => {
        if (r.errorCode === 'ThrottlingException') expect([token(pages[i + 1]?.input), pages[i + 1]?.status]).toEqual([token(r.input), 200]);
      });
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
    });
  });

  it('a burst (the same page throttled 6 times in a row, of 10 attempts): the run completes', async () => {
    // Arrange
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      let left = 6;
      const burst: FaultHook = (r) => (r.operation === PAGES && token(r.input) && left-- > 0 ? CONFIG_FAULTS.throttling : undefined);
      // Act: the burst on page 2 of the first run.
      const runs = await play(l, story(org), (i) => (i === 0 ? { disarm: l.local.config.inject(burst), options: { warp: 20 } } : undefined));
      await followUp(l);
      // Assert
      expect(clean(runs)).toEqual(CLEAN(runs));
      expect(runs[0]?.config.map((r) => r.status)).toEqual([200, 400, 400, 400, 400, 400, 400, 200, 200]);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
    });
  });
});

describe.concurrent('Config fails on the server side', () => {
  it('500, 503 and an HTML 502 from a proxy on a share of calls: retried, every run completes', async () => {
    // Arrange
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      const faults = [CONFIG_FAULTS.internalError, CONFIG_FAULTS.unavailable, { status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body>502 Bad Gateway</body></html>' }];
      let n = 0;
      let f = 0;
      const hook: FaultHook = (r) => (r.operation === PAGES && ++n % 3 !== 0 ? faults[f++ % faults.length] : undefined);
      // Act
      const runs = await play(l, story(org), () => ({ disarm: l.local.config.inject(hook), persist: true, options: { warp: 20 } }));
      await followUp(l);
      // Assert
      expect(clean(runs)).toEqual(CLEAN(runs));
      expect(new Set(l.local.config.calls(PAGES).map((r) => r.status))).toEqual(new Set([200, 500, 502, 503]));
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
    });
  });

  it('a page that hangs past the 30 s request timeout: the client gives up on it, retries it, the run completes', async () => {
    // Arrange
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      // Act: page 2 of the first run never answers; a page of the third one answers a gateway timeout after 1 s.
      const runs = await play(l, story(org), (i) => {
        if (i === 0) {
          let left = 1;
          const hang: FaultHook = (r) => (r.operation === PAGES && token(r.input) && left-- > 0 ? { hangMs: Number.POSITIVE_INFINITY } : undefined);
          return { disarm: l.local.config.inject(hang), options: { warp: 20 } };
        }
        if (i === 2) {
          let left = 1;
          const gateway: FaultHook = (r) =>
            r.operation === PAGES && token(r.input) && left-- > 0 ? { hangMs: 1_000, then: { status: 504, body: 'Gateway Timeout' } } : undefined;
          return { disarm: l.local.config.inject(gateway) };
        }
        return undefined;
      });
      await followUp(l);
      // Assert: the hung request was dropped by the client (status 0) and the same page asked again.
      expect(clean(runs)).toEqual(CLEAN(runs));
      const first = runs[0]?.config ?? [];
      expect(first.map((r) => [r.fault ?? '', r.status])).toEqual([
        ['', 200],
        ['hang', 0],
        ['', 200],
        ['', 200],
      ]);
      expect(token(first[1]?.input)).toBe(token(first[2]?.input));
      expect(runs[2]?.config.filter((r) => r.status === 504)).toHaveLength(1);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
    });
  });
});

describe.concurrent('Config refuses a pagination token', () => {
  it('once: the read restarts from the first page and the run completes', async () => {
    // Arrange
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      // Act: in the full sweep of step 2, the token expires under the read (as a real one does after a while).
      let left = 1;
      const expire: FaultHook = (r) => {
        if (r.operation === PAGES && token(r.input) && left-- > 0) l.local.config.expireTokens();
        return undefined;
      };
      const runs = await play(l, story(org), (i) => (i === 2 ? { disarm: l.local.config.inject(expire) } : undefined));
      await followUp(l);
      // Assert: the fast read, page 1, page 2 refused, then pages 1 to 3 again.
      expect(clean(runs)).toEqual(CLEAN(runs));
      expect(runs[2]?.config.map((r) => r.errorCode ?? r.status)).toEqual([200, 200, 'InvalidNextTokenException', 200, 200, 200]);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
    });
  });

  it('twice: the aggregator fails clearly, nothing from the partial list is recorded, nothing is marked removed', async () => {
    // Arrange
    const org = organization();
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      const steps = story(org);
      await play(l, steps.slice(0, 2));
      const before = await scanTable(l);
      // Act: step 2 (a recovery on page 1, a removal on page 3) with every token refused through its whole tick.
      const expire: FaultHook = (r) => {
        if (r.operation === PAGES && token(r.input)) l.local.config.expireTokens();
        return undefined;
      };
      const [failed] = await play(l, steps.slice(2, 3), () => ({ persist: true, disarm: l.local.config.inject(expire) }));
      const after = await scanTable(l);
      const [next] = await play(l, steps.slice(3));
      await followUp(l);
      // Assert: the aggregator's failure is the run's outcome, not a Task error: no Task failed, the execution ends
      // in AggregatorsFailed naming it.
      expect([failed?.status, failed?.error, failed?.cause, failed?.invocations.every((i) => i.outcome.ok)]).toEqual(['FAILED', 'AggregatorsFailed', JSON.stringify([MAIN]), true]);
      expect(failed?.config.map((r) => r.errorCode ?? r.status)).toEqual([200, 200, 'InvalidNextTokenException', 200, 'InvalidNextTokenException']);
      // Nothing recorded from the partial list: no history or state written, sources and history as before.
      expect(failed?.recorded).toEqual([]);
      expect(failed?.dynamodb.filter((r) => isHistoryBatch(r) || isStateBatch(r))).toEqual([]);
      const watched = (i: Record<string, unknown>) => /^(SRC|CUR)#/.test(String(i.pk));
      const changed = after.filter((i) => watched(i) && !before.some((b) => JSON.stringify(b) === JSON.stringify(i)));
      expect(changed).toEqual([]);
      expect(after.filter((i) => i.event === 'REMOVED' || i.removedAt !== undefined)).toEqual([]);
      // The monitor error is notified once, then its recovery once the next run reads the aggregator.
      expect(failed?.published.flatMap(noticesIn).map((n) => [n.kind, n.subject])).toEqual([['monitor-error', 'InvalidNextTokenException']]);
      expect(next?.status).toBe('SUCCEEDED');
      expect(next?.published.flatMap(noticesIn).map((n) => n.kind).sort()).toEqual(['monitor-recovery', 'recovery', 'removed']);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
      expect(c.monitor.map((n) => n.kind)).toEqual(['monitor-error', 'monitor-recovery']);
    });
  });
});

describe.concurrent('Config says an aggregator does not exist', () => {
  it('for one of three: the others are recorded and notified, the missing one is alerted, the execution fails', async () => {
    // Arrange
    const org = organization({ team: true });
    org.addAggregator('org-audit');
    org.populate('org-audit', { accounts: 5, regions: ['us-east-1', 'eu-west-1'], seed: 9, firstAccountId: 300_000_000_000, outdated: 0 });
    await withLab({ org, aggregators: [MAIN, TEAM, 'org-audit'] }, async (l) => {
      const teamSource = healthyAt(org, TEAM, 3);
      const steps = story(org).map((s, i) => (i === 1 ? { ...s, change: () => (s.change(), org.fail(TEAM, teamSource, 'unauthorized')) } : s));
      const missing: FaultHook = (r) =>
        r.operation === PAGES && (r.input as { ConfigurationAggregatorName?: string }).ConfigurationAggregatorName === TEAM
          ? { error: { code: 'NoSuchConfigurationAggregatorException', message: 'The configuration aggregator does not exist.', status: 400 } }
          : undefined;
      // Act: through the whole tick of step 1, Config says org-team does not exist; it is back at step 2.
      const runs = await play(l, steps, (i) => (i === 1 ? { disarm: l.local.config.inject(missing), persist: true } : undefined));
      await followUp(l);
      // Assert: step 1's execution records and notifies the other two, and ends in AggregatorsFailed naming org-team.
      const step1 = runs[1];
      expect([step1?.status, step1?.error, step1?.cause, [...(step1?.recorded ?? [])].sort()]).toEqual(['FAILED', 'AggregatorsFailed', JSON.stringify([TEAM]), ['org-audit', MAIN]]);
      expect(step1?.invocations.every((i) => i.outcome.ok)).toBe(true);
      // MAIN's new failures are notified in step 1 itself, org-team's failing source only once it can be read.
      expect(step1?.published.flatMap(noticesIn).map((n) => `${n.aggregator} ${n.kind}`).sort()).toEqual([
        'org-main failure',
        'org-main failure',
        'org-main failure',
        'org-team monitor-error',
      ]);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
      expect(c.monitor.map((n) => `${n.aggregator} ${n.kind} ${n.subject}`)).toEqual([
        'org-team monitor-error NoSuchConfigurationAggregatorException',
        'org-team monitor-recovery ',
      ]);
      expect(c.published.get(`${TEAM} failure ${teamSource.sourceType ?? 'ACCOUNT'}#${teamSource.sourceId}#${teamSource.region}`)).toBe(1);
    });
  });
});

describe.concurrent('Config answers oddly', () => {
  it('missing optional fields, an unknown status, huge and non-ASCII messages, duplicates across pages: recorded as sent, every message valid', async () => {
    // Arrange
    const org = organization();
    type Six = [SourceRef, SourceRef, SourceRef, SourceRef, SourceRef, SourceRef];
    const [bare, paused, huge, german, japanese, mixed] = [3, 40, 70, 120, 170, 210].map((i) => healthyAt(org, MAIN, i)) as Six;
    org.set(MAIN, bare, { status: 'FAILED', lastUpdateTime: undefined, errorCode: undefined, errorMessage: undefined });
    org.set(MAIN, paused, { status: 'PAUSED', lastUpdateTime: undefined });
    org.fail(MAIN, huge, { errorCode: 'InternalFailure', errorMessage: `Stack:\n\t${'at aggregate (config.js:1:1) '.repeat(400)}END` });
    org.fail(MAIN, german, { errorCode: 'ZugriffVerweigert', errorMessage: 'Zugriff verweigert für Konto „Prüfung“ – Région été ½ €' });
    org.fail(MAIN, japanese, { errorCode: 'アクセス拒否', errorMessage: 'アグリゲータにはこのアカウントへのアクセス権がありません 🚫🔒' });
    org.fail(MAIN, mixed, { errorCode: 'Access\u0000Denied\u2028[x]{y}', errorMessage: 'العربية עברית\r\n\u0007bell ~^|\\ `quoted`' });
    // The most frequent code of the first digest, so that its SMS carries it: in GSM-7.
    for (const i of [20, 50, 90, 140, 190]) org.fail(MAIN, healthyAt(org, MAIN, i), { errorCode: 'アクセス拒否', errorMessage: 'アクセスが拒否されました' });
    await withLab({ org, aggregators: [MAIN] }, async (l) => {
      // Config repeats sources across pages (the list shifted under the read): pages 2 and 3 each open with the
      // previous page's last three entries.
      const previous: unknown[][] = [];
      const duplicate: FaultHook = (r) => {
        if (r.operation !== PAGES) return undefined;
        return {
          transform: (output) => {
            const o = output as { AggregatedSourceStatusList: unknown[] };
            const repeated = token(r.input) ? (previous.at(-1) ?? []).slice(-3) : [];
            previous.push(o.AggregatedSourceStatusList);
            return { ...o, AggregatedSourceStatusList: [...repeated, ...o.AggregatedSourceStatusList] };
          },
        };
      };
      // Act
      const runs = await play(l, story(org), (i) => (i === 0 ? { disarm: l.local.config.inject(duplicate) } : undefined));
      await followUp(l);
      // Assert
      expect(clean(runs)).toEqual(CLEAN(runs));
      // Reported where the staged pages are reconciled: per unit (shard), 6 in all.
      const reported = runs[0]?.invocations.flatMap((i) => i.logs).filter((g) => g.message?.startsWith('Config returned the same source more than once'));
      expect(sum((reported ?? []).map((g) => Number(g.duplicates)))).toBe(6);
      const c = await assertConverged(l);
      expect([c.duplicates, sum(c.atRisk.values())]).toEqual([0, 0]);
      const first = l.local.sns.published.find((m) => formatOf(m) === 'email');
      const email = first?.message ?? '';
      expect(email).toContain('Zugriff verweigert für Konto „Prüfung“ – Région été ½ €');
      expect(email).toContain('アグリゲータにはこのアカウントへのアクセス権がありません 🚫🔒');
      expect(email).toContain('Error code アクセス拒否');
      expect(email).toMatch(/message: {5}Stack: at aggregate .{500,}…\n/);
      expect(email).toContain('error code:  none reported');
      expect(email).toContain('last update: unknown');
      expect(first?.subject).toMatch(/^[\x20-\x7e]+$/);
      expect(l.local.sns.published.find((m) => formatOf(m) === 'sms')?.message).toMatch(/^org-main: \d+ new FAILED\. Top error: \?{6} \(6\)$/);
      const states = c.items.filter((i) => String(i.pk).startsWith('CUR#'));
      expect(states.find((s) => s.sourceId === paused.sourceId && s.region === paused.region)?.status).toBe('PAUSED');
      expect(states.find((s) => s.sourceId === huge.sourceId && s.region === huge.region)?.errorMessage).toHaveLength(
        `Stack:\n\t${'at aggregate (config.js:1:1) '.repeat(400)}END`.length,
      );
    });
  });
});
