/**
 * Which partition the Event Hubs service puts an event with a given partition key on.
 *
 * The forwarder and the sender never choose a partition themselves: they send with `partitionKey` and the
 * service hashes it. This mapping is only for reporting ("sent per partition") and for the local test hub. It is
 * Bob Jenkins' lookup3 `hashlittle2` over the key's UTF-8 bytes, `(int16)(c ^ b) % count`, which is how
 * `@azure/event-hubs`' own buffered producer maps keys to partitions (`impl/partitionKeyToIdMapper`, not exported),
 * checked against it in the tests.
 */

function rot(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** lookup3 hashlittle2 with both seeds 0; returns the two 32-bit results b and c. */
function hashlittle2(data: Buffer): { b: number; c: number } {
  let a: number;
  let b: number;
  let c: number;
  a = b = c = (0xdeadbeef + data.length) | 0;
  let i = 0;
  let size = data.length;
  while (size > 12) {
    a = (a + data.readUInt32LE(i)) | 0;
    b = (b + data.readUInt32LE(i + 4)) | 0;
    c = (c + data.readUInt32LE(i + 8)) | 0;
    // mix(a, b, c)
    a = (a - c) | 0;
    a ^= rot(c, 4);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rot(a, 6);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rot(b, 8);
    b = (b + a) | 0;
    a = (a - c) | 0;
    a ^= rot(c, 16);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rot(a, 19);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rot(b, 4);
    b = (b + a) | 0;
    i += 12;
    size -= 12;
  }
  if (size === 0) return { b: b >>> 0, c: c >>> 0 };
  // The last 1–12 bytes, little-endian, zero-padded (lookup3's byte-wise tail).
  const byte = (k: number): number => (k < size ? data[i + k]! : 0);
  a = (a + (byte(0) | (byte(1) << 8) | (byte(2) << 16) | (byte(3) << 24))) | 0;
  if (size > 4) b = (b + (byte(4) | (byte(5) << 8) | (byte(6) << 16) | (byte(7) << 24))) | 0;
  if (size > 8) c = (c + (byte(8) | (byte(9) << 8) | (byte(10) << 16) | (byte(11) << 24))) | 0;
  // final(a, b, c)
  c ^= b;
  c = (c - rot(b, 14)) | 0;
  a ^= c;
  a = (a - rot(c, 11)) | 0;
  b ^= a;
  b = (b - rot(a, 25)) | 0;
  c ^= b;
  c = (c - rot(b, 16)) | 0;
  a ^= c;
  a = (a - rot(c, 4)) | 0;
  b ^= a;
  b = (b - rot(a, 14)) | 0;
  c ^= b;
  c = (c - rot(b, 24)) | 0;
  return { b: b >>> 0, c: c >>> 0 };
}

/** The signed 16-bit hash of a partition key. */
export function hashPartitionKey(key: string): number {
  const { b, c } = hashlittle2(Buffer.from(key, 'utf8'));
  return ((c ^ b) << 16) >> 16;
}

/** The index (0…count-1) of the partition a key lands on. */
export function partitionIndexForKey(key: string, count: number): number {
  return Math.abs(hashPartitionKey(key) % count);
}

/** The partition id a key lands on, given the hub's partition ids (in the service's order). */
export function partitionIdForKey(key: string, partitionIds: readonly string[]): string {
  return partitionIds[partitionIndexForKey(key, partitionIds.length)]!;
}
