// Value readers for the playbooks' facts (facts.ts): custom details are arrays of strings, rows are scalars or
// dynamic, entities camelCase, and any of them may hold JSON text.

import { BlockList, isIP } from 'node:net';

export function parseMaybeJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!(t.startsWith('[') || t.startsWith('{'))) return v;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return v;
  }
}

/** Every scalar inside a value, as trimmed non-empty strings. */
export function strings(v: unknown): string[] {
  const x = parseMaybeJson(v);
  if (x === null || x === undefined) return [];
  if (Array.isArray(x)) return x.flatMap(strings);
  if (typeof x === 'object') return [];
  const s = String(x).trim();
  return s ? [s] : [];
}

export const firstString = (v: unknown): string | undefined => strings(v)[0];

export function firstNumber(v: unknown): number | undefined {
  // "1800", "L1", "Level 1", "3.5": the first number in each value.
  const nums = strings(v)
    .map((s) => Number(/-?\d+(?:\.\d+)?/.exec(s)?.[0] ?? Number.NaN))
    .filter((n) => Number.isFinite(n));
  return nums.length ? Math.max(...nums) : undefined;
}

export function firstBool(v: unknown): boolean | undefined {
  const s = firstString(v)?.toLowerCase();
  return s === 'true' ? true : s === 'false' ? false : undefined;
}

/** Case-insensitive property read (Sentinel spells the same key `SensorId`, `sensorId`, …). */
export function pick(o: Record<string, unknown> | null | undefined, ...keys: string[]): unknown {
  if (!o) return undefined;
  for (const k of keys) if (o[k] !== undefined) return o[k];
  const lower = new Map(Object.keys(o).map((k) => [k.toLowerCase(), k]));
  for (const k of keys) {
    const real = lower.get(k.toLowerCase());
    if (real !== undefined) return o[real];
  }
  return undefined;
}

export const uniq = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];

const TECHNIQUE = /^T0\d{3}$/;
export const techniqueIds = (v: unknown): string[] =>
  uniq(strings(v).flatMap((s) => s.toUpperCase().match(/T0\d{3}\b/g) ?? [])).filter((id) =>
    TECHNIQUE.test(id),
  );

/** Escalations arrive as [{rule, reason}], as rule names, or as a JSON string of either. */
export function escalationRules(v: unknown): string[] {
  const x = parseMaybeJson(v);
  const list = Array.isArray(x) ? x : x === undefined || x === null ? [] : [x];
  return uniq(
    list.flatMap((e) => {
      const y = parseMaybeJson(e);
      if (Array.isArray(y)) return escalationRules(y);
      if (y && typeof y === 'object') return strings((y as { rule?: unknown }).rule);
      return strings(y);
    }),
  );
}

/**
 * The escalations as sentences: the alerts' custom detail carries the reasons joined by " | " ("Firmware change at
 * 23:21 Europe/Amsterdam (Sat …), outside working hours …"), the OTAlerts_CL rows the rule names
 * ("OutsideWorkingHours"); the names are shown only when no reason is known.
 */
export function escalationLines(escalations: readonly string[]): string[] {
  const all = [...new Set(escalations.flatMap((e) => e.split(' | ')).map((e) => e.trim()))].filter(Boolean);
  const reasons = all.filter((e) => !/^[A-Za-z]+$/.test(e));
  return reasons.length ? reasons : all;
}

const CRITICALITY_RANK: Record<string, number> = { low: 1, medium: 2, high: 3, critical: 4 };
export const criticalityRank = (c: string | undefined): number =>
  c && Object.hasOwn(CRITICALITY_RANK, c.toLowerCase()) ? CRITICALITY_RANK[c.toLowerCase()]! : 0;

/** Defender for IoT importance (Low/Normal/High) as our criticality scale. */
export function criticalityOfImportance(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const s = v.toLowerCase();
  return s === 'high' ? 'High' : s === 'normal' ? 'Medium' : s === 'low' ? 'Low' : undefined;
}

/** Defender for IoT Purdue layers as levels (an approximation: Process Control ≈ L1, Supervisory ≈ L2). */
export function purdueOfLayer(v: unknown): number | undefined {
  const s = firstString(v)
    ?.toLowerCase()
    .replace(/[\s_-]/g, '');
  if (!s) return undefined;
  if (s === 'processcontrol') return 1;
  if (s === 'supervisory') return 2;
  if (s === 'enterprise') return 4;
  return firstNumber(s);
}

/** Addresses that are not on the internet: private, shared (CGNAT), loopback, link-local, multicast, reserved. */
const NOT_INTERNET = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NOT_INTERNET.addSubnet(net, bits, 'ipv4');
// (not ::/8: Node checks an IPv4 address against the IPv6 rules too, as ::ffff:a.b.c.d)
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  NOT_INTERNET.addSubnet(net, bits, 'ipv6');

/** True for a public unicast address: an OT device talking to one is talking to the internet. */
export function isInternetAddress(ip: string | undefined): boolean {
  const family = ip ? isIP(ip) : 0;
  if (!ip || !family) return false;
  return !NOT_INTERNET.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** The object without its undefined properties (in place): facts compare and print without empty keys. */
export function strip<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
