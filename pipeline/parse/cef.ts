import { applyCustomLabels, extensionAlert, isD4IoTVendor, pick, setField } from './extension.js';
import { type Draft, fail, inReason, type ParseOptions, quote, text } from './fields/index.js';
import type { SyslogHeader } from './syslogHeader.js';

/** Header fields after `CEF:`: Version, Vendor, Product, DeviceVersion, SignatureID, Name, Severity. */
const HEADER_FIELDS = 7;

/**
 * Split the header on unescaped `|` (escapes `\|`, `\\`). Returns the fields and where the extension starts,
 * or the number of fields found when the header is truncated.
 */
export function splitCefHeader(
  s: string,
  from: number,
  count: number,
): { fields: string[]; rest: number } | number {
  const fields: string[] = [];
  let segStart = from;
  let escaped = false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 /* \ */) {
      escaped = true;
      i++;
    } else if (c === 124 /* | */) {
      const seg = s.slice(segStart, i);
      fields.push(escaped ? seg.replace(/\\([\\|])/g, '$1') : seg);
      segStart = i + 1;
      escaped = false;
      if (fields.length === count) return { fields, rest: segStart };
    }
  }
  return fields.length;
}

const KEY_RE = /^[A-Za-z0-9_.[\]-]{1,64}$/;

/**
 * Extension `key=value key2=value with spaces`: a key is the token before an unescaped `=` that follows a space.
 * An `=` without a valid key before it stays part of the value (tolerates `msg=a=b`). One pass, no regex over the
 * whole string. Keys are lower-cased; values are unescaped (`\=`, `\\`, `\n`, `\r`, `\|`) and trimmed.
 * A repeated key is resolved by `setField`.
 */
export function parseExtension(s: string): Map<string, string> {
  const out = new Map<string, string>();
  const pinned = new Set<string>();
  const n = s.length;
  let key: string | undefined;
  let valueStart = 0;
  let lastSpace = -1;
  let escaped = false;
  let i = 0;
  while (i < n && s.charCodeAt(i) === 32) i++;
  const tokenStart = i;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 /* \ */) {
      escaped = true;
      // `\\` and `\=` hide the next character; a stray backslash must not hide the space before a key.
      const next = s.charCodeAt(i + 1);
      if (next !== 32 && next !== 9) i++;
      continue;
    }
    if (c === 32 || c === 9) {
      lastSpace = i;
      continue;
    }
    if (c !== 61 /* = */) continue;
    if (key === undefined) {
      // Leading junk before the first key is skipped: the key is the last token before this `=`.
      const k = s.slice(lastSpace >= tokenStart ? lastSpace + 1 : tokenStart, i);
      if (!KEY_RE.test(k)) continue;
      key = k;
      valueStart = i + 1;
      lastSpace = -1;
      escaped = false;
      continue;
    }
    if (lastSpace < valueStart) continue; // `=` inside a value token
    const k = s.slice(lastSpace + 1, i);
    if (!KEY_RE.test(k)) continue;
    setValue(out, pinned, key, s.slice(valueStart, lastSpace), escaped);
    key = k;
    valueStart = i + 1;
    lastSpace = -1;
    escaped = false;
  }
  if (key !== undefined) setValue(out, pinned, key, s.slice(valueStart), escaped);
  return out;
}

function setValue(
  out: Map<string, string>,
  pinned: Set<string>,
  key: string,
  raw: string,
  escaped: boolean,
): void {
  setField(out, pinned, key.toLowerCase(), (escaped ? unescapeValue(raw) : raw).trim());
}

function unescapeValue(v: string): string {
  return v.replace(/\\([\\=|nrt])/g, (_m, c: string) =>
    c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c,
  );
}

/** Parse the CEF message starting at `at` (index of `CEF:` inside the syslog message). */
export function parseCef(msg: string, at: number, header: SyslogHeader, opts?: ParseOptions): Draft {
  const split = splitCefHeader(msg, at + 4, HEADER_FIELDS);
  if (typeof split === 'number') {
    return fail(`truncated CEF header: expected ${HEADER_FIELDS} "|"-separated fields, found ${split}`);
  }
  const [version, vendor, product, , , name, headerSeverity] = split.fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (version.trim() !== '0' && version.trim() !== '1')
    return fail(`unsupported CEF version ${quote(version)}`);
  if (!isD4IoTVendor(vendor)) return fail(`not a Defender for IoT alert (CEF vendor=${inReason(vendor)})`);
  const ext = parseExtension(msg.slice(split.rest));
  applyCustomLabels(ext);

  const title = text(name, 100_000) ?? text(ext.get('title'), 100_000);
  if (title === undefined) return fail('missing title (CEF header Name is empty)');
  return extensionAlert(
    ext,
    {
      id: text(pick(ext, 'uuid', 'externalid')),
      title,
      severityFallback: headerSeverity,
      startCandidates: [pick(ext, 'start', 'starttime'), pick(ext, 'rt', 'receipttime', 'devicereceipttime')],
      headerTime: header.timestamp,
      protocol: text(pick(ext, 'protocol', 'app', 'proto')),
      sensor: text(product) ?? text(ext.get('dvchost')) ?? header.hostname,
      sourceFormat: 'CEF',
    },
    opts,
  );
}
