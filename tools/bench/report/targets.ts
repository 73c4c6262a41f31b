/** The targets (#13, Benchmark), as numbers the verdicts compare with. */
export const TARGETS = {
  /** A later full sweep of one aggregator: execution wall time over the bare paging loop. */
  sweepRatio: 1.25,
  sweepRatioSize: 100_000,
  latencyMs: 50,
  /** Aggregators read in parallel: the read phase over one aggregator's bare read. */
  manyRatio: 1.2,
  peakWritesPerKey: 1_000,
  /** Peak RSS of every invocation, whatever the organization's size. */
  rssMb: 256,
  bundleBytes: 1_000_000,
  initMs: 150,
  /** Under a Config quota of R req/s, a full read of N sources within this many times N/(100 R) s (seeded). */
  quotaRatio: 1.1,
} as const;
