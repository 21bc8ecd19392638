/**
 * Splitting event bodies and replay files into raw records, before any format detection.
 *
 * The Functions host JSON.parses each Event Hubs body when it can, so a body is an object/array, a string (not
 * JSON: NDJSON, syslog lines, broken JSON) or bytes. One body may hold many records: a Log Analytics data-export
 * envelope `{"records":[...]}`, a JSON array, NDJSON lines, or syslog lines. Guards against hostile input: records
 * over 1 MiB and JSON nested deeper than 64 are rejected with a reason; parsed values are only ever read, never
 * merged into other objects, so keys like `__proto__` stay inert data.
 */

import { capRaw, MAX_RAW_BYTES } from '../deadletter/deadLetterStore.js';
import { stringifyDeep } from './deepJson.js';

export const MAX_RECORD_BYTES = 1024 * 1024;
export const MAX_JSON_DEPTH = 64;
/** A dead letter keeps the whole record (records are at most 1 MiB), so a redrive can parse it again. */
export const MAX_RAW_CHARS = MAX_RAW_BYTES;

export interface RawRecord {
  /** A JSON object (already parsed) or a string (syslog line). */
  readonly value: unknown;
  /** The record's own text, for dead letters. */
  readonly raw: string;
  /** Position of the record within the event or file, counting failed pieces too. */
  readonly index: number;
  /** 1-based line where the record starts, when it came from text. */
  readonly line?: number;
}

export interface RawRecordError {
  readonly error: string;
  readonly raw: string;
  readonly index: number;
  readonly line?: number;
}

export type SplitPiece = RawRecord | RawRecordError;

export interface SplitOptions {
  maxRecordBytes?: number;
  maxDepth?: number;
}

export function isSplitError(p: SplitPiece): p is RawRecordError {
  return 'error' in p;
}

/**
 * A record whose `raw` text is produced only when someone reads it: re-serialising every already-parsed record
 * would cost as much as parsing it, and only dead letters need the text.
 */
class LazyRecord implements RawRecord {
  #raw: string | undefined;
  constructor(
    readonly value: unknown,
    readonly index: number,
    raw: string | undefined,
    readonly line: number | undefined,
  ) {
    this.#raw = raw;
  }
  get raw(): string {
    this.#raw ??= capRaw(JSON.stringify(this.value) ?? String(this.value));
    return this.#raw;
  }
  toJSON(): { value: unknown; raw: string; index: number; line?: number } {
    return this.line === undefined
      ? { value: this.value, raw: this.raw, index: this.index }
      : { value: this.value, raw: this.raw, index: this.index, line: this.line };
  }
}

/** UTF-8 byte length without encoding, computed only when the char count cannot decide. */
function byteLengthOver(s: string, max: number): boolean {
  if (s.length > max) return true;
  if (s.length * 3 <= max) return false;
  return Buffer.byteLength(s, 'utf8') > max;
}

interface Ctx {
  readonly out: SplitPiece[];
  readonly maxBytes: number;
  readonly maxDepth: number;
}

function ctxOf(opts: SplitOptions | undefined): Ctx {
  return {
    out: [],
    maxBytes: opts?.maxRecordBytes ?? MAX_RECORD_BYTES,
    maxDepth: opts?.maxDepth ?? MAX_JSON_DEPTH,
  };
}

function pushError(ctx: Ctx, error: string, raw: string, line?: number): void {
  const index = ctx.out.length;
  ctx.out.push(
    line === undefined ? { error, raw: capRaw(raw), index } : { error, raw: capRaw(raw), index, line },
  );
}

function pushRecord(ctx: Ctx, value: unknown, raw: string | undefined, line?: number): void {
  ctx.out.push(new LazyRecord(value, ctx.out.length, raw, line));
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const lossyDecoder = new TextDecoder('utf-8');

/** Split one Event Hubs event body into raw records (see module comment for the accepted shapes). */
export function splitEvent(body: unknown, opts?: SplitOptions): SplitPiece[] {
  const ctx = ctxOf(opts);
  if (body === undefined || body === null) pushError(ctx, 'empty event body', '');
  else if (typeof body === 'string') splitInto(ctx, body);
  else if (body instanceof Uint8Array || body instanceof ArrayBuffer) {
    const bytes = body instanceof ArrayBuffer ? new Uint8Array(body) : body;
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      pushError(ctx, 'invalid UTF-8 in event body', lossyDecoder.decode(bytes.subarray(0, MAX_RAW_CHARS)));
      return ctx.out;
    }
    splitInto(ctx, text);
  } else if (typeof body === 'object') addParsed(ctx, body, undefined, undefined);
  else pushError(ctx, `unsupported event body type ${typeof body}`, String(body));
  return ctx.out;
}

/** Split a whole replay file: NDJSON, one JSON array, an export envelope, or syslog lines (mixed per line). */
export function splitText(text: string, opts?: SplitOptions): SplitPiece[] {
  const ctx = ctxOf(opts);
  splitInto(ctx, text);
  return ctx.out;
}

function firstNonSpace(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 0xfeff) return i;
  }
  return -1;
}

function lineAt(s: string, pos: number): number {
  if (pos === 0) return 1; // the usual case: without this, indexOf scans the whole record for a newline
  let line = 1;
  for (let i = s.indexOf('\n'); i >= 0 && i < pos; i = s.indexOf('\n', i + 1)) line++;
  return line;
}

