/**
 * The organization and the story the fault scenarios replay: small (a 240-source aggregator, three pages of 100,
 * and a 17-source one), and changing only in ways the fast path sees, so that the oracle's snapshots are exactly
 * what each run observes.
 */
import { SimulatedOrganization, type SourceRef } from '../../../tools/local/simulated-organization';
import type { Execution, Lab, TaskInvocation, TickOptions } from './lab';
import { T0, tick } from './lab';

export const MAIN = 'org-main';
export const TEAM = 'org-team';
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-east-1', 'sa-east-1'];

export function organization(options: { team?: boolean } = {}): SimulatedOrganization {
  const org = new SimulatedOrganization({ now: T0, seed: 7 });
  // 60 accounts x 4 regions: 240 sources, 3 pages; 8 FAILED in clusters, 2 OUTDATED.
  org.populate(MAIN, { accounts: 60, regions: REGIONS, seed: 7, unauthorizedAccounts: 1, optInDisabledAccounts: 2, recorderOff: 1, internal: 1, outdated: 2 });
  if (options.team) {
    org.addAggregator(TEAM, { kind: 'ORGANIZATION' });
    org.populate(TEAM, { accounts: 8, regions: ['us-east-1', 'eu-west-1'], seed: 8, firstAccountId: 200_000_000_000, internal: 1, outdated: 0 });
    org.addSource(TEAM, { sourceId: 'o-a1b2c3d4e5', sourceType: 'ORGANIZATION', region: 'us-east-1', status: 'SUCCEEDED', lastUpdateTime: T0 });
  }
  return org;
}

export interface Step {
  readonly at: string;
  readonly label: string;
  readonly change: () => void;
}

/** The first SUCCEEDED source of `aggregator` at or after list position `from`. */
export function healthyAt(org: SimulatedOrganization, aggregator: string, from: number): SourceRef {
  const sources = org.sources(aggregator);
  for (let i = from; i < sources.length; i++) {
    const s = sources[i];
    if (s && s.status === 'SUCCEEDED') return { sourceId: s.sourceId, sourceType: s.sourceType, region: s.region };
  }
  throw new Error(`no healthy source after ${from} in ${aggregator}`);
}

/**
 * Four scheduled runs, 15 minutes apart:
 * 0. first look (full sweep): 240 sources recorded, the 8 failing ones alerted;
 * 1. three sources fail (one on each page), one goes OUTDATED (fast path);
 * 2. one recovers, one fails with another error code, one leaves the aggregator (full sweep: the set shrank);
 * 3. nothing changes (fast path).
 */
export function story(org: SimulatedOrganization): Step[] {
  const [p1, p2, p3, outdated] = [10, 130, 235, 60].map((i) => healthyAt(org, MAIN, i)) as [SourceRef, SourceRef, SourceRef, SourceRef];
  return [
    { at: tick(0), label: 'first look', change: () => undefined },
    {
      at: tick(15),
      label: 'three sources fail, one goes OUTDATED',
      change: () => {
        org.fail(MAIN, p1, 'unauthorized');
        org.fail(MAIN, p2, 'recorderOff');
        org.fail(MAIN, p3, 'regionNotEnabled');
        org.outdate(MAIN, outdated);
      },
    },
    {
      at: tick(30),
      label: 'one recovers, one changes error code, one leaves',
      change: () => {
        org.recover(MAIN, p1);
        org.fail(MAIN, p2, 'internal');
        org.removeSource(MAIN, p3);
      },
    },
    { at: tick(45), label: 'quiet', change: () => undefined },
  ];
}

/** A clean run after the story (and its faults): what was owed is sent, nothing else changes. */
export const FOLLOW_UP = tick(60);

export interface Armed {
  /**
   * Removes the faults: once a Task invocation of the tick failed (the definition's Retry then runs clean, as the
   * old event-level retry did), or at the tick's end; with `persist`, only at the tick's end (every attempt faulty).
   */
  readonly disarm?: () => unknown;
  readonly persist?: boolean;
  /** Options of the tick (a kill point fires once: the retries run without it). */
  readonly options?: TickOptions;
}

/**
 * Plays steps of the story on the lab, one scheduled tick each: before each step `arm(step index)` may inject
 * faults (it returns what removes them, and may be async). Returns each step's execution.
 */
export async function play(
  lab: Lab,
  steps: readonly Step[],
  arm: (index: number) => Armed | undefined | Promise<Armed | undefined> = () => undefined,
): Promise<Execution[]> {
  const runs: Execution[] = [];
  for (const [index, step] of steps.entries()) {
    step.change();
    const armed = await arm(index);
    let disarmed = false;
    const disarm = async () => {
      if (disarmed) return;
      disarmed = true;
      await armed?.disarm?.();
    };
    const onInvocationEnd = armed?.persist ? undefined : async (inv: TaskInvocation) => (inv.outcome.ok ? undefined : disarm());
    runs.push(await lab.tick(step.at, { ...armed?.options, ...(onInvocationEnd ? { onInvocationEnd } : {}) }));
    await disarm();
  }
  return runs;
}

/** The clean run after the story and its faults. */
export async function followUp(lab: Lab): Promise<Execution> {
  const run = await lab.tick(FOLLOW_UP);
  if (run.status !== 'SUCCEEDED') throw new Error(`the clean follow-up run ended ${run.status}: ${run.error ?? ''} ${run.cause ?? ''}\n${describeExecution(run)}`);
  return run;
}

/** The Task invocations of an execution, one a line: state, outcome, error; for a failure message. */
export function describeExecution(run: Execution): string {
  return run.invocations
    .map((i) => `  ${i.state} ${i.killed ? 'KILLED' : i.outcome.ok ? 'ok' : `${i.outcome.error?.name ?? 'died'}: ${i.outcome.error?.message ?? ''}`}${i.cold ? ' (cold)' : ''}`)
    .join('\n');
}

/** Every Task of the execution succeeded at its first attempt, and the execution too. */
export const cleanRun = (run: Execution): [string, boolean] => [run.status, run.invocations.every((i) => i.outcome.ok)];
