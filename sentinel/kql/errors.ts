/** The engine's two errors: a construct it does not implement (never approximated), and a query that fails. */

/** 1-based line and column of a 0-based offset in `text`. */
export function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** A valid KQL construct (operator, function, parameter, literal form) the engine does not evaluate. */
export class KqlUnsupportedError extends Error {
  override readonly name = 'KqlUnsupportedError';
  constructor(
    readonly construct: string,
    readonly line: number,
    readonly column: number,
    detail?: string,
  ) {
    super(`unsupported KQL ${construct} at ${line}:${column}${detail ? `: ${detail}` : ''}`);
  }
}

/** The query does not compile (semantic errors, as Kusto would reject it) or fails while running. */
export class KqlRuntimeError extends Error {
  override readonly name = 'KqlRuntimeError';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} at ${line}:${column}`);
  }
}

/** Offset-located errors thrown inside the evaluator; runQuery turns them into the public errors with line:col. */
export class Unsupported extends Error {
  constructor(
    readonly construct: string,
    readonly offset: number,
    readonly detail?: string,
  ) {
    super(construct);
  }
}

export class Failure extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}
