/**
 * The simulated truth the fake Config endpoint serves: configuration aggregators in one account and region,
 * each with its sources (account or organization, per region) and their sync status. Mutable between runs:
 * sources fail, recover, go OUTDATED, leave and join; `advanceTo` moves the clock (healthy sources keep syncing).
 *
 * Generation is deterministic for a seed, so a demo or a benchmark sees the same organization every time.
 * Error codes: AWS publishes no list of LastErrorCode values (the API types it as a string). The ones used here
 * are Config and AWS exception names matching the documented causes of a failing source (missing aggregation
 * authorization, opt-in region not enabled, no configuration recorder, organization access lost), plus one with
 * no known remediation.
 */

export interface SimulatedSource {
  sourceId: string;
  /** ACCOUNT or ORGANIZATION (any string is served as is). */
  sourceType: string;
  region: string;
  /** SUCCEEDED, FAILED or OUTDATED (any string is served as is). */
  status: string;
  /** ISO 8601; served as epoch seconds. */
  lastUpdateTime?: string;
  errorCode?: string;
  errorMessage?: string;
}

export interface SimulatedAggregator {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: string;
  /** ACCOUNT: AccountAggregationSources; ORGANIZATION: OrganizationAggregationSource. */
  readonly kind: 'ACCOUNT' | 'ORGANIZATION';
  /** Sources in the order the API lists them. */
  readonly sources: Map<string, SimulatedSource>;
}

export interface SourceRef {
  readonly sourceId: string;
  readonly region: string;
  /** Default ACCOUNT. */
  readonly sourceType?: string;
}

export interface Failure {
  readonly errorCode: string;
  readonly errorMessage: string;
}

export type FailureKind = 'unauthorized' | 'regionNotEnabled' | 'recorderOff' | 'organizationAccessDenied' | 'internal';

/** The 16 regions every account has, plus one opt-in region: 17. */
export const DEMO_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1',
  'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1', 'ap-southeast-2',
  'ap-east-1',
] as const;

