/**
 * IoTDevice entities of SecurityAlert rows → Asset: a lower-precedence fallback for devices the inventory lacks.
 */
import type { Device, EntityAsset } from '../../model/alert.js';
import {
  type Asset,
  normalizeAssetType,
  normalizeIp,
  normalizeMac,
  parseCriticality,
  parsePurdueLevel,
} from './assetValues.js';

// ---------------------------------------------------------------------------------------------------------------
// SecurityAlert entities (fallback)

/** An IoTDevice entity → Asset, leniently: a value that does not normalize is dropped, not an error. */
export function entityAsset(e: EntityAsset): Asset {
  const a: Asset = {};
  if (e.name) a.name = e.name;
  const ip = e.ip ? normalizeIp(e.ip) : undefined;
  if (ip) a.ip = ip;
  const mac = e.mac ? normalizeMac(e.mac) : undefined;
  if (mac) a.mac = mac;
  if (e.type) a.type = normalizeAssetType(e.type);
  if (e.vendor) a.vendor = e.vendor;
  if (e.model) a.model = e.model;
  if (e.firmware) a.firmware = e.firmware;
  const level = e.purdueLevel ? parsePurdueLevel(e.purdueLevel) : undefined;
  if (level !== undefined) a.purdueLevel = level;
  const criticality = e.importance ? parseCriticality(e.importance) : undefined;
  if (criticality) a.criticality = criticality;
  if (e.owners?.length) a.owner = e.owners.join(', ');
  if (e.site) a.site = e.site;
  if (e.zone) a.zone = e.zone;
  return a;
}

/** The entity describing a device of the alert: same IP, else same MAC, else same name. */
export function findEntity(entities: readonly EntityAsset[], d: Device): EntityAsset | undefined {
  if (d.ip) for (const e of entities) if (e.ip === d.ip) return e;
  const mac = d.mac ? normalizeMac(d.mac) : undefined;
  if (mac) for (const e of entities) if (e.mac && normalizeMac(e.mac) === mac) return e;
  const name = d.name?.toLowerCase();
  if (name) for (const e of entities) if (e.name?.toLowerCase() === name) return e;
  return undefined;
}
