/** A mistake in how the command was called (bad argument, unreadable file): message and exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
