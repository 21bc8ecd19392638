/**
 * What a parser hands on (a Draft), its options, and text cleanup: trimming, clipping to the model's limits,
 * quoting a record's text inside a failure reason. Pure and allocation-light: it runs once per field of every record.
 */
import type { OtAlertInput } from '../../model/alert.js';

/** What a format parser hands to `parseRecord`, before the schema has validated it. */
export type Draft = { ok: true; alert: OtAlertInput } | { ok: false; reason: string };

/** Options every parser may need; all optional so tests and callers stay simple. */
export interface ParseOptions {
  /** Reference clock (epoch ms) used only to infer the year of year-less syslog dates. Default: Date.now(). */
  now?: number;
  /**
   * When the record itself carries no time at all (syslog text without header), use this instead
   * (e.g. the Event Hubs enqueued time). Never used to replace a time that is present but invalid.
   */
  receivedAt?: string;
}

export const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** Limits of the canonical model; values above them are clipped rather than losing the alert. */
export const MAX_TEXT = 1024;
export const MAX_MESSAGE = 65536;
export const MAX_URI = 2048;

/** Values vendors use for "nothing here". */
export function isNil(s: string): boolean {
  if (s.length > 4) return false;
  const l = s.toLowerCase();
  return l === '' || l === 'n/a' || l === 'na' || l === '-' || l === 'null' || l === 'none';
}

/** Trimmed non-empty text (numbers are stringified), clipped to `max`; otherwise undefined. */
export function text(v: unknown, max = MAX_TEXT): string | undefined {
  let s: string;
  if (typeof v === 'string') s = v.trim();
  else if (typeof v === 'number' && Number.isFinite(v)) s = String(v);
  else return undefined;
  if (isNil(s)) return undefined;
  return s.length > max ? s.slice(0, max).trimEnd() : s;
}

/** Message text: keeps inner whitespace, clips to the model's limit, '' when absent. */
export function messageText(v: unknown): string {
  if (typeof v !== 'string') return '';
  const s = v.trim();
  return s.length > MAX_MESSAGE ? s.slice(0, MAX_MESSAGE) : s;
}

/** A record's own text inside a failure reason: one line, at most `max` characters (the record is 1 MiB). */
export function inReason(v: string, max = 100): string {
  const s = v.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

/** Quote a raw value for a failure reason, short enough to stay readable. */
export function quote(v: unknown): string {
  let s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  if (s.length > 60) s = `${s.slice(0, 57)}...`;
  return JSON.stringify(s);
}
