/** tostring() and dynamic packing of engine values, per type (https://learn.microsoft.com/kusto/query/tostring-function). */
import type { V } from './value.js';

const pad = (n: number, w = 2) => String(Math.trunc(n)).padStart(w, '0');

/** ISO 8601 UTC as Kusto prints datetimes: 7 fractional digits when the value has a fraction, none otherwise. */
export function formatDatetime(ms: number): string {
  const d = new Date(ms);
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const frac = d.getUTCMilliseconds();
  return frac ? `${base}.${pad(frac, 3)}0000Z` : `${base}Z`;
}

/** `[-][d.]hh:mm:ss[.fffffff]` as Kusto prints timespans. */
export function formatTimespan(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const days = Math.floor(rest / 86_400_000);
  rest -= days * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  const frac = Math.round((rest - s * 1000) * 10_000);
  return `${sign}${days ? `${days}.` : ''}${pad(h)}:${pad(m)}:${pad(s)}${frac ? `.${String(frac).padStart(7, '0')}` : ''}`;
}

export function formatReal(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return 'Infinity';
  if (n === Number.NEGATIVE_INFINITY) return '-Infinity';
  return String(n);
}

/** tostring(v) for a value of static type `type`; null -> "". */
export function toKqlString(v: V, type: string | undefined): string {
  if (v === null) return '';
  switch (type) {
    case 'datetime':
      return formatDatetime(v as number);
    case 'timespan':
      return formatTimespan(v as number);
    case 'real':
    case 'decimal':
      return formatReal(v as number);
    case 'dynamic':
      return typeof v === 'string' ? v : JSON.stringify(v);
    default:
      return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

/** A value of static type `type` as a dynamic (JSON) value: datetimes and timespans become their strings. */
export function toDynamic(v: V, type: string | undefined): V {
  if (v === null) return null;
  if (type === 'datetime') return formatDatetime(v as number);
  if (type === 'timespan') return formatTimespan(v as number);
  return v;
}
