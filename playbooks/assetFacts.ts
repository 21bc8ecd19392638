/**
 * The devices of an incident as the card, the ticket and the reassign-ot comment list them: each device once (its
 * records merged), in the order a reader needs them, and one line each.
 */
import {
  criticalityOfImportance,
  criticalityRank,
  firstString,
  isInternetAddress,
  parseMaybeJson,
  pick,
  purdueOfLayer,
  strip,
} from './factValues.js';
import type { TriggerEntity } from './payload.js';

export interface AssetFacts {
  /** How the incident's alerts name it: a device of a worm's hops is both. */
  role: 'source' | 'destination' | 'source and destination' | 'device';
  name?: string;
  type?: string;
  ip?: string;
  purdueLevel?: number;
  criticality?: string;
  owner?: string;
  otTeam?: string;
  /** Defender for IoT device page (validated before it reaches a card). */
  link?: string;
}

/**
 * One device as the card, the ticket and the reassign-ot comment give it: "RTM-UTL-PLC-01 (destination)", then
 * `separator` and what is known of it ("PLC, Purdue L1, criticality High, 10.10.3.21"); a device known by its
 * address alone is named by it, once, with nothing after.
 */
export function assetSummary(a: AssetFacts, o: { owner: boolean; separator: string }): string {
  const details = [
    a.type,
    a.purdueLevel !== undefined ? `Purdue L${a.purdueLevel}` : undefined,
    a.criticality ? `criticality ${a.criticality}` : undefined,
    a.name ? a.ip : undefined,
    o.owner && a.owner ? `owner ${a.owner}` : undefined,
  ].filter(Boolean);
  const notes = [a.role === 'device' ? undefined : a.role, isInternetAddress(a.ip) ? 'internet' : undefined];
  const said = notes.filter(Boolean).join(', ');
  const label = `${a.name ?? a.ip ?? 'unknown device'}${said ? ` (${said})` : ''}`;
  return details.length ? `${label}${o.separator}${details.join(', ')}` : label;
}

/** An IoTDevice entity as an asset. */
export function entityAsset(e: TriggerEntity): AssetFacts | undefined {
  if (e.kind.toLowerCase() !== 'iotdevice') return undefined;
  const p = (e.properties ?? {}) as Record<string, unknown>;
  const extra = (parseMaybeJson(pick(p, 'additionalData')) ?? {}) as Record<string, unknown>;
  return strip({
    role: 'device',
    name: firstString(pick(p, 'deviceName', 'friendlyName', 'hostName')),
    type: firstString(pick(p, 'deviceSubType', 'deviceType')),
    ip: firstString(pick(p, 'ipAddress', 'address')),
    purdueLevel: purdueOfLayer(pick(p, 'purdueLayer')),
    criticality: criticalityOfImportance(firstString(pick(p, 'importance'))),
    owner: firstString(pick(p, 'owners')),
    link: firstString(pick(extra, 'DevicePageLink')) ?? firstString(pick(p, 'devicePageLink')),
  }) as AssetFacts;
}

const assetKey = (a: AssetFacts) => `${(a.name ?? '').toLowerCase()}|${a.ip ?? ''}`;

/** The role of a device named as both a source and a destination by an incident's alerts. */
const mergedRole = (a: AssetFacts['role'], b: AssetFacts['role']): AssetFacts['role'] => {
  if (a === b || b === 'device') return a;
  if (a === 'device') return b;
  return 'source and destination';
};

/**
 * The card and the ticket list the most critical first, then the devices the inventory knows, then internet
 * addresses (an OT host calling one is the lead), then the rest.
 */
const assetRank = (a: AssetFacts) =>
  criticalityRank(a.criticality) * 4 + (a.type || a.name ? 2 : 0) + (isInternetAddress(a.ip) ? 1 : 0);

/**
 * Merges assets that name the same device, keeping every known attribute, then orders them for the card and ticket,
 * which show the first few (assetRank: a critical controller is never behind "… and 6 more" addresses). An
 * IoTDevice entity whose only name is the address it was mapped from (a rule's DeviceId: the device's IP when its
 * MAC is unknown) is that device.
 */
export function mergeAssets(list: AssetFacts[]): AssetFacts[] {
  const out = new Map<string, AssetFacts>();
  const same = (a: AssetFacts, b: AssetFacts) =>
    (a.ip && (b.ip === a.ip || b.name === a.ip)) ||
    (a.name && (b.name?.toLowerCase() === a.name.toLowerCase() || b.ip === a.name));
  for (const a of list) {
    const key = assetKey(a);
    const found = out.get(key) ?? [...out.values()].find((b) => same(a, b));
    if (found) {
      for (const [k, v] of Object.entries(a))
        if ((found as unknown as Record<string, unknown>)[k] === undefined)
          (found as unknown as Record<string, unknown>)[k] = v;
      found.role = mergedRole(found.role, a.role);
    } else out.set(key, { ...a });
  }
  return [...out.values()].sort((a, b) => assetRank(b) - assetRank(a));
}