function splitInto(ctx: Ctx, text: string): void {
  const start = firstNonSpace(text, 0);
  if (start < 0) return;
  const c = text.charCodeAt(start);
  if (c === 123 /* { */ || c === 91 /* [ */) {
    // Whole text as one JSON document first (array, envelope, pretty-printed object).
    let parsed: unknown;
    let ok = false;
    try {
      parsed = JSON.parse(text);
      ok = true;
    } catch (e) {
      // NDJSON or mixed lines fail as a whole but their first line ends a value; a broken single document doesn't.
      if (!firstLineIsComplete(text, start)) {
        if (c === 123) {
          pushError(ctx, `invalid JSON: ${(e as Error).message}`, text.trim(), lineAt(text, start));
          return;
        }
      }
    }
    if (ok) {
      const whole = text.trim();
      if (!Array.isArray(parsed) && !isEnvelope(parsed) && byteLengthOver(whole, ctx.maxBytes)) {
        pushError(ctx, tooLarge(whole, ctx.maxBytes), whole, lineAt(text, start));
        return;
      }
      addParsed(ctx, parsed, whole, lineAt(text, start));
      return;
    }
  }
  splitLines(ctx, text);
}

function firstLineIsComplete(text: string, start: number): boolean {
  let nl = text.indexOf('\n', start);
  if (nl < 0) nl = text.length;
  const line = text.slice(start, nl).trimEnd();
  const last = line.charCodeAt(line.length - 1);
  return last === 125 /* } */ || last === 93 /* ] */;
}

function tooLarge(s: string, max: number): string {
  return `record too large (${Buffer.byteLength(s, 'utf8')} bytes > ${max})`;
}

function splitLines(ctx: Ctx, text: string): void {
  let pos = 0;
  let lineNo = 0;
  const n = text.length;
  while (pos < n) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = n;
    lineNo++;
    let end = nl;
    if (end > pos && text.charCodeAt(end - 1) === 13 /* \r */) end--;
    const line = text.slice(pos, end);
    pos = nl + 1;
    const first = firstNonSpace(line, 0);
    if (first < 0) continue;
    if (byteLengthOver(line, ctx.maxBytes)) {
      pushError(ctx, tooLarge(line, ctx.maxBytes), line, lineNo);
      continue;
    }
    const c = line.charCodeAt(first);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      const trimmed = line.trim();
      let parsed: unknown;
      try {
        parsed = JSON.parse(trimmed);
      } catch (e) {
        // `[2026-01-05] ...` is a text line, not JSON; a line opening an object is broken JSON.
        if (c === 123) pushError(ctx, `invalid JSON: ${(e as Error).message}`, trimmed, lineNo);
        else pushRecord(ctx, trimmed, trimmed, lineNo);
        continue;
      }
      addParsed(ctx, parsed, trimmed, lineNo);
      continue;
    }
    const value = first === 0 ? line.trimEnd() : line.trim();
    pushRecord(ctx, value, line, lineNo);
  }
}

function isEnvelope(v: unknown): v is { records: unknown[] } {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Array.isArray((v as { records?: unknown }).records)
  );
}

/** A parsed JSON value: array → elements, export envelope → its records, object → itself. */
function addParsed(ctx: Ctx, v: unknown, raw: string | undefined, line: number | undefined): void {
  if (Array.isArray(v)) {
    for (const el of v) addElement(ctx, el, undefined, line, raw);
  } else if (isEnvelope(v)) {
    for (const el of v.records) addElement(ctx, el, undefined, line, raw);
  } else addElement(ctx, v, raw, line);
}

/** `outer`: the text of the array or envelope holding `el`, the evidence kept when `el` cannot be re-serialised. */
function addElement(
  ctx: Ctx,
  el: unknown,
  raw: string | undefined,
  line: number | undefined,
  outer?: string,
): void {
  if (typeof el === 'string') {
    if (byteLengthOver(el, ctx.maxBytes)) pushError(ctx, tooLarge(el, ctx.maxBytes), el, line);
    else pushRecord(ctx, el, el, line);
    return;
  }
  if (typeof el !== 'object' || el === null || Array.isArray(el)) {
    const kind = el === null ? 'null' : Array.isArray(el) ? 'a nested array' : typeof el;
    // safeStringify: a nested array can be thousands of levels deep, and JSON.stringify recurses.
    pushError(
      ctx,
      `record is ${kind}, not an object or string`,
      safeStringify(el, outer) || String(el),
      line,
    );
    return;
  }
  const problem = checkShape(el, ctx.maxDepth, ctx.maxBytes);
  if (problem !== undefined) pushError(ctx, problem, raw ?? safeStringify(el, outer), line);
  else pushRecord(ctx, el, raw, line);
}

/** Too deep for JSON.stringify (it recurses): the text it came in (the line as read), else serialised without recursion. */
function safeStringify(v: unknown, outer: string | undefined): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return outer ?? stringifyDeep(v);
  }
}

/**
 * Depth and approximate serialised size of a parsed record, iteratively (a hostile document must not overflow the
 * stack), stopping as soon as a limit is crossed. Size counts string/key lengths plus JSON punctuation.
 */
export function checkShape(root: object, maxDepth: number, maxBytes: number): string | undefined {
  const stack: unknown[] = [root];
  const depths: number[] = [1];
  let size = 0;
  while (stack.length > 0) {
    const v = stack.pop();
    const depth = depths.pop()!;
    if (typeof v === 'string') {
      size += v.length + 2;
    } else if (typeof v === 'object' && v !== null) {
      if (depth > maxDepth) return `JSON nesting deeper than ${maxDepth}`;
      size += 2;
      if (Array.isArray(v)) {
        for (const item of v) {
          size += 1;
          stack.push(item);
          depths.push(depth + 1);
        }
      } else {
        for (const k of Object.keys(v)) {
          size += k.length + 4;
          stack.push((v as Record<string, unknown>)[k]);
          depths.push(depth + 1);
        }
      }
    } else size += 8;
    if (size > maxBytes) return `record too large (over ${maxBytes} bytes)`;
  }
  return undefined;
}
