/**
 * String functions (https://learn.microsoft.com/kusto/query/tostring-function, …/strcat-function,
 * …/strcat-array-function, …/extract-function, …/extract-all-function, …/split-function, …/tolower-function,
 * …/strlen-function, …/substring-function).
 */
import { fail, NO_ROW, unsupported } from '../../engine/env.js';
import { type SNode, typeKeyword } from '../../syntax/tree.js';
import { toKqlString } from '../../values/format.js';
import { parseDatetime } from '../../values/literals.js';
import { compileRe2, groupCount } from '../../values/regex.js';
import { kqlType, type Row, type V } from '../../values/value.js';
import type { CallArgs, ScalarImpl } from './registry.js';

/** The argument's string form (tostring semantics) for each argument. */
function strings({ args, nodes }: CallArgs): ((r: Row) => string)[] {
  return args.map((a, i) => (r) => toKqlString(a(r), nodes[i]!.type));
}

/** A constant regex argument (Kusto requires a literal or constant pattern for the functions here). */
function regexArg(a: CallArgs, i: number, global: boolean): RegExp {
  const n = a.nodes[i]!;
  if (!n.kind.endsWith('LiteralExpression') && n.ref?.kind !== 'Variable') {
    return unsupported('non-constant regular expression', n);
  }
  const re = compileRe2(toKqlString(a.args[i]!(NO_ROW), 'string'), global);
  if (typeof re === 'string') return unsupported(`regular expression (${re})`, n);
  return re;
}

/**
 * extract(regex, captureGroup, source [, typeof(T)]): the group's text, "" when nothing matches; with a type, the
 * text converted as toint/tolong/todouble/todatetime/tobool would, null when there is no match or it does not convert.
 */
const extract: ScalarImpl = (a) => {
  const re = regexArg(a, 0, false);
  const group = a.args[1]!;
  const src = strings(a)[2]!;
  const typeNode = a.nodes[3];
  const convert = typeNode ? converter(typeNode) : undefined;
  return (r) => {
    const g = group(r);
    const m = g === null ? null : re.exec(src(r));
    const text = m ? m[g as number] : undefined;
    if (!convert) return text ?? '';
    return text === undefined ? null : convert(text);
  };
};

function converter(typeNode: SNode): (text: string) => V {
  const type = kqlType(typeKeyword(typeNode));
  switch (type) {
    case 'string':
      return (t) => t;
    case 'int':
    case 'long':
      return (t) => (/^\s*[+-]?\d+\s*$/.test(t) ? Number.parseInt(t, 10) : null);
    case 'real':
      return (t) => (t.trim() !== '' && Number.isFinite(Number(t)) ? Number(t) : null);
    case 'datetime':
      return (t) => parseDatetime(t) ?? null;
    case 'bool':
      return (t) => (/^true$/i.test(t.trim()) ? true : /^false$/i.test(t.trim()) ? false : null);
    default:
      return unsupported(`extract() to typeof(${type ?? '?'})`, typeNode);
  }
}

/** extract_all(regex, [groups,] source): one entry per match (a string per match with one group, else an array). */
const extractAll: ScalarImpl = (a) => {
  const re = regexArg(a, 0, true);
  const groups = groupCount(re);
  if (groups < 1 || groups > 16)
    return fail('extract_all() needs a regex with 1 to 16 capture groups', a.nodes[0]!);
  if (a.nodes.length === 3) return unsupported('extract_all() with capture group selection', a.nodes[1]!);
  const src = strings(a)[1]!;
  return (r) => {
    const out: V[] = [];
    for (const m of src(r).matchAll(re)) {
      out.push(groups === 1 ? (m[1] ?? '') : m.slice(1).map((g) => g ?? ''));
    }
    return out.length ? out : null;
  };
};

export const STRING: Record<string, ScalarImpl> = {
  tostring: (a) => strings(a)[0]!,
  strcat: (a) => {
    const s = strings(a);
    return (r) => s.map((f) => f(r)).join('');
  },
  strcat_delim: (a) => {
    const [d, ...s] = strings(a);
    return (r) => s.map((f) => f(r)).join(d!(r));
  },
  /** Elements as tostring would print them; null elements print as empty. */
  strcat_array: (a) => {
    const [arr] = a.args;
    const d = strings(a)[1]!;
    return (r) => {
      const v = arr!(r);
      if (!Array.isArray(v)) return '';
      return v.map((e) => toKqlString(e, 'dynamic')).join(d(r));
    };
  },
  extract,
  extract_all: extractAll,
  tolower: (a) => {
    const s = strings(a)[0]!;
    return (r) => s(r).toLowerCase();
  },
  toupper: (a) => {
    const s = strings(a)[0]!;
    return (r) => s(r).toUpperCase();
  },
  strlen: (a) => {
    const s = strings(a)[0]!;
    return (r) => [...s(r)].length;
  },
  /** substring(source, start [, length]): a negative start counts from the end; clamped to the string. */
  substring: (a) => {
    const s = strings(a)[0]!;
    const [, st, len] = a.args;
    return (r) => {
      const str = [...s(r)];
      const start = (st!(r) as number | null) ?? 0;
      const from = Math.max(0, start < 0 ? str.length + start : start);
      const l = len ? len(r) : null;
      return str.slice(from, l === null ? undefined : from + Math.max(0, l as number)).join('');
    };
  },
  /** split(source, delimiter [, index]): the pieces, or an array of the one at index (empty when out of range). */
  split: (a) => {
    const [s, d] = strings(a);
    const idx = a.args[2];
    return (r) => {
      const parts = s!(r).split(d!(r));
      if (!idx) return parts;
      const i = idx(r);
      if (i === null) return null;
      const p = parts[i as number];
      return p === undefined ? [] : [p];
    };
  },
};