export interface PopulateOptions {
  readonly accounts: number;
  readonly regions: readonly string[];
  /** PRNG seed: the same options and seed give the same organization. Default 1. */
  readonly seed?: number;
  /** First account id (12 digits); accounts are numbered from it. Default 100000000000. */
  readonly firstAccountId?: number;
  /** Accounts that never authorized the aggregator: FAILED in every region. Default 1 per 300 accounts. */
  readonly unauthorizedAccounts?: number;
  /** An opt-in region, FAILED for accounts that have not enabled it. Default: ap-east-1 if listed. */
  readonly optInRegion?: string;
  /** Accounts without the opt-in region enabled. Default 1 per 60 accounts. */
  readonly optInDisabledAccounts?: number;
  /** Single sources whose configuration recorder is off. Default 1 per 1,250 sources. */
  readonly recorderOff?: number;
  /** Single sources failing with an error code no hint knows. Default 1 per 5,000 sources (at least 1). */
  readonly internal?: number;
  /** Sources OUTDATED. Default 1 per 200 sources. */
  readonly outdated?: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export class SimulatedOrganization {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** The simulation's clock: what "now" is for the sources (ISO 8601). */
  now: string;
  private readonly aggregators = new Map<string, SimulatedAggregator>();
  private random: () => number;

  constructor(options: { accountId?: string; region?: string; partition?: string; now?: string; seed?: number } = {}) {
    this.accountId = options.accountId ?? '123456789012';
    this.region = options.region ?? 'us-east-1';
    this.partition = options.partition ?? 'aws';
    this.now = new Date(options.now ?? Date.now()).toISOString();
    this.random = mulberry32(options.seed ?? 1);
  }

  // ---- aggregators ----------------------------------------------------------------------------------------

  addAggregator(name: string, options: { kind?: 'ACCOUNT' | 'ORGANIZATION'; sources?: readonly SimulatedSource[] } = {}): SimulatedAggregator {
    if (this.aggregators.has(name)) throw new Error(`aggregator ${name} already exists`);
    const aggregator: SimulatedAggregator = {
      name,
      // Real ARNs carry a generated id, not the name: config-aggregator/config-aggregator-<8 chars>.
      arn: `arn:${this.partition}:config:${this.region}:${this.accountId}:config-aggregator/config-aggregator-${idFor(name)}`,
      createdAt: new Date(Date.parse(this.now) - 90 * DAY_MS).toISOString(),
      kind: options.kind ?? 'ACCOUNT',
      sources: new Map(),
    };
    this.aggregators.set(name, aggregator);
    for (const s of options.sources ?? []) this.addSource(name, s);
    return aggregator;
  }

  removeAggregator(name: string): void {
    this.aggregators.delete(name);
  }

  aggregator(name: string): SimulatedAggregator | undefined {
    return this.aggregators.get(name);
  }

  aggregatorNames(): string[] {
    return [...this.aggregators.keys()];
  }

  // ---- sources ---------------------------------------------------------------------------------------------

  /** The sources in API order (a copy of each, so callers cannot change the model by accident). */
  sources(aggregator: string): SimulatedSource[] {
    return [...this.require(aggregator).sources.values()].map((s) => ({ ...s }));
  }

  source(aggregator: string, ref: SourceRef): SimulatedSource {
    const s = this.require(aggregator).sources.get(refKey(ref));
    if (!s) throw new Error(`aggregator ${aggregator} has no source ${refKey(ref)}`);
    return { ...s };
  }

  addSource(aggregator: string, source: SimulatedSource): void {
    const sources = this.require(aggregator).sources;
    const key = refKey(source);
    if (sources.has(key)) throw new Error(`aggregator ${aggregator} already has source ${key}`);
    sources.set(key, { ...source });
  }

  /** The source leaves the aggregator (account left the organization, region removed). */
  removeSource(aggregator: string, ref: SourceRef): void {
    if (!this.require(aggregator).sources.delete(refKey(ref))) throw new Error(`aggregator ${aggregator} has no source ${refKey(ref)}`);
  }

  /** The source fails: with a failure of a kind (message written for the source) or a given code and message. */
  fail(aggregator: string, ref: SourceRef, failure: FailureKind | Failure = 'unauthorized'): void {
    this.update(aggregator, ref, (s) => {
      const f = typeof failure === 'string' ? this.failure(failure, s) : failure;
      s.status = 'FAILED';
      s.errorCode = f.errorCode;
      s.errorMessage = f.errorMessage;
    });
  }

  /** The source's aggregated data is no longer the most recent (its last update stays where it was). */
  outdate(aggregator: string, ref: SourceRef): void {
    this.update(aggregator, ref, (s) => {
      s.status = 'OUTDATED';
      delete s.errorCode;
      delete s.errorMessage;
    });
  }

  /** The source syncs again. */
  recover(aggregator: string, ref: SourceRef): void {
    this.update(aggregator, ref, (s) => {
      s.status = 'SUCCEEDED';
      s.lastUpdateTime = this.now;
      delete s.errorCode;
      delete s.errorMessage;
    });
  }

  /** Changes a source's fields directly (for odd cases: unknown statuses, missing fields). */
  set(aggregator: string, ref: SourceRef, change: Partial<SimulatedSource>): void {
    this.update(aggregator, ref, (s) => Object.assign(s, change));
  }

  /** Moves the clock; SUCCEEDED sources keep syncing, so their last update follows it (minutes behind). */
  advanceTo(at: string | Date): void {
    const now = new Date(at).getTime();
    this.now = new Date(now).toISOString();
    for (const aggregator of this.aggregators.values()) {
      for (const s of aggregator.sources.values()) {
        if (s.status === 'SUCCEEDED') s.lastUpdateTime = new Date(now - Math.floor(this.random() * 15 * 60_000)).toISOString();
      }
    }
  }

  counts(aggregator: string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const s of this.require(aggregator).sources.values()) counts[s.status] = (counts[s.status] ?? 0) + 1;
    return counts;
  }

  inStatus(aggregator: string, status: string): SimulatedSource[] {
    return this.sources(aggregator).filter((s) => s.status === status);
  }

  /** A failure of a kind, with the message Config would give for this source. */
  failure(kind: FailureKind, s: SourceRef): Failure {
    const where = `account ${s.sourceId} in ${s.region}`;
    switch (kind) {
      case 'unauthorized':
        return {
          errorCode: 'AccessDeniedException',
          errorMessage: `The aggregator account ${this.accountId} (${this.region}) is not authorized to aggregate data from ${where}. Add an aggregation authorization in the source account and region.`,
        };
      case 'regionNotEnabled':
        return {
          errorCode: 'OptInRequired',
          errorMessage: `The region ${s.region} is not enabled for account ${s.sourceId}.`,
        };
      case 'recorderOff':
        return {
          errorCode: 'NoAvailableConfigurationRecorderException',
          errorMessage: `There is no configuration recorder in ${where}: AWS Config is not recording there.`,
        };
      case 'organizationAccessDenied':
        return {
          errorCode: 'OrganizationAccessDeniedException',
          errorMessage: 'The aggregator cannot call AWS Organizations: the account is no longer the management account or a delegated administrator.',
        };
      case 'internal':
        return {
          errorCode: 'InternalFailure',
          errorMessage: `An internal error occurred while aggregating data from ${where}.`,
        };
    }
  }

