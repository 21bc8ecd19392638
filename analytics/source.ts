/**
 * Source positions for content files, so every problem reads `file:line:col: message`.
 *
 * - YAML (rules, hunting queries): the `yaml` package gives each node's range; a KQL offset inside a literal block
 *   scalar (`query: |`) maps to the file line of the query line and the column past the block's indentation.
 * - JSON (workbooks): a small scanner records where each string value starts, and a decoded offset inside it (a
 *   query is one JSON string with `\n` escapes) maps back through the escapes to the file position.
 */
import {
  type Document,
  isMap,
  isScalar,
  LineCounter,
  parseDocument,
  type Scalar,
  type Node as YamlNode,
} from 'yaml';

export interface Position {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
}

import type { Problem } from './problem.js';

export type { Problem };

/** 1-based line/column of a 0-based offset in `text`. */
export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  const end = Math.max(0, Math.min(offset, text.length));
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: end - lineStart + 1 };
}

// ---------------------------------------------------------------------------------------------------------------
// YAML

export type YamlPath = readonly (string | number)[];

export interface YamlSource {
  readonly file: string;
  readonly text: string;
  readonly doc: Document;
  readonly lines: LineCounter;
  /** Syntax errors, already positioned. */
  readonly errors: readonly Problem[];
}

export function parseYamlSource(file: string, text: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const errors: Problem[] = doc.errors.map((e) => {
    const pos = e.linePos?.[0] ?? positionAt(text, e.pos[0]);
    return { file, line: pos.line, col: pos.col, message: `YAML: ${e.message.split('\n')[0]}` };
  });
  return { file, text, doc, lines, errors };
}

function nodeAt(src: YamlSource, path: YamlPath): YamlNode | undefined {
  const node = src.doc.getIn(path, true);
  return node && typeof node === 'object' && 'range' in (node as object) ? (node as YamlNode) : undefined;
}

function keyNodeAt(src: YamlSource, path: YamlPath): YamlNode | undefined {
  if (path.length === 0) return undefined;
  const parent = path.length === 1 ? src.doc.contents : src.doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const key = path[path.length - 1];
  const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === key);
  return pair && isScalar(pair.key) ? pair.key : undefined;
}

function positionOfOffset(src: YamlSource, offset: number): Position {
  const p = src.lines.linePos(offset);
  return { line: p.line, col: p.col };
}

/**
 * Position of the value at `path` (or, with `key`, of its key); when the path does not exist, of the nearest
 * existing ancestor (a missing key points at the map that lacks it).
 */
export function yamlPosition(src: YamlSource, path: YamlPath, opts: { key?: boolean } = {}): Position {
  for (let n = path.length; n >= 0; n--) {
    const p = path.slice(0, n);
    const node = opts.key && n === path.length ? keyNodeAt(src, p) : nodeAt(src, p);
    const start = node?.range?.[0];
    if (start !== undefined) return positionOfOffset(src, start);
    if (n === path.length && !opts.key) {
      const key = keyNodeAt(src, p);
      if (key?.range) return positionOfOffset(src, key.range[0]);
    }
  }
  return { line: 1, col: 1 };
}

/** Position of the key named `key` inside the map at `path` (for unrecognized keys). */
export function yamlKeyPosition(src: YamlSource, path: YamlPath, key: string): Position {
  return yamlPosition(src, [...path, key], { key: true });
}

/**
 * File position of `offset` inside the string value at `path` (a KQL diagnostic offset). Exact for literal block
 * scalars (`|`, `|-`, `|+`) and single-line plain or quoted scalars; for folded or multi-line flow scalars, the line is
 * found by counting value lines, which is right as long as lines were not folded.
 */
