import { createHash } from 'node:crypto';

/** The ot-soc namespace for name-based UUIDs (RFC 9562 v5): fixed, so ids are stable across deployments. */
const NAMESPACE = '6f1c2a52-8d2e-4c31-9a57-0c5e9b1d7a10';

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** RFC 9562 UUIDv5: SHA-1 of namespace + name, with version and variant bits set. */
export function uuidV5(name: string, namespace = NAMESPACE): string {
  const hash = createHash('sha1').update(uuidBytes(namespace)).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * The comment id of one playbook action on one incident. Sentinel lets the client choose comment ids, so a
 * retried run writes the same comment instead of a second one
 * (docs/contracts.md#sentinel-incidents-automation-rules-and-playbooks).
 */
export function commentId(incidentArmId: string, playbook: string, action: string): string {
  return uuidV5(`${incidentArmId.toLowerCase()}|${playbook}|${action}`);
}

/** A Table Storage-safe key for an incident (ARM ids hold '/', which PartitionKey forbids). */
export function incidentKey(incidentArmId: string): string {
  return createHash('sha256').update(incidentArmId.toLowerCase(), 'utf8').digest('hex');
}
