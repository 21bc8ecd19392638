import { MAX_RAW_CHARS } from '../../pipeline/parse/records.js';

/** Characters kept free below the cap for `…[truncated N chars]`. */
const TRUNCATION_MARK_ROOM = 40;

/**
 * The text of the record being scanned, kept across chunks: a record's own text is what a dead letter holds, and
 * past `maxBytes` only its first MAX_RAW_CHARS are kept, so memory stays bounded by one capped record.
 */
export class RecordText {
  /** A record is being read. */
  active = false;
  /** 1-based line where it starts. */
  line = 0;
  /** Where it starts in the current chunk (0 once it runs on from an earlier chunk). */
  start = 0;
  /** Why the record is refused, once known before its end (nesting too deep, a JSON error). */
  problem: string | undefined;
  #parts: string[] = [];
  #chars = 0;
  #over = false;

  constructor(readonly maxBytes: number) {}

  /** Characters held between chunks. */
  get held(): number {
    let n = 0;
    for (const p of this.#parts) n += p.length;
    return n;
  }

  begin(line: number, start: number): void {
    this.active = true;
    this.line = line;
    this.#parts = [];
    this.start = start;
    this.#chars = 0;
    this.#over = false;
    this.problem = undefined;
  }

  /** Keeps `chunk[from, to)`, up to the cap. */
  keep(chunk: string, from: number, to: number): void {
    if (to <= from) return;
    this.#chars += to - from;
    if (this.#over) return;
    if (this.#chars > this.maxBytes) {
      this.#over = true;
      const room = MAX_RAW_CHARS - TRUNCATION_MARK_ROOM - (this.#chars - (to - from));
      if (room > 0) this.#parts.push(chunk.slice(from, from + room));
      return;
    }
    this.#parts.push(chunk.slice(from, to));
  }

  /** The chunk ends inside the record: keep its part; the record runs on from the next chunk's start. */
  carry(chunk: string): void {
    this.keep(chunk, this.start, chunk.length);
    this.start = 0;
  }

  /** The record ends before `chunk[end]`: its text (capped), and no record is being read any more. */
  take(chunk: string, end: number): string {
    this.keep(chunk, this.start, end);
    this.active = false;
    // A record cut at the cap says so in its dead letter's raw (room was left for the mark: the store's own cap
    // would otherwise cut it again).
    let text = this.#parts.join('');
    if (this.#over) text += `…[truncated ${this.#chars - text.length} chars]`;
    this.#parts = [];
    return text;
  }

  /** Why `text` (this record's) is too large, if it is. */
  tooLarge(text: string): string | undefined {
    if (this.#over) return `record too large (over ${this.maxBytes} bytes)`;
    if (text.length * 3 > this.maxBytes && Buffer.byteLength(text, 'utf8') > this.maxBytes)
      return `record too large (${Buffer.byteLength(text, 'utf8')} bytes > ${this.maxBytes})`;
    return undefined;
  }
}
