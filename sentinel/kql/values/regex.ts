/**
 * Kusto regular expressions are RE2 (https://learn.microsoft.com/kusto/query/re2). The subset shared with
 * JavaScript is used as is; `(?P<name>…)` is rewritten to `(?<name>…)` and a leading `(?i)`/`(?s)`/`(?m)` becomes a
 * flag. Constructs whose meaning differs (other inline flags, \C, \z, \Q…\E, [[:class:]]) are refused.
 */
const cache = new Map<string, RegExp | string>();

/** The JS RegExp for an RE2 pattern, or the reason it is refused. */
export function compileRe2(pattern: string, global = false): RegExp | string {
  const key = `${global ? 'g' : ''}:${pattern}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let src = pattern;
  let flags = global ? 'g' : '';
  const lead = /^\(\?([ims]+)\)/.exec(src);
  if (lead) {
    flags += lead[1]!.replace(/m/, 'm').replace(/s/, 's');
    src = src.slice(lead[0].length);
  }
  let out: RegExp | string;
  if (/\(\?[a-zA-Z-]+[:)]/.test(src.replace(/\(\?P?</g, ''))) out = 'inline flags inside the pattern';
  else if (/\\[CzQE]|\[\[:/.test(src)) out = 'an RE2 construct without a JavaScript equivalent';
  else {
    try {
      out = new RegExp(src.replace(/\(\?P</g, '(?<'), flags);
    } catch (e) {
      out = `invalid regular expression: ${(e as Error).message}`;
    }
  }
  if (cache.size > 500) cache.clear();
  cache.set(key, out);
  return out;
}

/** Number of capture groups of a compiled pattern. */
export function groupCount(re: RegExp): number {
  return new RegExp(`${re.source}|`).exec('')!.length - 1;
}
