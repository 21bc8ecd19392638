/**
 * Workbook parameters: `{Name}` and `{Name:format}` replaced by the caller's text (KqlContext.parameters, keyed
 * `Name` or `Name:format`) before parsing, as the workbook engine does. Error positions map back to the original.
 */
export interface Substituted {
  readonly text: string;
  readonly toOriginal: (offset: number) => number;
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?\}/g;

export function substitute(query: string, parameters: Record<string, string> | undefined): Substituted {
  if (!parameters) return { text: query, toOriginal: (o) => o };
  const segments: { outStart: number; outEnd: number; origStart: number; origEnd: number }[] = [];
  let text = '';
  let last = 0;
  for (const m of query.matchAll(PLACEHOLDER)) {
    const key = m[2] ? `${m[1]}:${m[2]}` : m[1]!;
    const value = Object.hasOwn(parameters, key) ? parameters[key] : undefined;
    if (value === undefined) continue;
    text += query.slice(last, m.index);
    segments.push({
      outStart: text.length,
      outEnd: text.length + value.length,
      origStart: m.index,
      origEnd: m.index + m[0].length,
    });
    text += value;
    last = m.index + m[0].length;
  }
  text += query.slice(last);
  const toOriginal = (offset: number): number => {
    let delta = 0;
    for (const s of segments) {
      if (offset < s.outStart) break;
      if (offset < s.outEnd) return s.origStart;
      delta = s.origEnd - s.outEnd;
    }
    return offset + delta;
  };
  return { text, toOriginal };
}
