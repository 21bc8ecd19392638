/** IPv4 functions (https://learn.microsoft.com/kusto/query/ipv4-is-private-function). */
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

export const NETWORK: Record<string, ScalarImpl> = {
  ipv4_is_private:
    ({ args: [a] }) =>
    (r) => {
      const v = a!(r);
      return typeof v === 'string' ? ipv4IsPrivate(v) : null;
    },
};
