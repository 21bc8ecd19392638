/**
 * Dynamic (array/bag) functions (https://learn.microsoft.com/kusto/query/array-length-function,
 * …/pack-array-function, …/pack-function (bag_pack)).
 */
import { fail } from '../../engine/env.js';
import { toDynamic } from '../../values/format.js';
import type { V } from '../../values/value.js';
import type { ScalarImpl } from './registry.js';

export const DYNAMIC: Record<string, ScalarImpl> = {
  /** Number of elements of an array; null when the value is not an array. */
  array_length:
    ({ args: [a] }) =>
    (r) => {
      const v = a!(r);
      return Array.isArray(v) ? v.length : null;
    },
  pack_array:
    ({ args, nodes }) =>
    (r) =>
      args.map((a, i) => toDynamic(a(r), nodes[i]!.type)),
  /** bag_pack(k1, v1, …): keys must be strings. */
  bag_pack: ({ args, nodes, call }) => {
    if (args.length % 2) return fail('bag_pack() needs key/value pairs', call);
    return (r) => {
      const o: { [k: string]: V } = {};
      for (let i = 0; i < args.length; i += 2) {
        const k = args[i]!(r);
        if (typeof k !== 'string') return fail('bag_pack(): a key is not a string', nodes[i]!);
        o[k] = toDynamic(args[i + 1]!(r), nodes[i + 1]!.type);
      }
      return o;
    };
  },
};
DYNAMIC.pack = DYNAMIC.bag_pack!;
