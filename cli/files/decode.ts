import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import iconv from 'iconv-lite';

/**
 * Which text encoding a replay file is in, from its first bytes. UTF-8 (with or without a byte order mark) and
 * UTF-16 (a BOM, or the tell-tale NUL of ASCII text saved as UTF-16, as Windows tools write it) are decoded;
 * other encodings a user may hand over by mistake are refused with one clear reason, never read as garbage.
 * A line of a UTF-8 file that is not valid UTF-8 is read as Windows-1252 ({@link Utf8FileDecoder}).
 */
export type FileEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export type Sniffed =
  | { encoding: FileEncoding; refusal?: undefined }
  | { encoding?: undefined; refusal: string };

const hex = (b: Uint8Array, n: number) =>
  Array.from(b.subarray(0, n), (x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ');

export function sniffEncoding(head: Uint8Array): Sniffed {
  const [a, b, c, d] = [head[0], head[1], head[2], head[3]];
  if (a === 0xff && b === 0xfe && c === 0 && d === 0) return refuse('UTF-32LE', head);
  if (a === 0 && b === 0 && c === 0xfe && d === 0xff) return refuse('UTF-32BE', head);
  if (a === 0xff && b === 0xfe) return { encoding: 'utf-16le' };
  if (a === 0xfe && b === 0xff) return { encoding: 'utf-16be' };
  if (a === 0x1f && b === 0x8b)
    return { refusal: 'the file is gzip-compressed (starts with 1F 8B): decompress it first (gunzip)' };
  if (head.length >= 4) {
    // No BOM: ASCII text in UTF-16 has every other byte NUL.
    if (a !== 0 && b === 0 && c !== 0 && d === 0) return { encoding: 'utf-16le' };
    if (a === 0 && b !== 0 && c === 0 && d !== 0) return { encoding: 'utf-16be' };
  }
  return { encoding: 'utf-8' };
}

function refuse(name: string, head: Uint8Array): Sniffed {
  return {
    refusal: `the file is ${name} encoded (byte order mark ${hex(head, 4)}); ot-soc reads UTF-8 and UTF-16 files: convert it to UTF-8 (iconv -f ${name} -t UTF-8)`,
  };
}

/** What turns a file's chunks into text, in order; `final` with the last (possibly empty) chunk. */
export interface ChunkDecoder {
  decode(bytes: Uint8Array, final: boolean): string;
  /** Lines that were not valid UTF-8 and were read as Windows-1252 (0 for UTF-16). */
  readonly legacyLines: number;
}

/** A streaming decoder for the sniffed encoding. A BOM is dropped. */
export function decoderFor(encoding: FileEncoding): ChunkDecoder {
  if (encoding === 'utf-8') return new Utf8FileDecoder();
  // UTF-16: a byte that is not valid becomes U+FFFD (the record then fails to parse, with its text).
  const d = new TextDecoder(encoding, { fatal: false, ignoreBOM: false });
  return { decode: (bytes, final) => d.decode(bytes, { stream: !final }), legacyLines: 0 };
}

const LF = 0x0a;
const CR = 0x0d;
/** A line longer than this is decoded without waiting for its end (a one-line JSON array of a whole export). */
const MAX_CARRY = 8 << 20;

/** Where the last complete UTF-8 sequence of `b` ends (a cut inside a multibyte character is left out). */
function utf8Boundary(b: Uint8Array): number {
  let i = b.length;
  for (let k = 0; k < 3 && i > 0 && (b[i - 1]! & 0xc0) === 0x80; k++) i--;
  if (i === 0) return b.length;
  const lead = b[i - 1]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return b.length - (i - 1) >= need ? b.length : i - 1;
}

/**
 * UTF-8, and per line Windows-1252 when a line is not valid UTF-8: what a Windows syslog server or an editor
 * saving "ANSI" writes, where reading it as UTF-8 would turn every accented device or site name into U+FFFD and
 * the record would still parse (wrong names: no asset, no site calendar). A chunk that is valid UTF-8 as a whole
 * (nearly every chunk) is decoded in one call; only a chunk that is not is split into lines. Node 20's
 * TextDecoder decodes "windows-1252" as Latin-1 (nodejs/node#60888), hence iconv-lite.
 */
export class Utf8FileDecoder implements ChunkDecoder {
  // Each call is a whole text (the carry keeps lines and characters whole); the file's BOM is dropped above.
  readonly #utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  #carry: Uint8Array | undefined;
  #start = true;
  legacyLines = 0;

  decode(chunk: Uint8Array, final: boolean): string {
    const buf = this.#carry ? Buffer.concat([this.#carry, chunk]) : chunk;
    this.#carry = undefined;
    let end = buf.length;
    if (!final) {
      end = Math.max(buf.lastIndexOf(LF), buf.lastIndexOf(CR)) + 1;
      if (end === 0) end = buf.length < MAX_CARRY ? 0 : utf8Boundary(buf);
      if (end < buf.length) this.#carry = new Uint8Array(buf.subarray(end));
    }
    let done = buf.subarray(0, end);
    if (this.#start && done.length) {
      // The file's BOM, seen whole: the carry keeps the first line, BOM and all, until it ends.
      this.#start = false;
      if (done[0] === 0xef && done[1] === 0xbb && done[2] === 0xbf) done = done.subarray(3);
    }
    if (isUtf8(done)) return this.#utf8.decode(done);
    return this.#byLine(done);
  }

  #byLine(b: Uint8Array): string {
    let out = '';
    let from = 0;
    while (from < b.length) {
      let to = from;
      while (to < b.length && b[to] !== LF && b[to] !== CR) to++;
      if (to < b.length) to++; // the terminator goes with its line
      const line = lineText(Buffer.from(b.buffer, b.byteOffset + from, to - from));
      if (line.legacy) this.legacyLines++;
      out += line.text;
      from = to;
    }
    return out;
  }
}

/** One line's bytes as text: UTF-8 when they are valid UTF-8, else Windows-1252 (`legacy`). */
function lineText(b: Buffer): { text: string; legacy: boolean } {
  return isUtf8(b)
    ? { text: b.toString('utf8'), legacy: false }
    : { text: iconv.decode(b, 'windows-1252'), legacy: true };
}

/**
 * One syslog message's bytes (a datagram or a stream frame) as text, read as {@link Utf8FileDecoder} reads a line
 * of a file. A sensor or relay that sends a device or site name in a legacy code page ("Süd" as FC) would
 * otherwise reach Sentinel with U+FFFD in it.
 */
export function messageText(bytes: Buffer, start = 0, end = bytes.length): string {
  return lineText(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end)).text;
}
