import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * What makes two alerts "the same alert". The default is Defender for IoT's own unified-alert rule
 * (docs/contracts.md#defender-for-iot-unified-alerts-and-statuses): same zone (or sensor when no zone is
 * known), same title, same alert protocol, same status and same set of devices, within 10 minutes of first
 * detection, across sensors. Status is not hashed into the key: it is the group's lifecycle (a closed group
 * takes no new members, so a new alert after a close opens a new group, exactly as Defender for IoT raises a
 * new alert).
 */
export const KEY_FIELDS = [
  'scope',
  'site',
  'zone',
  'sensor',
  'title',
  'protocol',
  'devices',
  'engine',
  'category',
  'source',
  'destination',
] as const;
export type KeyField = (typeof KEY_FIELDS)[number];

export const keySpecSchema = z
  .object({
    /** A name a person recognises; the KeyVersion adds a hash of everything below, so edits never merge old groups. */
    name: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,30}$/, 'lower-case letters, digits, dots and dashes'),
    fields: z.array(z.enum(KEY_FIELDS)).min(1),
    /** A missing key field either groups with others missing it ('group') or never groups ('never'). */
    missing: z.enum(['group', 'never']),
    windowMinutes: z
      .number()
      .positive()
      .max(7 * 24 * 60),
    /** fixed: from the group's first detection (Defender for IoT); sliding: from its last detection. */
    windowMode: z.enum(['fixed', 'sliding']),
    /** A group that reaches this many members overflows into a new group linked by PreviousAlertId. */
    maxGroupSize: z.number().int().min(1).max(10_000_000),
    /** After a group is closed: a recurrence opens a new group, or reopens the closed one while its window lasts. */
    closePolicy: z.enum(['newGroup', 'reopen']),
    /** Noise control: at most one update row per group per this many minutes of event time. */
    updateIntervalMinutes: z
      .number()
      .min(0)
      .max(24 * 60),
    /** How many vendor alert ids a group lists on its row (identity is the id index: docs/identity.md). */
    maxVendorIds: z.number().int().min(1).max(1000),
    /**
     * Days a vendor alert id stays known after its last record (docs/identity.md): a record of a known id is an
     * update of its group, never a new count. 90: Defender for IoT closes a New alert after 90 days without its
     * traffic, and that Closed record must still find its group. Not part of the KeyVersion (identity, not grouping).
     */
    identityRetentionDays: z.number().min(1).max(3650),
  })
  .strict();
export type KeySpec = z.infer<typeof keySpecSchema>;

export const DEFAULT_KEY_SPEC: KeySpec = {
  name: 'd4iot-unified',
  fields: ['scope', 'title', 'protocol', 'devices'],
  missing: 'group',
  windowMinutes: 10,
  windowMode: 'fixed',
  maxGroupSize: 100_000,
  closePolicy: 'newGroup',
  updateIntervalMinutes: 5,
  maxVendorIds: 50,
  identityRetentionDays: 90,
};

const versions = new WeakMap<KeySpec, { name: string; text: string; version: string }>();

/** `name.hash8`: a change to any setting that decides membership yields a new version. */
export function keyVersion(spec: KeySpec): string {
  const decisive = JSON.stringify([
    spec.fields,
    spec.missing,
    spec.windowMinutes,
    spec.windowMode,
    spec.maxGroupSize,
    spec.closePolicy,
  ]);
  // processBatch asks once per batch: the hash is computed once per spec, and every group of the process
  // shares one version string instead of holding a copy made by its batch.
  const hit = versions.get(spec);
  if (hit !== undefined && hit.text === decisive && hit.name === spec.name) return hit.version;
  const hash = createHash('sha256').update(decisive).digest('hex').slice(0, 8);
  const version = `${spec.name}.${hash}`;
  versions.set(spec, { name: spec.name, text: decisive, version });
  return version;
}
