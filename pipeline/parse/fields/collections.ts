/** Lists and objects in JSON records: case-insensitive keys, string lists, nested values. */
import { messageText, text } from './text.js';

/** Own property of a plain object, never something inherited through the prototype. */
export function own(o: object, key: string): unknown {
  return Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys lower-cased into a Map (no prototype, so `__proto__`/`constructor` keys are just data). */
export function lowerKeys(o: Record<string, unknown>): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const k of Object.keys(o)) {
    const lk = k.toLowerCase();
    if (!m.has(lk)) m.set(lk, o[k]);
  }
  return m;
}

/** Strings of an array, trimmed, empties and "Unknown" dropped; undefined when none remain. */
export function cleanList(items: readonly unknown[]): string[] | undefined {
  const out: string[] = [];
  for (const it of items) {
    const s = text(it);
    if (s !== undefined && !(s.length === 7 && s.toLowerCase() === 'unknown')) out.push(s);
  }
  return out.length > 0 ? out : undefined;
}

/**
 * A list that may arrive as an array, a JSON array string (`["T0843"]`) or a comma-separated string
 * (`ImpairProcessControl, Discovery`). Optional data: an unparseable JSON string degrades to the comma form.
 */
export function listOf(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return cleanList(v);
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(s);
      if (Array.isArray(parsed)) return cleanList(parsed);
    } catch {
      // fall through to the comma form
    }
    return cleanList(s.replace(/^\[|\]$/g, '').split(','));
  }
  return cleanList(s.split(','));
}

/** Like listOf but a plain string is one item (remediation steps are sentences with commas). */
export function stepsOf(v: unknown): string[] | undefined {
  if (typeof v === 'string' && !v.trim().startsWith('[')) {
    const s = messageText(v);
    return s === '' ? undefined : [s];
  }
  return listOf(v);
}
