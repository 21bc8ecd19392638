/** One finding of the ARM validation, and how the CLI prints it. */
export interface Problem {
  /** File name relative to the validated directory (or the name given for an in-memory template). */
  file: string;
  /** JSON path inside the file, e.g. `$.resources[3].properties.name`. */
  path: string;
  message: string;
}

export const formatProblem = (p: Problem): string => `${p.file} ${p.path}: ${p.message}`;
