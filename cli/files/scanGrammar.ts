/** The scanner's states and character classes, shared by the scanner and the record text it keeps. */

// Grammar expectations of an open container (the top of `stack`).
export const O_KEY_OR_CLOSE = 0;
export const O_KEY = 1;
export const O_COLON = 2;
export const O_VALUE = 3;
export const O_NEXT = 4;
export const A_VALUE_OR_CLOSE = 5;
export const A_VALUE = 6;
export const A_NEXT = 7;
/** Nesting tracked with its grammar; deeper than this a record is refused and only brackets are counted. */
export const MAX_TRACKED = 256;

export enum Mode {
  Top,
  /** `[` at top level: a JSON array, or a text line such as `[2026-01-05] ...`. */
  Bracket,
  Text,
  Value,
  /** After a JSON error: the rest of the line belongs to the broken record. */
  SkipLine,
}

export const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff || c === 12;
export const isBare = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 45 || c === 43 || c === 46;

/*
 * The scanner's fast paths: where a run of characters that changes no state ends (the index of the first
 * character that may). Called once per run, not per character.
 */

/** Inside a string, after no backslash: up to a quote, a backslash or a line break. */
export function stringRunEnd(s: string, from: number): number {
  let j = from;
  for (; j < s.length; j++) {
    const d = s.charCodeAt(j);
    if (d === 34 || d === 92 || d === 10 || d === 13) break;
  }
  return j;
}

/** Inside a number or literal. */
export function bareRunEnd(s: string, from: number): number {
  let j = from;
  while (j < s.length && isBare(s.charCodeAt(j))) j++;
  return j;
}

/** Inside a text line: up to its line break. */
export function lineRunEnd(s: string, from: number): number {
  let j = from;
  for (; j < s.length; j++) {
    const d = s.charCodeAt(j);
    if (d === 10 || d === 13) break;
  }
  return j;
}

/** Spaces and tabs (indentation). */
export function blankRunEnd(s: string, from: number): number {
  let j = from;
  for (; j < s.length; j++) {
    const d = s.charCodeAt(j);
    if (d !== 32 && d !== 9) break;
  }
  return j;
}
