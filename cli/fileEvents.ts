import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type ChunkDecoder, decoderFor, sniffEncoding } from './files/decode.js';
import { RecordScanner, type ScannedPiece, type ScanOptions } from './files/scanner.js';

/**
 * One record of a file, as the Event Hubs trigger would hand it over (JSON parsed, text as a string), with where
 * it sits in the file (`name:line`, plus `[i]` or `records[i]` for an element of an array or envelope). A piece
 * of the file that is no record carries `error` and its text in `raw` instead: it becomes one dead letter.
 */
export interface FileEvent {
  body: unknown;
  locator: string;
  error?: string;
  raw?: string;
}

export interface ReadOptions extends ScanOptions {
  /** Bytes read per step (bounded memory: one step plus one record are held at a time). Default 1 MiB. */
  chunkBytes?: number;
  /** Called with the bytes read so far, for a progress bar. */
  onRead?: (bytes: number) => void;
  /** At the end: how many lines were not UTF-8 and were read as Windows-1252. */
  onLegacyLines?: (lines: number) => void;
}

function toEvent(p: ScannedPiece, name: string): FileEvent {
  const where = p.element
    ? `${name}:${p.line} ${p.element.container === 'records' ? 'records' : ''}[${p.element.index}]`
    : `${name}:${p.line}`;
  return p.error !== undefined
    ? { body: p.raw ?? '', locator: where, error: p.error, raw: p.raw ?? '' }
    : { body: p.value, locator: where };
}

/**
 * Streams the records of a replay file (any layout the scanner reads, UTF-8 or UTF-16) without ever holding the
 * file: a file larger than V8's longest string (~512 MB) works. An encoding that cannot be read gives one event
 * with the reason.
 */
export async function* readFileEvents(
  path: string,
  name: string,
  o: ReadOptions = {},
): AsyncGenerator<FileEvent> {
  const scanner = new RecordScanner(o);
  let decoder: ChunkDecoder | undefined;
  let read = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: o.chunkBytes ?? 1024 * 1024 })) {
    const bytes = chunk as Buffer;
    read += bytes.length;
    if (!decoder) {
      const sniffed = sniffEncoding(bytes);
      if (sniffed.refusal !== undefined) {
        yield { body: '', locator: `${name}:1`, error: sniffed.refusal, raw: '' };
        o.onRead?.(read);
        return;
      }
      decoder = decoderFor(sniffed.encoding);
    }
    for (const p of scanner.push(decoder.decode(bytes, false))) yield toEvent(p, name);
    o.onRead?.(read);
  }
  if (decoder) {
    for (const p of scanner.push(decoder.decode(new Uint8Array(0), true))) yield toEvent(p, name);
    if (decoder.legacyLines) o.onLegacyLines?.(decoder.legacyLines);
  }
  for (const p of scanner.end()) yield toEvent(p, name);
}

/** The records of a text already in memory (tests, small inputs), as `readFileEvents` finds them. */
export function fileEvents(text: string, name: string, o: ScanOptions = {}): FileEvent[] {
  const scanner = new RecordScanner(o);
  return [...scanner.push(text), ...scanner.end()].map((p) => toEvent(p, name));
}

/**
 * The replay "partition" of a file: its content hash, so the same input replayed is recognised. Hashes the bytes
 * as they stream (a UTF-8 file hashes as its text always did, so earlier state directories still match).
 */
export async function filePartition(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return `file:${hash.digest('hex').slice(0, 16)}`;
}
