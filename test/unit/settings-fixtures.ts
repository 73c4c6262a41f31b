/** The topic ARN and the throw catcher the settings tests share. */

export const TOPIC = 'arn:aws:sns:us-east-1:123456789012:aggwatch-alerts';

/** Runs `fn` and returns what it threw (failing the test when it throws nothing). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}
