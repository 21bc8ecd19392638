/** The asset index built once at start: a lookup per alert is a few Map hits (IP, then MAC, then name). */
import type { Device, EntityAsset } from '../../model/alert.js';
import { type Asset, CONTROLLER_TYPES, normalizeMac } from './assetValues.js';
import { entityAsset, findEntity } from './entityAssets.js';

// ---------------------------------------------------------------------------------------------------------------
// Index and lookup

export interface Indexed {
  asset: Asset;
  /** Lower-cased site, for telling apart devices with the same address at two plants. */
  site: string | undefined;
}

export interface AssetIndex {
  readonly size: number;
  /**
   * The inventory asset for a device: by IP, then MAC, then name (case-insensitive). `siteKey` (lower case) picks
   * among devices sharing an address at different sites; an asset of another site never matches.
   */
  find(d: Device, siteKey: string | undefined): Asset | undefined;
}

export function add(map: Map<string, Indexed[]>, key: string, e: Indexed): void {
  const list = map.get(key);
  if (!list) {
    map.set(key, [e]);
    return;
  }
  // A later source (inline config after the file) replaces the same device at the same site.
  const same = list.findIndex((x) => x.site === e.site);
  if (same >= 0) list[same] = e;
  else list.push(e);
}

export function pick(list: readonly Indexed[] | undefined, siteKey: string | undefined): Asset | undefined {
  if (!list) return undefined;
  let loose: Asset | undefined;
  for (const e of list) {
    if (siteKey !== undefined && e.site === siteKey) return e.asset;
    // Without an alert site the first device wins (file order); a site-less device matches any site.
    if (siteKey === undefined || e.site === undefined) loose ??= e.asset;
  }
  return loose;
}

/** Builds the IP/MAC/name maps once; later assets replace earlier ones with the same key and site. */
export function buildAssetIndex(assets: readonly Asset[]): AssetIndex {
  const byIp = new Map<string, Indexed[]>();
  const byMac = new Map<string, Indexed[]>();
  const byName = new Map<string, Indexed[]>();
  for (const asset of assets) {
    const e: Indexed = { asset, site: asset.site?.toLowerCase() };
    if (asset.ip) add(byIp, asset.ip, e);
    if (asset.mac) add(byMac, asset.mac, e);
    if (asset.name) add(byName, asset.name.toLowerCase(), e);
  }
  return {
    size: assets.length,
    find(d, siteKey) {
      if (!assets.length) return undefined;
      const byAddress = d.ip ? pick(byIp.get(d.ip), siteKey) : undefined;
      if (byAddress) return byAddress;
      const mac = d.mac ? normalizeMac(d.mac) : undefined;
      const byMacAddress = mac ? pick(byMac.get(mac), siteKey) : undefined;
      if (byMacAddress) return byMacAddress;
      return d.name ? pick(byName.get(d.name.toLowerCase()), siteKey) : undefined;
    },
  };
}

/**
 * The asset behind one device of an alert: the inventory entry, with the alert's own entity (SecurityAlert rows)
 * filling the fields the inventory leaves empty; the entity alone when the inventory does not know the device.
 */
export function resolveAsset(
  index: AssetIndex,
  d: Device,
  siteKey: string | undefined,
  entities: readonly EntityAsset[] | undefined,
): Asset | undefined {
  const known = index.find(d, siteKey);
  const entity = entities?.length ? findEntity(entities, d) : undefined;
  if (!entity) return known;
  if (!known) return entityAsset(entity);
  return lacksEntityFields(known, entity) ? { ...entityAsset(entity), ...known } : known;
}

/** True when the entity knows something the inventory entry does not (rare: merging allocates, so check first). */
export function lacksEntityFields(a: Asset, e: EntityAsset): boolean {
  return (
    (!a.type && !!e.type) ||
    (!a.vendor && !!e.vendor) ||
    (!a.model && !!e.model) ||
    (!a.firmware && !!e.firmware) ||
    (a.purdueLevel === undefined && !!e.purdueLevel) ||
    (!a.criticality && !!e.importance) ||
    (!a.owner && !!e.owners?.length) ||
    (!a.site && !!e.site) ||
    (!a.zone && !!e.zone) ||
    (!a.name && !!e.name) ||
    (!a.ip && !!e.ip) ||
    (!a.mac && !!e.mac)
  );
}

export function isController(a: Asset | undefined): boolean {
  return a?.type !== undefined && CONTROLLER_TYPES.has(a.type);
}

/**
 * The asset an alert is about: the destination when it is a controller (the attack's target, closest to the
 * process), else the source (the actor on the network), else whatever is known of the destination.
 */
export function primaryAsset(source: Asset | undefined, destination: Asset | undefined): Asset | undefined {
  if (isController(destination)) return destination;
  return source ?? destination;
}
