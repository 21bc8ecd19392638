/** A generation failure with a message for a person (bad input files); anything else is a bug, shown with its stack. */
export class GenerateError extends Error {
  override name = 'GenerateError';
}

export function fail(message: string): never {
  throw new GenerateError(message);
}
