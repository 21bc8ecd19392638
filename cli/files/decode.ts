import { TextDecoder } from 'node:util';

/**
 * Which text encoding a replay file is in, from its first bytes. UTF-8 (with or without a byte order mark) and
 * UTF-16 (a BOM, or the tell-tale NUL of ASCII text saved as UTF-16, as Windows tools write it) are decoded;
 * other encodings a user may hand over by mistake are refused with one clear reason, never read as garbage.
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

/**
 * A streaming decoder for the sniffed encoding. A BOM is dropped; bytes that are not valid in the encoding
 * become U+FFFD, as reading the file as UTF-8 always did (the record then fails to parse and is dead-lettered
 * with its text).
 */
export function decoderFor(encoding: FileEncoding): TextDecoder {
  return new TextDecoder(encoding, { fatal: false, ignoreBOM: false });
}
