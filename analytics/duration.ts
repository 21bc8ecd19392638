/**
 * Durations as Sentinel content writes them: the YAML short form (`5m`, `1h`, `1d`, `30s`) and ISO 8601 (`PT5M`,
 * `P1D`, `P2DT1H30M`). The ARM API wants ISO 8601, so {@link toIsoDuration} converts on packaging.
 */

const SHORT = /^(\d+)([smhd])$/;
const ISO = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds of a duration, or undefined when it is neither form (or zero-length ISO like `P`/`PT`). */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  const short = SHORT.exec(s);
  if (short) return Number(short[1]) * UNIT_MS[short[2] as keyof typeof UNIT_MS];
  const iso = ISO.exec(s.toUpperCase());
  if (!iso || s.toUpperCase() === 'P' || s.toUpperCase().endsWith('T')) return undefined;
  const [, d, h, m, sec] = iso;
  if (d === undefined && h === undefined && m === undefined && sec === undefined) return undefined;
  return (
    Number(d ?? 0) * UNIT_MS.d +
    Number(h ?? 0) * UNIT_MS.h +
    Number(m ?? 0) * UNIT_MS.m +
    Number(sec ?? 0) * 1000
  );
}

/** ISO 8601 form of a duration in ms: 300000 → `PT5M`, 86400000 → `P1D`, 90000000 → `P1DT1H`. */
export function toIsoDuration(ms: number): string {
  let rest = Math.round(ms / 1000);
  const d = Math.floor(rest / 86_400);
  rest -= d * 86_400;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  const time = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
  if (!d && !time) return 'PT0S';
  return `P${d ? `${d}D` : ''}${time ? `T${time}` : ''}`;
}

/** Human form for messages: 300000 → `5m`, 86400000 → `1d`, 5400000 → `90m`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', UNIT_MS.d],
    ['h', UNIT_MS.h],
    ['m', UNIT_MS.m],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms / 1000}s`;
}
