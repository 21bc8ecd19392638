/**
 * IPv4 functions (https://learn.microsoft.com/kusto/query/ipv4-is-private-function,
 * …/ipv4-is-in-range-function, …/ipv4-is-in-any-range-function).
 */
import { toKqlString } from '../../values/format.js';
import type { V } from '../../values/value.js';
import type { ScalarImpl } from './registry.js';

/** The address as 4 octets (an optional /prefix is read separately), or undefined when not IPv4. */
export function parseIpv4(s: string): { octets: number[]; prefix: number } | undefined {
  const m = /^\s*(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?\s*$/.exec(s);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  const prefix = m[5] === undefined ? 32 : Number(m[5]);
  if (prefix > 32) return undefined;
  return { octets, prefix };
}

/** RFC 1918 ranges: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16; a prefix must lie wholly inside one. */
export function ipv4IsPrivate(s: string): boolean | null {
  const ip = parseIpv4(s);
  if (!ip) return null;
  const [a, b] = ip.octets as [number, number];
  if (a === 10) return ip.prefix >= 8;
  if (a === 172 && b >= 16 && b <= 31) return ip.prefix >= 12;
  if (a === 192 && b === 168) return ip.prefix >= 16;
  return false;
}

const toUint = (octets: number[]): number =>
  ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;

/** Whether `ip` lies in the `range` network (IP-prefix notation); null when either does not parse as IPv4. */
export function ipv4InRange(ip: string, range: string): boolean | null {
  const a = parseIpv4(ip);
  const r = parseIpv4(range);
  if (!a || !r) return null;
  const bits = Math.min(a.prefix, r.prefix);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (toUint(a.octets) & mask) >>> 0 === (toUint(r.octets) & mask) >>> 0;
}

/** ipv4_is_in_any_range(ip, range, …) or (ip, dynamic([ranges])): null as soon as a string does not parse. */
const inAnyRange: ScalarImpl =
  ({ args, nodes }) =>
  (r) => {
    const ip = args[0]!(r);
    if (typeof ip !== 'string') return null;
    const ranges: V[] = [];
    args.slice(1).forEach((a, i) => {
      const v = a(r);
      if (nodes[i + 1]!.type === 'dynamic' && Array.isArray(v)) ranges.push(...v);
      else ranges.push(v);
    });
    let hit = false;
    for (const range of ranges) {
      const res = ipv4InRange(ip, toKqlString(range, 'dynamic'));
      if (res === null) return null;
      hit ||= res;
    }
    return hit;
  };

export const NETWORK: Record<string, ScalarImpl> = {
  ipv4_is_in_any_range: inAnyRange,
  ipv4_is_in_range:
    ({ args: [a, b] }) =>
    (r) => {
      const ip = a!(r);
      const range = b!(r);
      return typeof ip === 'string' && typeof range === 'string' ? ipv4InRange(ip, range) : null;
    },
  ipv4_is_private:
    ({ args: [a] }) =>
    (r) => {
      const v = a!(r);
      return typeof v === 'string' ? ipv4IsPrivate(v) : null;
    },
};
