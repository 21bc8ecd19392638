/** The shape of an aggregation function: per group state fed row by row, giving one or more output values. */
import type { Compiled, Env } from '../../engine/env.js';
import type { SNode } from '../../syntax/tree.js';
import type { KqlColumn } from '../../types.js';
import type { Row, V } from '../../values/value.js';

export interface AggState {
  add(r: Row): void;
  result(): V[];
}

export interface Aggregate {
  /** Number of output columns (arg_max(x, *) gives several). */
  readonly width: number;
  create(): AggState;
}

export interface AggArgs {
  readonly call: SNode;
  readonly nodes: SNode[];
  /** Compiled arguments (star arguments compile to undefined). */
  readonly args: (Compiled | undefined)[];
  readonly env: Env;
  readonly schema: readonly KqlColumn[];
}

export type AggregateImpl = (a: AggArgs) => Aggregate;

/** A single-value aggregate from a fold. */
export function fold<S>(init: () => S, step: (s: S, r: Row) => S, done: (s: S) => V): Aggregate {
  return {
    width: 1,
    create() {
      let s = init();
      return {
        add(r) {
          s = step(s, r);
        },
        result: () => [done(s)],
      };
    },
  };
}
