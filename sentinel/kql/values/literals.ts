/** Literal tokens to engine values (https://learn.microsoft.com/kusto/query/scalar-data-types/). */
import type { V } from './value.js';

const UNIT_MS: Record<string, number> = {
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  ms: 1,
  milli: 1,
  millis: 1,
  millisecond: 1,
  milliseconds: 1,
  microsecond: 0.001,
  microseconds: 0.001,
  tick: 0.0001,
  ticks: 0.0001,
};

/** `type(inner)` -> inner; a bare literal unchanged. */
function inner(text: string): string {
  const m = /^[A-Za-z_]+\s*\(([\s\S]*)\)$/.exec(text.trim());
  return (m ? m[1]! : text).trim();
}

export const isNullLiteral = (text: string): boolean => inner(text) === 'null' && /\(/.test(text);

/** `1d`, `1.5h`, `30m`, `100ms`, `time(1.02:03:04.5)`, `timespan(2)` (days) -> milliseconds; undefined if not one. */
export function parseTimespan(text: string): number | undefined {
  const t = inner(text);
  if (t === 'null') return undefined;
  const u = /^(-?\d+(?:\.\d+)?)\s*([A-Za-z]+)$/.exec(t);
  if (u) {
    const f = UNIT_MS[u[2]!.toLowerCase()];
    return f === undefined ? undefined : Number(u[1]) * f;
  }
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t) * 86_400_000;
  const c = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/.exec(t);
  if (!c) return undefined;
  const ms =
    Number(c[2] ?? 0) * 86_400_000 +
    Number(c[3]) * 3_600_000 +
    Number(c[4]) * 60_000 +
    Number(c[5] ?? 0) * 1000 +
    (c[6] ? Number(`0.${c[6]}`) * 1000 : 0);
  return c[1] ? -ms : ms;
}

/** `datetime(2026-11-17)`, `datetime(2026-11-17 10:00:00.5)`, `datetime(…Z)`: UTC unless an offset is given. */
export function parseDatetime(text: string): number | null | undefined {
  const t = inner(text);
  if (t === 'null') return null;
  let iso = t.replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += 'T00:00:00';
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(iso)) iso += 'Z';
  iso = iso.replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

/** long/int/real/bool literal tokens (bare or `long(…)` form). */
export function parseScalar(text: string, type: string): V | undefined {
  const t = inner(text);
  if (t === 'null') return null;
  if (type === 'bool') return /^true$/i.test(t) ? true : /^false$/i.test(t) ? false : undefined;
  if (/^0x[0-9a-f]+$/i.test(t)) return Number.parseInt(t, 16);
  if (/^\+?inf$/i.test(t)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(t)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(t)) return Number.NaN;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}
