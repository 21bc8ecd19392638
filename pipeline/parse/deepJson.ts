/**
 * JSON.stringify without recursion, for values too deeply nested for `JSON.stringify` (which throws RangeError
 * past a few thousand levels). Only dead letters need it: the evidence of a hostile or broken record is kept
 * whatever its depth. Same output as JSON.stringify for plain JSON data (objects, arrays, strings, numbers,
 * booleans, null); `undefined`, functions and symbols are left out as JSON.stringify does.
 */
type Frame =
  | { kind: 'array'; items: unknown[]; i: number }
  | { kind: 'object'; keys: string[]; obj: Record<string, unknown>; i: number; wrote: boolean };

const skipped = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

export function stringifyDeep(root: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  const value = (v: unknown): void => {
    if (v === null || typeof v !== 'object') {
      out.push(JSON.stringify(v) ?? 'null');
      return;
    }
    const json = (v as { toJSON?: unknown }).toJSON;
    if (typeof json === 'function') {
      out.push(JSON.stringify(v) ?? 'null');
      return;
    }
    if (Array.isArray(v)) {
      out.push('[');
      stack.push({ kind: 'array', items: v, i: 0 });
    } else {
      out.push('{');
      stack.push({
        kind: 'object',
        keys: Object.keys(v),
        obj: v as Record<string, unknown>,
        i: 0,
        wrote: false,
      });
    }
  };
  value(root);
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.kind === 'array') {
      if (f.i >= f.items.length) {
        out.push(']');
        stack.pop();
        continue;
      }
      if (f.i > 0) out.push(',');
      const v = f.items[f.i++];
      if (skipped(v)) out.push('null');
      else value(v);
    } else {
      if (f.i >= f.keys.length) {
        out.push('}');
        stack.pop();
        continue;
      }
      const k = f.keys[f.i++]!;
      const v = f.obj[k];
      if (skipped(v)) continue;
      if (f.wrote) out.push(',');
      f.wrote = true;
      out.push(JSON.stringify(k), ':');
      value(v);
    }
  }
  return out.join('');
}
