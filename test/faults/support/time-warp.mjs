// Preloaded (node --import) into the handler's process by the scenarios that wait on the SDK's own clocks: the
// process runs on a clock TIME_WARP times faster. Timers fire that much sooner and Date.now() advances that much
// faster from the moment the process starts, so everything timed keeps its value and its ratios: the SDK's 30 s
// request timeout, its retry backoff (1 s base for throttling, 20 s cap), its adaptive rate limiter (which measures
// time with Date.now()), the store's backoff, and the Lambda deadline. A hang past the request timeout takes 1.5 s
// instead of 30 s at a factor of 20. The run's logical time is the event's, not the clock's.
const factor = Number(process.env.TIME_WARP ?? '1');
if (Number.isFinite(factor) && factor > 1) {
  const setTimeout = globalThis.setTimeout;
  globalThis.setTimeout = Object.assign(
    (callback, ms, ...args) => setTimeout(callback, typeof ms === 'number' ? ms / factor : ms, ...args),
    setTimeout,
  );
  const now = Date.now;
  const start = now();
  Date.now = () => start + (now() - start) * factor;
}
