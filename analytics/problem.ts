import { relative } from 'node:path';

/**
 * One finding of `ot-soc validate`, for content (rules, hunting queries, workbooks: a line and column in the YAML
 * or JSON source) and for ARM templates (a JSON path in the template), printed by one formatProblem.
 */
export interface Problem {
  /** The file: absolute, or relative to the validated directory. */
  readonly file: string;
  readonly message: string;
  /** 1-based line and column in the source (content). */
  readonly line?: number;
  readonly col?: number;
  /** JSON path inside the file, e.g. `$.resources[3].properties.name` (ARM templates). */
  readonly path?: string;
}

/** `file:line:col: message` or `file $.path: message`, the file relative to `cwd` when inside it. */
export function formatProblem(p: Problem, cwd: string = process.cwd()): string {
  const rel = relative(cwd, p.file);
  const file = rel && !rel.startsWith('..') ? rel : p.file;
  return p.path !== undefined
    ? `${file} ${p.path}: ${p.message}`
    : `${file}:${p.line ?? 1}:${p.col ?? 1}: ${p.message}`;
}
