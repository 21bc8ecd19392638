/** toscalar(): the first column of the first row (null for an empty result). */
import type { Table, V } from '../values/value.js';

export function firstScalar(t: Table): V {
  return t.rows[0]?.values[0] ?? null;
}
