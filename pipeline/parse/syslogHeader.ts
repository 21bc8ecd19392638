/**
 * Optional syslog framing in front of a CEF/LEEF/text/object message: RFC 6587 octet counting,
 * RFC 5424 (`<PRI>1 TS HOST APP PROCID MSGID SD MSG`) and RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST MSG`,
 * also without PRI, with a year, or with an ISO timestamp as rsyslog writes it).
 * Anything that does not look like a header is returned untouched as the message.
 */
import { parseTime } from './fields/index.js';

export interface SyslogHeader {
  message: string;
  /** Header time as ISO UTC (when the sender stamped the message; not the alert time). */
  timestamp?: string;
  hostname?: string;
}

const OCTET_RE = /^\d{1,7} (?=<)/;
const PRI_RE = /^<(\d{1,3})>/;
// Anchored, single-pass patterns: each quantifier is followed by a different character class.
const BSD_TS_RE = /^([A-Za-z]{3}) {1,2}(\d{1,2}) (?:(\d{4}) )?(\d{1,2}:\d{2}:\d{2})(?:\.\d{1,6})? /;
const ISO_TS_RE = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?) /;
const MONTHS = 'jan feb mar apr may jun jul aug sep oct nov dec';

export function stripSyslogHeader(line: string, now: number = Date.now()): SyslogHeader {
  let s = line;
  const oc = OCTET_RE.exec(s);
  if (oc !== null) s = s.slice(oc[0].length);
  let hadPri = false;
  const pri = PRI_RE.exec(s);
  if (pri !== null) {
    hadPri = true;
    s = s.slice(pri[0].length);
    // RFC 5424: a version number then a space right after PRI.
    const c = s.charCodeAt(0);
    if (c >= 49 && c <= 57 && s.charCodeAt(1) === 32) return rfc5424(s.slice(2), now);
  }
  return rfc3164(s, hadPri, now);
}

function rfc3164(s: string, hadPri: boolean, now: number): SyslogHeader {
  let rest: string | undefined;
  let ts: string | undefined;
  const bsd = BSD_TS_RE.exec(s);
  if (bsd !== null && MONTHS.includes(bsd[1]!.toLowerCase())) {
    ts = parseTime(`${bsd[1]} ${bsd[2]}${bsd[3] === undefined ? '' : ` ${bsd[3]}`} ${bsd[4]}`, now);
    rest = s.slice(bsd[0].length);
  } else {
    const iso = ISO_TS_RE.exec(s);
    if (iso !== null) {
      ts = parseTime(iso[1], now);
      rest = s.slice(iso[0].length);
    }
  }
  if (rest === undefined) return { message: hadPri ? s.trimStart() : s };
  // The HOSTNAME token, unless the sender left it out and the message starts right away.
  const sp = rest.indexOf(' ');
  const host = sp < 0 ? rest : rest.slice(0, sp);
  if (looksLikeMessageStart(host)) return withTime({ message: rest }, ts);
  const out: SyslogHeader = { message: sp < 0 ? '' : rest.slice(sp + 1) };
  if (host !== '-' && host !== '') out.hostname = host;
  return withTime(out, ts);
}

function looksLikeMessageStart(tok: string): boolean {
  return tok.startsWith('CEF:') || tok.startsWith('LEEF:') || tok.startsWith('{') || tok.includes('=');
}

function withTime(h: SyslogHeader, ts: string | undefined): SyslogHeader {
  if (ts !== undefined) h.timestamp = ts;
  return h;
}

/** TIMESTAMP of RFC 5424: the NILVALUE or a full date (`2026-01-05T…`). */
const TS_5424_RE = /^(?:- |\d{4}-\d{2}-\d{2}T)/;

/** `TS HOST APP PROCID MSGID SD [MSG]` after `<PRI>1 `. */
function rfc5424(s: string, now: number): SyslogHeader {
  // `<9>1 CEF:0|…` is a bare message after a version-like digit: reading its words as header fields would eat
  // the start of the message.
  if (!TS_5424_RE.test(s)) return { message: s };
  let pos = 0;
  const tokens: string[] = [];
  for (let i = 0; i < 5; i++) {
    const sp = s.indexOf(' ', pos);
    if (sp < 0) return { message: s }; // not really 5424: leave it alone
    tokens.push(s.slice(pos, sp));
    pos = sp + 1;
  }
  const end = skipStructuredData(s, pos);
  if (end < 0) return { message: s };
  let message = s.charCodeAt(end) === 32 ? s.slice(end + 1) : s.slice(end);
  if (message.charCodeAt(0) === 0xfeff) message = message.slice(1); // UTF-8 BOM marker allowed by 5424
  const out: SyslogHeader = { message };
  const [ts, host] = tokens as [string, string];
  if (ts !== '-') {
    const t = parseTime(ts, now);
    if (t !== undefined) out.timestamp = t;
  }
  if (host !== '-') out.hostname = host;
  return out;
}

/** Index just past STRUCTURED-DATA (`-` or `[id k="v"]...`, with `\"`, `\]`, `\\` escapes in values); -1 if malformed. */
function skipStructuredData(s: string, pos: number): number {
  if (s.charCodeAt(pos) === 45 /* - */) return pos + 1;
  let i = pos;
  while (s.charCodeAt(i) === 91 /* [ */) {
    let inQuote = false;
    i++;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (inQuote) {
        if (c === 92 /* \ */) i++;
        else if (c === 34 /* " */) inQuote = false;
      } else if (c === 34) inQuote = true;
      else if (c === 93 /* ] */) break;
    }
    if (i >= s.length) return -1;
    i++;
  }
  return i === pos ? -1 : i;
}
