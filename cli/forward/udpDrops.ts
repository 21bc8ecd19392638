/**
 * The kernel's count of datagrams it dropped for one UDP socket because its receive buffer was full: the `drops`
 * column of `/proc/net/udp` (IPv4) or `/proc/net/udp6`, on the row of the socket's local address and port. Linux
 * only; elsewhere (or when /proc is not readable) the reader answers null and the health endpoint says so.
 */
import { readFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';

/** `127.0.0.1` → `0100007F` (the kernel's hex, host byte order of a little-endian machine). */
function hexV4(address: string): string {
  return address
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .reverse()
    .join('')
    .toUpperCase();
}

/** Sum of the drops of the rows bound to `port` on `address` (or on any address, when bound to 0.0.0.0 / ::). */
export function dropsFromTable(table: string, address: string, port: number): number | null {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  const wanted = isIPv4(address) ? hexV4(address) : undefined;
  let found = false;
  let drops = 0;
  const lines = table.split('\n');
  const header = (lines[0] ?? '').trim().split(/\s+/);
  const col = header.indexOf('drops');
  for (const line of lines.slice(1)) {
    const f = line.trim().split(/\s+/);
    const local = f[1];
    if (!local) continue;
    const [addr, p] = local.split(':');
    if (p !== portHex) continue;
    if (wanted !== undefined && addr !== wanted) continue;
    // The header has two names (`tx_queue rx_queue`, `tr tm->when`) for one column each: drops is the last column.
    const value = Number(col >= 0 ? f[f.length - 1] : Number.NaN);
    if (!Number.isFinite(value)) continue;
    found = true;
    drops += value;
  }
  return found ? drops : null;
}

export function udpDropReader(address: string, port: number, v6: boolean): () => Promise<number | null> {
  const file = v6 ? '/proc/net/udp6' : '/proc/net/udp';
  return async () => {
    try {
      return dropsFromTable(await readFile(file, 'utf8'), v6 ? '::' : address, port);
    } catch {
      return null;
    }
  };
}
