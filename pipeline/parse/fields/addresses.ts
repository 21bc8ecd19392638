/** IP and MAC detection in vendor fields: one canonical text per address. */
import type { Device } from '../../model/alert.js';
import { canonicalIp } from '../../util/ip.js';
import { memoize } from '../../util/memoize.js';
import { text } from './text.js';

export const MAC_DOTTED = /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i;
export const MAC_BARE = /^[0-9a-f]{12}$/i;

/** 0 = not hex, 1 = lower-case hex digit, 2 = upper-case A–F. */
export function hexKind(c: number): number {
  if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) return 1;
  return c >= 65 && c <= 70 ? 2 : 0;
}

/** Canonical MAC form `aa:bb:cc:dd:ee:ff`, or undefined when `s` is not a MAC address. */
export function normalizeMac(s: string): string | undefined {
  const len = s.length;
  if (len === 17) {
    // Hand-rolled: this runs for every device address of every record.
    const sep = s.charCodeAt(2);
    if (sep !== 58 && sep !== 45) return undefined;
    let upper = false;
    for (let i = 0; i < 17; i++) {
      const c = s.charCodeAt(i);
      if (i % 3 === 2) {
        if (c !== sep) return undefined;
      } else {
        const k = hexKind(c);
        if (k === 0) return undefined;
        if (k === 2) upper = true;
      }
    }
    if (sep === 58 && !upper) return s;
    return canonicalMac(s);
  }
  if (len === 14 && MAC_DOTTED.test(s)) return pairs(s.replaceAll('.', ''));
  if (len === 12 && MAC_BARE.test(s)) return pairs(s);
  return undefined;
}

/**
 * `00-1B-2C-3D-4E-5F` → `00:1b:2c:3d:4e:5f` for a string already checked to be a 17-char MAC. Memoised: a plant
 * has a bounded set of devices, their MACs recur on every record, and rebuilding them costs ~1 µs each.
 */
export const canonicalMac = memoize((s) => {
  const l = s.toLowerCase();
  return `${l.slice(0, 2)}:${l.slice(3, 5)}:${l.slice(6, 8)}:${l.slice(9, 11)}:${l.slice(12, 14)}:${l.slice(15, 17)}`;
});

export function pairs(hex: string): string {
  const h = hex.toLowerCase();
  return `${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}:${h.slice(6, 8)}:${h.slice(8, 10)}:${h.slice(10, 12)}`;
}

/** IPv4/IPv6 literal in its canonical form (one text per address, see canonicalIp), or undefined. */
export function ipOf(s: string): string | undefined {
  // Neither a dot nor a colon: no IP literal (saves node's IPv6 regex on names and numeric device ids).
  if (s.indexOf('.') < 0 && s.indexOf(':') < 0) return undefined;
  return canonicalIp(s);
}

/**
 * Put an "address" (IP or MAC, the API does not say which) into the right slot of `d`.
 * Returns false when the value is neither, so callers can treat it as a name.
 */
export function assignAddress(d: Device, v: unknown): boolean {
  const s = text(v);
  if (s === undefined) return false;
  // MAC shape first: it is a cheap character check, while isIP on a MAC runs the IPv6 regex.
  const mac = normalizeMac(s);
  if (mac !== undefined) {
    d.mac ??= mac;
    return true;
  }
  const ip = ipOf(s);
  if (ip !== undefined) {
    d.ip ??= ip;
    return true;
  }
  return false;
}

/** A field documented as "IP or name" (syslog text `Source`): address when it is one, otherwise the name. */
export function assignAddressOrName(d: Device, v: unknown): void {
  if (!assignAddress(d, v)) {
    const s = text(v);
    if (s !== undefined) d.name ??= s;
  }
}

/** Numeric sensor device id; 0 means "no device" in the management console API. */
export function deviceIdOf(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? String(v) : undefined;
  const s = text(v);
  return s === undefined || s === '0' ? undefined : s;
}
