/** The targets for one run of the monitor, as numbers the verdicts and the capacity model compare with. */
export const TARGETS = {
  sweepRatio: 1.25,
  sweepRatioSize: 100_000,
  sweepRatioLatencyMs: 50,
  peakWritesPerKey: 1_000,
  rssMb: 256,
  bundleBytes: 1_000_000,
  initMs: 150,
  headroom: 2,
  headroomLatencyMs: 150,
  largeSize: 100_000,
  /** Under a Config quota of R req/s, a full read of N sources within this many times N/(100 R) s (seeded). */
  quotaRatio: 1.1,
} as const;
