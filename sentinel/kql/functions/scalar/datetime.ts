/**
 * Date and time functions on the settable clock: now(), ago(), datetime_diff(), startofday()…, bin() on datetimes
 * (https://learn.microsoft.com/kusto/query/now-function, …/ago-function, …/datetime-diff-function).
 * Kusto fixes now() once per query; so does the engine (Env.now, from KqlContext.now).
 */
import { fail, unsupported } from '../../engine/env.js';
import type { ScalarImpl } from './registry.js';
import { strict } from './registry.js';

const DAY = 86_400_000;

/** Calendar periods between two datetimes: each truncated to the part, then counted (docs' definition). */
export function datetimeDiff(part: string, a: number, b: number): number | undefined {
  const da = new Date(a);
  const db = new Date(b);
  const months = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth();
  const trunc = (ms: number, unit: number) => Math.floor(ms / unit);
  switch (part.toLowerCase()) {
    case 'year':
      return da.getUTCFullYear() - db.getUTCFullYear();
    case 'quarter':
      return Math.floor(months(da) / 3) - Math.floor(months(db) / 3);
    case 'month':
      return months(da) - months(db);
    case 'week': {
      // weeks start on Sunday; 1970-01-01 was a Thursday
      const week = (ms: number) => Math.floor((Math.floor(ms / DAY) + 4) / 7);
      return week(a) - week(b);
    }
    case 'day':
      return trunc(a, DAY) - trunc(b, DAY);
    case 'hour':
      return trunc(a, 3_600_000) - trunc(b, 3_600_000);
    case 'minute':
      return trunc(a, 60_000) - trunc(b, 60_000);
    case 'second':
      return trunc(a, 1000) - trunc(b, 1000);
    case 'millisecond':
      return a - b;
    case 'microsecond':
      return (a - b) * 1000;
    case 'nanosecond':
      return (a - b) * 1_000_000;
    default:
      return undefined;
  }
}

const datetimeDiffFn: ScalarImpl = (a) => {
  const partNode = a.nodes[0]!;
  if (!partNode.kind.endsWith('LiteralExpression'))
    return unsupported('datetime_diff() with a computed part', partNode);
  const part = String(a.args[0]!({ values: [], ingestion: null }));
  if (datetimeDiff(part, 0, 0) === undefined)
    return fail(`datetime_diff(): unknown part '${part}'`, partNode);
  const [, x, y] = a.args;
  return (r) => {
    const va = x!(r);
    const vb = y!(r);
    if (va === null || vb === null) return null;
    return datetimeDiff(part, va as number, vb as number) ?? null;
  };
};

const startOf =
  (f: (d: Date) => number): ScalarImpl =>
  (a) => {
    if (a.args.length > 1) return unsupported('startof…() with an offset', a.nodes[1]!);
    return strict((v) => f(new Date(v as number)))(a);
  };

export const DATETIME: Record<string, ScalarImpl> = {
  now:
    ({ env, args }) =>
    (r) => {
      const off = args[0] ? args[0](r) : 0;
      return off === null ? null : env.now + (off as number);
    },
  ago:
    ({ env, args }) =>
    (r) => {
      const v = args[0]!(r);
      return v === null ? null : env.now - (v as number);
    },
  ingestion_time: () => (r) => r.ingestion,
  datetime_diff: datetimeDiffFn,
  startofday: startOf((d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())),
  startofmonth: startOf((d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)),
  startofyear: startOf((d) => Date.UTC(d.getUTCFullYear(), 0, 1)),
  startofweek: startOf((d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - d.getUTCDay())),
};
