/** The shape of a scalar function implementation: it compiles a call from its compiled arguments. */
import type { Compiled, Env } from '../../engine/env.js';
import type { SNode } from '../../syntax/tree.js';
import type { KqlColumn } from '../../types.js';
import type { V } from '../../values/value.js';

export interface CallArgs {
  readonly call: SNode;
  /** The argument nodes (their `type` is the analyzer's static type). */
  readonly nodes: SNode[];
  readonly args: Compiled[];
  readonly env: Env;
  readonly schema: readonly KqlColumn[];
}

export type ScalarImpl = (a: CallArgs) => Compiled;

export type NonNull = NonNullable<V>;

/** A function of evaluated arguments where any null argument gives null. */
export function strict(f: (...vs: NonNull[]) => V): ScalarImpl {
  return ({ args }) =>
    (r) => {
      const vs: NonNull[] = [];
      for (const a of args) {
        const v = a(r);
        if (v === null) return null;
        vs.push(v);
      }
      return f(...vs);
    };
}
