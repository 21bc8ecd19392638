/** Literal expressions (scalar literals and `dynamic(…)` literals) to constant closures. */

import { type SNode, unquote } from '../syntax/tree.js';
import { toDynamic } from '../values/format.js';
import { parseDatetime, parseScalar, parseTimespan } from '../values/literals.js';
import type { V } from '../values/value.js';
import type { Compiled } from './env.js';
import { unsupported } from './env.js';

export function literalValue(n: SNode): V {
  const tokens = n.children.filter((c) => c.token);
  const text = tokens.map((t) => t.text).join('');
  switch (n.kind) {
    case 'StringLiteralExpression':
      return tokens.map((t) => unquote(t.text)).join('');
    case 'CompoundStringLiteralExpression':
      return (n.slots.get('Tokens')?.children ?? []).map((t) => unquote(t.text)).join('');
    case 'TokenLiteralExpression':
      return text;
    case 'LongLiteralExpression':
    case 'IntLiteralExpression':
    case 'RealLiteralExpression':
    case 'DecimalLiteralExpression':
    case 'BooleanLiteralExpression': {
      const v = parseScalar(text, n.kind === 'BooleanLiteralExpression' ? 'bool' : 'number');
      if (v === undefined) return unsupported(`literal ${text}`, n);
      return v;
    }
    case 'TimespanLiteralExpression': {
      if (/\(\s*null\s*\)/.test(text)) return null;
      const v = parseTimespan(text);
      if (v === undefined) return unsupported(`timespan literal ${text}`, n);
      return v;
    }
    case 'DateTimeLiteralExpression': {
      const v = parseDatetime(text);
      if (v === undefined) return unsupported(`datetime literal ${text}`, n);
      return v;
    }
    case 'GuidLiteralExpression': {
      const m = /\(\s*(.*?)\s*\)/.exec(text);
      return m ? (m[1] === 'null' ? null : m[1]!) : text;
    }
    case 'NullLiteralExpression':
      return null;
    case 'DynamicExpression': {
      const inner = n.slots.get('Expression');
      return inner ? jsonValue(inner) : null;
    }
    default:
      return unsupported(`literal ${n.kind}`, n);
  }
}

/** The JSON value of a dynamic literal's body. */
function jsonValue(n: SNode): V {
  switch (n.kind) {
    case 'JsonArrayExpression':
      return (n.slots.get('Values')?.children ?? []).map(jsonValue);
    case 'JsonObjectExpression': {
      const o: { [k: string]: V } = {};
      for (const p of n.slots.get('Pairs')?.children ?? []) {
        const name = p.slots.get('Name')!;
        o[unquote(name.text)] = jsonValue(p.slots.get('Value')!);
      }
      return o;
    }
    default:
      if (n.kind.endsWith('LiteralExpression')) return toDynamic(literalValue(n), n.type);
      return unsupported(`dynamic literal element ${n.kind}`, n);
  }
}

export function compileLiteral(n: SNode): Compiled {
  const v = literalValue(n);
  return () => v;
}