  /**
   * Fills an aggregator with `accounts` x `regions` ACCOUNT sources, deterministically for the seed: mostly
   * SUCCEEDED, with realistic failure clusters (an account that never authorized the aggregator fails in every
   * region; accounts without the opt-in region fail there; a few recorders are off) and some OUTDATED sources.
   */
  populate(aggregator: string, options: PopulateOptions): SimulatedSource[] {
    if (!this.aggregators.has(aggregator)) this.addAggregator(aggregator);
    const random = mulberry32(options.seed ?? 1);
    const first = options.firstAccountId ?? 100_000_000_000;
    const accounts = Array.from({ length: options.accounts }, (_, i) => String(first + i).padStart(12, '0'));
    const total = accounts.length * options.regions.length;
    const now = Date.parse(this.now);

    const added: SimulatedSource[] = [];
    for (const sourceId of accounts) {
      for (const region of options.regions) {
        const source: SimulatedSource = {
          sourceId,
          sourceType: 'ACCOUNT',
          region,
          status: 'SUCCEEDED',
          lastUpdateTime: new Date(now - Math.floor(random() * 15 * 60_000)).toISOString(),
        };
        this.addSource(aggregator, source);
        added.push(source);
      }
    }

    const pick = <T>(items: readonly T[], n: number): T[] => {
      const pool = [...items];
      const out: T[] = [];
      while (out.length < n && pool.length > 0) out.push(pool.splice(Math.floor(random() * pool.length), 1)[0] as T);
      return out;
    };
    const healthy = () => this.sources(aggregator).filter((s) => s.status === 'SUCCEEDED');
    const since = (maxDays: number) => new Date(now - Math.floor((1 + random() * (maxDays * 24 - 1)) * HOUR_MS)).toISOString();

    for (const sourceId of pick(accounts, options.unauthorizedAccounts ?? Math.floor(accounts.length / 300))) {
      const lastUpdateTime = since(10);
      for (const region of options.regions) {
        this.fail(aggregator, { sourceId, region }, 'unauthorized');
        this.set(aggregator, { sourceId, region }, { lastUpdateTime });
      }
    }
    const optIn = options.optInRegion ?? (options.regions.includes('ap-east-1') ? 'ap-east-1' : undefined);
    if (optIn !== undefined) {
      const candidates = accounts.filter((a) => this.source(aggregator, { sourceId: a, region: optIn }).status === 'SUCCEEDED');
      for (const sourceId of pick(candidates, options.optInDisabledAccounts ?? Math.floor(accounts.length / 60))) {
        this.fail(aggregator, { sourceId, region: optIn }, 'regionNotEnabled');
        this.set(aggregator, { sourceId, region: optIn }, { lastUpdateTime: since(30) });
      }
    }
    for (const s of pick(healthy(), options.recorderOff ?? Math.floor(total / 1_250))) {
      this.fail(aggregator, s, 'recorderOff');
      this.set(aggregator, s, { lastUpdateTime: since(5) });
    }
    for (const s of pick(healthy(), options.internal ?? Math.max(1, Math.floor(total / 5_000)))) {
      this.fail(aggregator, s, 'internal');
      this.set(aggregator, s, { lastUpdateTime: since(2) });
    }
    for (const s of pick(healthy(), options.outdated ?? Math.floor(total / 200))) {
      this.outdate(aggregator, s);
      this.set(aggregator, s, { lastUpdateTime: new Date(now - Math.floor((2 + random() * 28) * HOUR_MS)).toISOString() });
    }
    return this.sources(aggregator);
  }

  private update(aggregator: string, ref: SourceRef, change: (s: SimulatedSource) => void): void {
    const s = this.require(aggregator).sources.get(refKey(ref));
    if (!s) throw new Error(`aggregator ${aggregator} has no source ${refKey(ref)}`);
    change(s);
  }

  private require(name: string): SimulatedAggregator {
    const a = this.aggregators.get(name);
    if (!a) throw new Error(`no aggregator ${name} in the simulated organization`);
    return a;
  }
}

export function refKey(ref: SourceRef): string {
  return `${ref.sourceType ?? 'ACCOUNT'}#${ref.sourceId}#${ref.region}`;
}

/** A small fast deterministic PRNG (mulberry32): uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Eight lowercase letters and digits derived from the name: stable ARNs across runs. */
function idFor(name: string): string {
  const random = mulberry32([...name].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16_777_619) >>> 0, 2_166_136_261));
  return Array.from({ length: 8 }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(random() * 36)]).join('');
}
