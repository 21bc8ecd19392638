/**
 * Finds the records of a replay file as its text streams past, in bounded memory: JSON values of any layout
 * (compact or pretty-printed, NDJSON, one array, a `{"records":[...]}` envelope, several concatenated
 * documents) and syslog/text lines, mixed, with CRLF, LF or CR-only line endings.
 *
 * Why a scanner of our own and not a streaming JSON parser (stream-json, @streamparser/json): a replay file mixes
 * JSON documents with syslog lines, which a JSON tokenizer refuses; a dead letter needs each record's own text
 * and the line it starts on; a broken NDJSON line must cost that line only, not the rest of the file; and
 * building values token by token in JavaScript is several times slower than the native `JSON.parse` of each
 * record's text. So this only finds where each record starts and ends (strings, nesting, a light grammar check
 * for early errors), keeps at most one record's text (capped), and parses it with `JSON.parse`.
 */
import { MAX_JSON_DEPTH, MAX_RECORD_BYTES } from '../../pipeline/parse/records.js';
import { RecordText } from './recordText.js';
import {
  A_NEXT,
  A_VALUE,
  A_VALUE_OR_CLOSE,
  bareRunEnd,
  blankRunEnd,
  isBare,
  isSpace,
  lineRunEnd,
  MAX_TRACKED,
  Mode,
  O_COLON,
  O_KEY,
  O_KEY_OR_CLOSE,
  O_NEXT,
  O_VALUE,
  stringRunEnd,
} from './scanGrammar.js';
import { capRaw, jsonPiece, type Piece, type ScannedPiece, textLinePiece } from './scannedPiece.js';

export type { ScannedPiece } from './scannedPiece.js';

export interface ScanOptions {
  maxRecordBytes?: number;
  maxDepth?: number;
}

export class RecordScanner {
  readonly #maxBytes: number;
  readonly #maxDepth: number;
  readonly #out: ScannedPiece[] = [];
  #mode = Mode.Top;
  #line = 1;
  #prevCR = false;
  /** The current line has had a non-space character before the one being read. */
  #lineHasContent = false;

  // JSON value state
  #stack: number[] = [];
  #topKind: 'object' | 'array' | 'envelope' | '' = '';
  /** Stack depth at which values are records (1: array elements, 2: envelope records, 0: the top value). */
  #emitDepth = 0;
  #elemIndex = 0;
  #inString = false;
  #escape = false;
  #inBare = false;
  #deepSkip = 0;
  /** The string being read is a key of the top-level object: its text, to spot `records`. */
  #keyStart = -1;
  #keyParts = '';
  #lastKey = '';
  #bracketNewline = false;

  /** The text of the record being read (across chunks), capped. */
  readonly #text: RecordText;

  #chunk = '';

  constructor(opts: ScanOptions = {}) {
    this.#maxBytes = opts.maxRecordBytes ?? MAX_RECORD_BYTES;
    this.#maxDepth = opts.maxDepth ?? MAX_JSON_DEPTH;
    this.#text = new RecordText(this.#maxBytes);
  }

  /** Characters of the current record held between chunks (memory stays bounded by one record, capped). */
  get held(): number {
    return this.#text.held;
  }

  /** Feeds the next piece of text; returns the records it completed. */
  push(chunk: string): ScannedPiece[] {
    this.#chunk = chunk;
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      // Fast paths: runs of characters that change no state (string content, text lines, indentation).
      const mode = this.#mode;
      let j = i;
      if (mode === Mode.Value && this.#inString) {
        if (!this.#escape) j = stringRunEnd(chunk, i);
      } else if (mode === Mode.Value && this.#inBare) j = bareRunEnd(chunk, i);
      else if (mode === Mode.Text || mode === Mode.SkipLine) j = lineRunEnd(chunk, i);
      else {
        j = blankRunEnd(chunk, i);
        if (j > i) {
          this.#prevCR = false;
          i = j;
          continue;
        }
      }
      if (j > i) {
        this.#prevCR = false;
        this.#lineHasContent = true;
        i = j;
        continue;
      }
      const c = chunk.charCodeAt(i);
      let consumed = true;
      switch (this.#mode) {
        case Mode.Top:
          consumed = this.#top(c, i);
          break;
        case Mode.Bracket:
          consumed = this.#bracket(c, i);
          break;
        case Mode.Text:
        case Mode.SkipLine:
          if (c === 10 || c === 13) {
            this.#endLine(i);
            consumed = false; // the newline is then counted in Top mode
          }
          break;
        case Mode.Value:
          consumed = this.#value(c, i);
          break;
      }
      if (!consumed) continue;
      // Line counting: CRLF, LF and CR-only all end a line.
      if (c === 10) {
        if (!this.#prevCR) this.#newLine();
        this.#prevCR = false;
      } else if (c === 13) {
        this.#newLine();
        this.#prevCR = true;
      } else {
        this.#prevCR = false;
        if (!isSpace(c)) this.#lineHasContent = true;
      }
      i++;
    }
    if (this.#text.active) this.#text.carry(chunk);
    if (this.#keyStart >= 0) {
      this.#keyParts += chunk.slice(this.#keyStart, Math.min(n, this.#keyStart + 16));
      this.#keyStart = 0;
    }
    this.#chunk = '';
    return this.#out.splice(0);
  }

  /** The end of the file: what was left open becomes a record or a dead letter. */
  end(): ScannedPiece[] {
    this.#chunk = '';
    switch (this.#mode) {
      case Mode.Text:
      case Mode.SkipLine:
      case Mode.Bracket:
        this.#endLine(0);
        break;
      case Mode.Value:
        if (this.#text.active) this.#fail(0, 'the file ends inside this record');
        else
          this.#out.push({
            line: this.#line,
            error: `invalid JSON: the file ends inside a JSON ${this.#topKind === 'envelope' ? 'envelope' : 'array'} (its records before this point were read)`,
            raw: '',
          });
        break;
    }
    return this.#out.splice(0);
  }

  #newLine(): void {
    this.#line++;
    this.#lineHasContent = false;
  }

  #top(c: number, i: number): boolean {
    if (isSpace(c)) return true;
    this.#begin(i);
    this.#lastKey = '';
    if (c === 123 /* { */) {
      this.#topKind = 'object';
      this.#emitDepth = 0;
      this.#stack = [O_KEY_OR_CLOSE];
      this.#mode = Mode.Value;
    } else if (c === 91 /* [ */) {
      this.#bracketNewline = false;
      this.#mode = Mode.Bracket;
    } else this.#mode = Mode.Text;
    return true;
  }

