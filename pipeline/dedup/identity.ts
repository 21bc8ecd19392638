import type { EnrichedAlert } from '../enrich/enriched.js';
import type { AlertStatus } from '../model/alert.js';
import { scopeOf } from './groupKey.js';
import type { GroupState } from './groupState.js';
import type { KeySpec } from './keySpec.js';
import { hash22 } from './tableRows.js';

/**
 * Identity of a Defender for IoT alert (docs/identity.md). A GUID (the cloud alert id: SecurityAlert
 * VendorOriginalId, the ARM alert name in AlertManagementUri) is unique on its own, and one unified alert keeps
 * it across the sensors that report it, so it is not scoped further. Any other id (the sensor API's numeric `ID`,
 * a syslog UUID of unknown shape) is only known to be unique within its sensor: it is scoped by the sensor.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function scopedIdOf(
  a: Pick<EnrichedAlert, 'id' | 'sensor'> & { firstSeen?: string },
): string | undefined {
  if (!a.id) return undefined;
  if (GUID.test(a.id)) return `g:${a.id.toLowerCase()}`;
  // No sensor (a sensor API export: `/api/v1/alerts` records do not name their sensor): the same `42` from two
  // sensors' exports would be one alert. Its detection time (`time`, kept by every record of the alert) tells them apart.
  if (!a.sensor && a.firstSeen) return `s::${a.id}@${a.firstSeen}`;
  return `s:${(a.sensor ?? '').toLowerCase()}:${a.id}`;
}

/**
 * The identity of a record without a vendor id (LEEF, the syslog object and text forms, CEF without its optional
 * UUID: docs/identity.md "Records without a vendor id"): what Defender for IoT tells its alerts apart by (sensor,
 * title, first detection, devices, protocol) and its message, hashed. A re-sent copy (the forwarder after a crash,
 * `send` run again, the same file replayed with other line endings) carries the same and is recognised as one;
 * another alert differs in one of them (closed traffic that recurs is a new alert, with a new detection time). Not
 * the format: one alert forwarded as CEF without UUID and as LEEF is one alert.
 */
export function contentIdOf(
  a: Pick<
    EnrichedAlert,
    'id' | 'sensor' | 'title' | 'firstSeen' | 'source' | 'destination' | 'protocol' | 'message'
  >,
): string | undefined {
  if (a.id || !a.firstSeen) return undefined;
  const device = (d: EnrichedAlert['source']) => (d.ip ?? d.mac ?? d.name ?? '').toLowerCase();
  const text = [
    (a.sensor ?? '').toLowerCase(),
    a.title,
    a.firstSeen,
    device(a.source),
    device(a.destination),
    (a.protocol ?? '').toLowerCase(),
    a.message ?? '',
  ].join('\n');
  return `c:${hash22(text)}`;
}

/** What identifies a record's alert: its vendor id (scopedIdOf), else its content (contentIdOf). */
export const identityOf = (
  a: Parameters<typeof scopedIdOf>[0] & Parameters<typeof contentIdOf>[0],
): string | undefined => scopedIdOf(a) ?? contentIdOf(a);

/**
 * Where an alert's group and its id entries live: its scope (site/zone, else sensor) when the key spec groups by
 * scope, so a key never spans partitions; one partition for a spec that groups across scopes. A vendor alert
 * keeps its zone across its records (a unified alert is one zone), so its updates find their entry here.
 */
export function partitionOf(a: EnrichedAlert, spec: KeySpec): string {
  return spec.fields.includes('scope') ? (scopeOf(a) ?? '') : '';
}

/** A vendor alert's status only moves forward: New → Active → Closed (Closed traffic recurs as a new alert). */
const STATUS_RANK: Record<AlertStatus, number> = { New: 0, Active: 1, Closed: 2 };

export function laterStatus(current: AlertStatus, next: AlertStatus): AlertStatus {
  return STATUS_RANK[next] > STATUS_RANK[current] ? next : current;
}

/** Members per status, from the counters (state written before identity: every member has the group's status). */
export function memberCounts(s: GroupState): { closed: number; active: number } {
  if (s.closedMembers !== undefined || s.activeMembers !== undefined)
    return { closed: s.closedMembers ?? 0, active: s.activeMembers ?? 0 };
  return { closed: s.status === 'Closed' ? s.count : 0, active: s.status === 'Active' ? s.count : 0 };
}

/** Adds a member's status (`from` undefined) or moves one member from `from` to `to`. */
export function countMember(s: GroupState, from: AlertStatus | undefined, to: AlertStatus): void {
  const c = memberCounts(s);
  if (from === 'Closed') c.closed--;
  if (from === 'Active') c.active--;
  if (to === 'Closed') c.closed++;
  if (to === 'Active') c.active++;
  s.closedMembers = c.closed;
  s.activeMembers = c.active;
}

/** The group's status from its members: Closed when all are, Active when any is, else New. */
export function statusFromMembers(s: GroupState): AlertStatus {
  const c = memberCounts(s);
  if (c.closed >= s.count) return 'Closed';
  return c.active > 0 ? 'Active' : 'New';
}

export const DAY_MS = 86_400_000;
