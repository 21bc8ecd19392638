import { createHash } from 'node:crypto';
import type { EnrichedAlert } from '../enrich/enriched.js';
import type { Device } from '../model/alert.js';
import { memoize } from '../util/memoize.js';
import type { KeyField, KeySpec } from './keySpec.js';

const deviceId = (d: Device): string | undefined => d.ip ?? d.mac ?? d.name;

/** Where "same zone" is decided: site/zone when the zone is known, else the sensor (Defender for IoT's rule). */
export function scopeOf(a: Pick<EnrichedAlert, 'site' | 'zone' | 'sensor'>): string | undefined {
  if (a.zone) return `zone:${(a.site ?? '').toLowerCase()}/${a.zone.toLowerCase()}`;
  if (a.sensor) return `sensor:${a.sensor.toLowerCase()}`;
  return undefined;
}

function fieldValue(a: EnrichedAlert, field: KeyField): string | undefined {
  switch (field) {
    case 'scope':
      return scopeOf(a);
    case 'site':
      return a.site?.toLowerCase();
    case 'zone':
      return a.zone?.toLowerCase();
    case 'sensor':
      return a.sensor?.toLowerCase();
    case 'title':
      return normalTitle(a.title);
    case 'protocol':
      return a.protocol?.toLowerCase();
    case 'engine':
      return a.engine;
    case 'category':
      return a.category?.toLowerCase();
    case 'source':
      return deviceId(a.source)?.toLowerCase();
    case 'destination':
      return deviceId(a.destination)?.toLowerCase();
    case 'devices': {
      const set = [deviceId(a.source), deviceId(a.destination)].filter((d): d is string => !!d);
      return set.length ? [...new Set(set.map((d) => d.toLowerCase()))].sort().join(',') : undefined;
    }
  }
}

/** Titles come from a small vocabulary (the alert catalog): their normal form is memoised. */
const normalTitle = memoize((title) => title.trim().replace(/\s+/g, ' ').toLowerCase());

/**
 * The group key of an alert: a hash of the spec's fields under its KeyVersion. Alerts that arrive already
 * closed never join an open group (Defender for IoT merges only alerts of the same status).
 * With missing = 'never', an alert lacking a key field gets a key of its own (its record origin).
 */
export function groupKey(a: EnrichedAlert, spec: KeySpec, version: string, uniqueSuffix: string): string {
  const parts: string[] = [version];
  for (const field of spec.fields) {
    const v = fieldValue(a, field);
    if (v === undefined && spec.missing === 'never') parts.push(`unique:${uniqueSuffix}`);
    else parts.push(v ?? '');
  }
  if (a.status === 'Closed') parts.push('closed');
  return hashKey(parts.join('\u0000'));
}

/**
 * sha256 of the key text, memoised: a storm repeats the same few keys thousands of times, and the hash is the
 * costliest step of keying. The cache only avoids recomputing a pure function (same text, same key, in every
 * process and run), and is bounded: when full it starts over.
 */
const KEY_CACHE_MAX = 4096;
const keyCache = new Map<string, string>();

function hashKey(text: string): string {
  let key = keyCache.get(text);
  if (key === undefined) {
    key = createHash('sha256').update(text).digest('base64url').slice(0, 32);
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keyCache.set(text, key);
  }
  return key;
}

/** A UUID-shaped id derived from the key and the group's ordinal: replays produce the same AlertId. */
export function groupAlertId(key: string, seq: number): string {
  const h = createHash('sha256').update(`${key}#${seq}`).digest('hex');
  // join() gives one flat string; a template literal would keep a rope of 10 pieces (~400 B) alive per group.
  return [h.slice(0, 8), h.slice(8, 12), `5${h.slice(13, 16)}`, `a${h.slice(17, 20)}`, h.slice(20, 32)].join(
    '-',
  );
}