  #bracket(c: number, i: number): boolean {
    if (c === 10 || c === 13) {
      this.#bracketNewline = true;
      return true;
    }
    if (isSpace(c)) return true;
    if (c === 123 || c === 34 || c === 91 || c === 93) {
      // A JSON array: its elements are the records; the array itself is never kept.
      this.#text.active = false;
      this.#topKind = 'array';
      this.#emitDepth = 1;
      this.#elemIndex = 0;
      this.#stack = [A_VALUE_OR_CLOSE];
      this.#mode = Mode.Value;
      return false;
    }
    if (this.#bracketNewline) {
      this.#endLine(i); // a lone `[` line
      return false;
    }
    this.#mode = Mode.Text;
    return true;
  }

  /** One character of a JSON value; false when it must be read again in the new state. */
  #value(c: number, i: number): boolean {
    if (this.#inString) {
      if (this.#escape) this.#escape = false;
      else if (c === 92) this.#escape = true;
      else if (c === 34) {
        this.#inString = false;
        if (this.#keyStart >= 0) this.#endKey(i);
        if (this.#deepSkip === 0) this.#completed(i + 1);
      } else if (c === 10 || c === 13) {
        this.#fail(i, 'a line break inside a string (unterminated string)');
        return false;
      }
      return true;
    }
    if (this.#inBare) {
      if (isBare(c)) return true;
      this.#inBare = false;
      this.#completed(i);
      return false;
    }
    if (isSpace(c)) return true;
    if (this.#deepSkip > 0) {
      if (c === 123 || c === 91) this.#deepSkip++;
      else if (c === 125 || c === 93) {
        if (--this.#deepSkip === 0) this.#completed(i + 1);
      } else if (c === 34) this.#inString = true;
      return true;
    }
    const stack = this.#stack;
    const state = stack[stack.length - 1]!;
    switch (state) {
      case O_KEY_OR_CLOSE:
      case O_KEY:
        if (c === 34) {
          stack[stack.length - 1] = O_COLON;
          this.#inString = true;
          if (stack.length === 1 && this.#topKind === 'object') {
            this.#keyStart = i + 1;
            this.#keyParts = '';
          }
          return true;
        }
        if (c === 125 && state === O_KEY_OR_CLOSE) return this.#close(i);
        break;
      case O_COLON:
        if (c === 58) {
          stack[stack.length - 1] = O_VALUE;
          return true;
        }
        break;
      case O_NEXT:
        if (c === 44) {
          stack[stack.length - 1] = O_KEY;
          return true;
        }
        if (c === 125) return this.#close(i);
        break;
      case A_NEXT:
        if (c === 44) {
          stack[stack.length - 1] = A_VALUE;
          return true;
        }
        if (c === 93) return this.#close(i);
        break;
      default: // O_VALUE, A_VALUE, A_VALUE_OR_CLOSE
        if (c === 93 && state === A_VALUE_OR_CLOSE) return this.#close(i);
        if (c === 123 || c === 91 || c === 34 || isBare(c)) return this.#open(c, i);
    }
    this.#fail(i, `unexpected ${JSON.stringify(String.fromCharCode(c))}`);
    return false;
  }

  #open(c: number, i: number): boolean {
    const stack = this.#stack;
    if (stack.length === this.#emitDepth) this.#begin(i);
    if (c === 91 && stack.length === 1 && this.#topKind === 'object' && this.#lastKey === 'records') {
      // `{"records": [` — an export envelope: its elements are the records, the envelope is never kept.
      this.#topKind = 'envelope';
      this.#emitDepth = 2;
      this.#elemIndex = 0;
      this.#text.active = false;
      stack.push(A_VALUE_OR_CLOSE);
      return true;
    }
    if (c === 34) this.#inString = true;
    else if (c !== 123 && c !== 91) this.#inBare = true;
    else if (stack.length >= MAX_TRACKED) {
      this.#deepSkip = 1;
      this.#text.problem = `JSON nesting deeper than ${this.#maxDepth}`;
    } else stack.push(c === 123 ? O_KEY_OR_CLOSE : A_VALUE_OR_CLOSE);
    return true;
  }

  #close(i: number): boolean {
    this.#stack.pop();
    this.#completed(i + 1);
    return true;
  }

  /** A value ended just before `end`: the container now expects a separator; maybe a record is complete. */
  #completed(end: number): void {
    const stack = this.#stack;
    if (stack.length === 0) {
      if (this.#topKind === 'object') this.#emit(end);
      this.#topKind = '';
      this.#mode = Mode.Top;
      return;
    }
    const top = stack.length - 1;
    const state = stack[top]!;
    if (state === O_COLON) return; // a key ended
    stack[top] = state === O_VALUE ? O_NEXT : A_NEXT;
    if (stack.length === this.#emitDepth && this.#text.active) this.#emit(end);
    else if (this.#topKind === 'envelope' && stack.length === 1 && this.#emitDepth === 2)
      this.#emitDepth = -1; // the records array closed: the rest of the envelope is read, not kept
  }

  #endKey(i: number): void {
    const key = this.#keyParts + this.#chunk.slice(this.#keyStart, i);
    this.#lastKey = key.length <= 16 ? key : '';
    this.#keyStart = -1;
  }

  #begin(i: number): void {
    this.#text.begin(this.#line, i);
  }

  #takeText(end: number): string {
    return this.#text.take(this.#chunk, end);
  }

  #piece(p: Piece): void {
    const piece: ScannedPiece = { line: this.#text.line, ...p };
    if (this.#topKind === 'array' || (this.#topKind === 'envelope' && this.#emitDepth === 2))
      piece.element = {
        container: this.#topKind === 'array' ? 'array' : 'records',
        index: this.#elemIndex++,
      };
    this.#out.push(piece);
  }

  /** A complete JSON record ends before `end`. */
  #emit(end: number): void {
    const text = this.#takeText(end);
    const problem = this.#text.problem ?? this.#text.tooLarge(text);
    if (problem) {
      this.#piece({ error: problem, raw: capRaw(text) });
      return;
    }
    const piece = jsonPiece(text, this.#topKind === 'object', this.#maxDepth, this.#maxBytes);
    if (!('envelope' in piece)) {
      this.#piece(piece);
      return;
    }
    // An envelope whose `records` key could not be spelled out while scanning (escaped): split it here.
    this.#topKind = 'envelope';
    this.#emitDepth = 2;
    for (const p of piece.envelope) this.#piece(p);
  }

  /** The end of a text line (or of the rest of a broken JSON line) at `i`. */
  #endLine(i: number): void {
    const skipping = this.#mode === Mode.SkipLine;
    const reason = this.#text.problem;
    const text = this.#takeText(i).trim();
    this.#mode = Mode.Top;
    if (skipping) this.#piece({ error: reason ?? 'invalid JSON', raw: text });
    else if (text) this.#piece(textLinePiece(text, this.#text.tooLarge(text)));
    this.#topKind = '';
  }

  /**
   * A JSON error at `i`. A broken record costs its own lines only: when the error is a `{` or `[` that opens a
   * line after the record's first, that line starts the next record (an NDJSON line cut short); otherwise the
   * record runs to the end of the error's line. Either way the containing array or envelope is left, and what
   * follows is read from the top again.
   */
  #fail(i: number, what: string): void {
    const c = this.#chunk.charCodeAt(i);
    const line = this.#line;
    const restart =
      this.#chunk !== '' &&
      (c === 123 || c === 91) &&
      !this.#lineHasContent &&
      (!this.#text.active || line > this.#text.line);
    this.#stack = [];
    this.#inString = this.#inBare = this.#escape = false;
    this.#deepSkip = 0;
    this.#keyStart = -1;
    if (restart || this.#chunk === '') {
      if (this.#text.active) {
        const text = this.#takeText(i).trim();
        const why = restart ? `the record is cut short (line ${line} starts a new one)` : what;
        if (text) this.#piece({ error: `invalid JSON: ${why}`, raw: capRaw(text) });
      }
      this.#topKind = '';
      this.#mode = Mode.Top;
      return;
    }
    if (!this.#text.active) this.#begin(i);
    this.#text.problem = `invalid JSON: ${what} at line ${line}`;
    this.#mode = Mode.SkipLine;
  }
}