export function yamlOffsetPosition(src: YamlSource, path: YamlPath, offset: number): Position {
  const node = nodeAt(src, path);
  if (!node || !isScalar(node) || !node.range) return yamlPosition(src, path);
  const scalar = node as Scalar;
  const range = scalar.range!;
  const value = String(scalar.value);
  const before = value.slice(0, Math.max(0, Math.min(offset, value.length)));
  const lineIndex = before.split('\n').length - 1;
  const colInLine = before.length - (before.lastIndexOf('\n') + 1);
  const start = positionOfOffset(src, range[0]);
  if (scalar.type === 'BLOCK_LITERAL' || scalar.type === 'BLOCK_FOLDED') {
    const fileLines = src.text.split('\n');
    // Content starts on the line after the header (`|`); its indentation is that of the first non-blank line.
    const first = start.line; // 0-based index of the line after the header
    let indent = 0;
    for (let i = first; i < fileLines.length; i++) {
      const l = fileLines[i] ?? '';
      if (l.trim() !== '') {
        indent = l.length - l.trimStart().length;
        break;
      }
    }
    return { line: start.line + 1 + lineIndex, col: indent + colInLine + 1 };
  }
  const quote = scalar.type === 'QUOTE_DOUBLE' || scalar.type === 'QUOTE_SINGLE' ? 1 : 0;
  if (lineIndex === 0) return { line: start.line, col: start.col + quote + colInLine };
  return { line: start.line + lineIndex, col: colInLine + 1 };
}

// ---------------------------------------------------------------------------------------------------------------
// JSON

export type JsonPath = readonly (string | number)[];

export interface JsonSource {
  readonly file: string;
  readonly text: string;
  readonly value: unknown;
  /** Raw offset (at the opening quote) of every string value, by path key. */
  readonly strings: ReadonlyMap<string, number>;
  readonly error?: Problem;
}

export const jsonPathKey = (path: JsonPath): string => JSON.stringify(path);

/** Parses JSON and records the offset of every string value. */
export function parseJsonSource(file: string, text: string): JsonSource {
  const strings = new Map<string, number>();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // Node 20 names no position for most JSON errors; YAML (a JSON superset) finds where the syntax breaks.
    const m = /position (\d+)/.exec(String((e as Error).message));
    const yamlError = m ? undefined : parseDocument(text).errors[0]?.linePos?.[0];
    const pos = m ? positionAt(text, Number(m[1])) : (yamlError ?? { line: 1, col: 1 });
    return {
      file,
      text,
      value: undefined,
      strings,
      error: { file, ...pos, message: `JSON: ${(e as Error).message}` },
    };
  }
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const skipString = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
  };
  const readKey = (): string => {
    const start = i;
    skipString();
    return JSON.parse(text.slice(start, i)) as string;
  };
  const walk = (path: (string | number)[]): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const key = readKey();
        ws();
        i++; // :
        walk([...path, key]);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        i++; // }
        return;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        walk([...path, n]);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        i++; // ]
        return;
      }
    }
    if (c === '"') {
      strings.set(jsonPathKey(path), i);
      skipString();
      return;
    }
    while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
  };
  walk([]);
  return { file, text, value, strings };
}

/** File position of the decoded character `offset` of the string value at `path`. */
export function jsonOffsetPosition(src: JsonSource, path: JsonPath, offset: number): Position {
  const start = src.strings.get(jsonPathKey(path));
  if (start === undefined) return { line: 1, col: 1 };
  let raw = start + 1;
  for (let decoded = 0; decoded < offset && raw < src.text.length && src.text[raw] !== '"'; decoded++) {
    if (src.text[raw] === '\\') raw += src.text[raw + 1] === 'u' ? 6 : 2;
    else raw++;
  }
  return positionAt(src.text, raw);
}

/** File position of the value at `path` (its opening quote for strings), else of the document start. */
export function jsonPosition(src: JsonSource, path: JsonPath): Position {
  const start = src.strings.get(jsonPathKey(path));
  return start === undefined ? { line: 1, col: 1 } : positionAt(src.text, start);
}
