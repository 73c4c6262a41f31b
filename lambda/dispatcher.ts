/**
 * STUB, so that the stack bundles a dispatcher: the real one (starting one execution of the run's state machine per
 * scheduled tick, lambda/dispatch.ts) is written on the `dispatcher` branch and replaces this file when merged.
 * It fails every invocation loudly rather than pretend to start a run.
 */
export const handler = async (): Promise<never> => {
  throw new Error('lambda/dispatcher.ts is a stub: merge the dispatcher branch before deploying');
};
