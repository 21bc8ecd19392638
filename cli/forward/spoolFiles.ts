/**
 * The spool's files (cli/forward/spool.ts): `DIR/<12 digits>.seg` append-only segments, one line per event
 * (`["<partition key>","<body>"]` as JSON), and `DIR/cursor.json` = `{seg, off}`, the first byte not yet
 * delivered, replaced atomically (write + rename).
 */
import { closeSync, type Dirent, fsyncSync, openSync } from 'node:fs';
import { open, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SpoolEntry {
  key: string;
  body: string;
}

/** A position in the spool: segment number and byte offset. */
export interface SpoolPosition {
  seg: number;
  off: number;
}

const SEG_RE = /^(\d{12})\.seg$/;
export const segName = (n: number) => `${String(n).padStart(12, '0')}.seg`;
export const READ_CHUNK = 1024 * 1024;

/** The segment numbers in `dir`, ascending. */
export async function listSegments(dir: string): Promise<number[]> {
  const entries: Dirent[] = await readdir(dir, { withFileTypes: true });
  return entries
    .map((e) => (e.isFile() ? SEG_RE.exec(e.name) : null))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** The persisted cursor, or undefined when there is none (or it is damaged). */
export async function readCursor(dir: string): Promise<SpoolPosition | undefined> {
  try {
    const c = JSON.parse(await readFile(join(dir, 'cursor.json'), 'utf8')) as Partial<SpoolPosition>;
    if (Number.isInteger(c.seg) && Number.isInteger(c.off)) return { seg: c.seg!, off: c.off! };
  } catch {
    // none yet, or damaged
  }
  return undefined;
}

/** Replaces the cursor atomically (write + rename); with `fsync`, the rename survives a power cut. */
export async function writeCursor(dir: string, p: SpoolPosition, fsync: boolean): Promise<void> {
  const tmp = join(dir, 'cursor.json.tmp');
  await writeFile(tmp, JSON.stringify(p));
  await rename(tmp, join(dir, 'cursor.json'));
  if (fsync) syncDir(dir);
}

export const encodeLine = (entry: SpoolEntry): string => `${JSON.stringify([entry.key, entry.body])}\n`;

/** One line back into an entry; undefined for a damaged or torn line. */
export function decodeLine(line: string): SpoolEntry | undefined {
  try {
    const v = JSON.parse(line) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string')
      return { key: v[0], body: v[1] };
  } catch {
    // fall through
  }
  return undefined;
}

/** Lines (events) in `file` from byte `from`. */
export async function countLines(file: string, from: number): Promise<number> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    let pos = from;
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) return n;
      for (let i = buf.indexOf(10, 0); i >= 0 && i < bytesRead; i = buf.indexOf(10, i + 1)) n++;
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

/** fsync a directory (so renames and new files survive a power cut); best effort. */
export function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not supported everywhere
  }
}
