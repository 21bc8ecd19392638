import { isIP } from 'node:net';
import { memoize } from './memoize.js';

/**
 * The canonical text of an IP literal, or undefined when `s` is not one. One device has one identity, so IPv6 is
 * written in the RFC 5952 form (lower case, leading zeros dropped, the longest run of zero groups as `::`):
 * `2001:DB8:0:0::1` and `2001:db8::1` are the same address. The WHATWG URL host serializer implements exactly that
 * compression, so Node's own URL does the work. An IPv4-mapped address is written with a dotted tail (RFC 5952 §5)
 * however it came, and a zone index (`fe80::1%eth0`, which URL hosts cannot carry) is kept as written.
 */
export function canonicalIp(s: string): string | undefined {
  const t = s.trim();
  const kind = isIP(t);
  if (kind === 4) return t;
  if (kind === 6) return canonicalIpv6(t);
  return undefined;
}

const MAPPED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

const canonicalIpv6 = memoize((t) => {
  const zoneAt = t.indexOf('%');
  const [addr, zone] = zoneAt < 0 ? [t, ''] : [t.slice(0, zoneAt), t.slice(zoneAt)];
  const host = new URL(`http://[${addr}]/`).hostname.slice(1, -1);
  const mapped = MAPPED.exec(host);
  if (!mapped) return host + zone;
  const [hi, lo] = [Number.parseInt(mapped[1]!, 16), Number.parseInt(mapped[2]!, 16)];
  return `::ffff:${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}${zone}`;
});
