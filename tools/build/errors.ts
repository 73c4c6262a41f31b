/** A build step failed: the message says which part and why. */
export class BuildError extends Error {
  override readonly name = 'BuildError';
}
