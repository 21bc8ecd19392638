/** Labelled text (`Label: value` runs, as in the syslog text and object formats) and the draft they share. */
import type { Device } from '../../model/alert.js';
import { toEngine, toSeverity } from '../severity.js';
import { type Draft, fail, messageText, type ParseOptions, quote, text } from './text.js';
import { resolveTimes } from './time.js';

export interface LabelSpec {
  /** Canonical key the parser reads. */
  readonly key: string;
  /** Spellings, matched case-insensitively. */
  readonly names: readonly string[];
  /** Free text (the alert message): only a `strong` label may end it, so words in it are not split off. */
  readonly long?: boolean;
  /** Distinctive enough to end a long value. */
  readonly strong?: boolean;
}

export interface LabelScanner {
  readonly re: RegExp;
  readonly byName: Map<string, LabelSpec>;
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Build once per format: one alternation of literal labels (longest first), so matching cannot backtrack. */
export function labelScanner(specs: readonly LabelSpec[]): LabelScanner {
  const byName = new Map<string, LabelSpec>();
  for (const s of specs) for (const n of s.names) byName.set(n.toLowerCase(), s);
  const names = [...byName.keys()].sort((a, b) => b.length - a.length).map(escapeRe);
  // A label starts the text or follows a separator, and is followed by ':' or '='.
  const re = new RegExp(`(?:^|[\\s,;|])(${names.join('|')})[ \\t]*[:=]`, 'gi');
  return { re, byName };
}

/**
 * Split `s` into labelled values. The value of a label runs to the next label; trailing separators are dropped.
 * Repeated labels are all returned in order (the text format repeats Protocol/Address for source and destination).
 */
export function scanLabels(s: string, sc: LabelScanner): Array<{ key: string; value: string }> {
  const hits: Array<{ spec: LabelSpec; start: number; valueStart: number }> = [];
  sc.re.lastIndex = 0;
  for (let m = sc.re.exec(s); m !== null; m = sc.re.exec(s)) {
    const name = m[1]!;
    const spec = sc.byName.get(name.toLowerCase());
    if (spec === undefined) continue;
    const end = m.index + m[0].length;
    hits.push({ spec, start: m.index + m[0].indexOf(name), valueStart: end });
  }
  const out: Array<{ key: string; value: string }> = [];
  for (let i = 0; i < hits.length; i++) {
    const h = hits[i]!;
    let j = i + 1;
    if (h.spec.long) while (j < hits.length && !hits[j]!.spec.strong) j++;
    const end = j < hits.length ? hits[j]!.start : s.length;
    out.push({ key: h.spec.key, value: trimValue(s.slice(h.valueStart, end)) });
    i = j - 1;
  }
  return out;
}

/** Drop surrounding whitespace and the separators that sat between two labelled values. */
export function trimValue(v: string): string {
  let e = v.length;
  while (e > 0) {
    const c = v.charCodeAt(e - 1);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 44 || c === 59 || c === 124) e--;
    else break;
  }
  return v.slice(0, e).trim();
}

/** What the labelled syslog formats (text message, object) found, besides their plain fields. */
export interface LabelledParts {
  source: Device;
  destination: Device;
  protocol: string | undefined;
  /** The syslog header: its time when the message has none, its host when no sensor is named. */
  header: { timestamp?: string; hostname?: string };
  sourceFormat: 'SyslogText' | 'SyslogObject';
  /** How the format labels its title, for the reason when it is missing. */
  titleLabel: string;
}

/** The draft of a labelled syslog alert from its fields: title and severity are required, times resolved. */
export function labelledDraft(
  f: Record<string, unknown>,
  parts: LabelledParts,
  opts: ParseOptions | undefined,
): Draft {
  const title = text(f.title, 100_000);
  if (title === undefined) return fail(`missing title (${parts.titleLabel})`);
  const severity = toSeverity(f.severity);
  if (severity === undefined) {
    return fail(
      f.severity === undefined ? 'missing severity' : `severity: unknown value ${quote(f.severity)}`,
    );
  }
  // No `sentAt`: the syslog object's header time is when the syslog server received it, in a zone it does
  // not state (docs/contracts.md), so it cannot tell the forwarding rule's zone as CEF's and LEEF's UTC header does.
  const times = resolveTimes([f.time], [], opts, { headerTime: parts.header.timestamp });
  if ('reason' in times) return fail(times.reason);
  return {
    ok: true,
    alert: {
      id: text(f.id),
      title,
      message: messageText(f.message),
      engine: toEngine(f.engine),
      category: text(f.category),
      severity,
      status: 'New',
      protocol: parts.protocol,
      source: parts.source,
      destination: parts.destination,
      sensor: text(f.sensor) ?? parts.header.hostname,
      firstSeen: times.firstSeen,
      lastSeen: times.lastSeen,
      sourceFormat: parts.sourceFormat,
      ...(times.wallClock ? { wallClock: times.wallClock } : {}),
    },
  };
}
