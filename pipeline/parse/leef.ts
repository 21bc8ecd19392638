/**
 * LEEF as the sensor forwards it (docs/contracts.md#sensor-forwarding-formats): the sensor name, then
 * `LEEF:1.0|Microsoft Defender for IoT|Sensor|<version>|Microsoft Defender for IoT Alert|` and TAB-separated
 * attributes title, msg, protocol, severity, type, start, src_ip, dst_ip, cat. The doc prints ` | ` with spaces,
 * so header fields are trimmed. LEEF 2.0 adds a delimiter field (`^`, `0x09`, `x5E`, `\t`) after the event id.
 * The older QRadar sample (`devTime=May 05 2019 15:28:54 sev=2 cat=XSense Alerts title=...`) separates attributes
 * with single spaces; when the delimiter never occurs, attributes are read the CEF way (key = token before `=`).
 */
import { parseExtension, splitCefHeader } from './cef.js';
import { applyCustomLabels, extensionAlert, isD4IoTVendor, pick, setField } from './extension.js';
import { type Draft, fail, inReason, type ParseOptions, quote, text } from './fields/index.js';
import type { SyslogHeader } from './syslogHeader.js';

/** `LEEF:V`, Vendor, Product, Version, EventID. */
const HEADER_FIELDS = 5;

/** LEEF 2.0 delimiter spec → the character, or undefined when the segment is not a delimiter spec. */
function delimiterOf(spec: string): string | undefined {
  const s = spec.trim();
  if (s === '') return '\t';
  if (s === '\\t') return '\t';
  if (s.length === 1) return s === '=' ? undefined : s;
  const m = /^0?[xX]([0-9a-fA-F]{1,4})$/.exec(s);
  return m === null ? undefined : String.fromCharCode(Number.parseInt(m[1]!, 16));
}

function parseAttributes(attrs: string, delimiter: string): Map<string, string> {
  if (!attrs.includes(delimiter)) return parseExtension(attrs);
  const out = new Map<string, string>();
  const pinned = new Set<string>();
  for (const part of attrs.split(delimiter)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim().toLowerCase();
    if (k !== '') setField(out, pinned, k, part.slice(eq + 1).trim());
  }
  return out;
}

/** Parse the LEEF message; `at` is the index of `LEEF:` (text before it is the sensor name). */
export function parseLeef(msg: string, at: number, header: SyslogHeader, opts?: ParseOptions): Draft {
  const split = splitCefHeader(msg, at + 5, HEADER_FIELDS);
  if (typeof split === 'number') {
    return fail(`truncated LEEF header: expected ${HEADER_FIELDS} "|"-separated fields, found ${split}`);
  }
  const [version, vendor] = split.fields as [string, string];
  const major = version.trim().charAt(0);
  if (major !== '1' && major !== '2') return fail(`unsupported LEEF version ${quote(version)}`);
  if (!isD4IoTVendor(vendor)) return fail(`not a Defender for IoT alert (LEEF vendor=${inReason(vendor)})`);

  let attrs = msg.slice(split.rest);
  let delimiter = '\t';
  if (major === '2') {
    const bar = attrs.indexOf('|');
    const d = bar < 0 ? undefined : delimiterOf(attrs.slice(0, bar));
    if (d !== undefined) {
      delimiter = d;
      attrs = attrs.slice(bar + 1);
    }
  }
  const ext = parseAttributes(attrs, delimiter);
  if (ext.size === 0) return fail('LEEF record has no attributes');
  applyCustomLabels(ext);

  const title = text(ext.get('title'), 100_000);
  if (title === undefined) return fail('missing title (LEEF attribute title)');
  const prefix = msg.slice(0, at).trim();
  return extensionAlert(
    ext,
    {
      id: text(pick(ext, 'uuid', 'alertid')),
      title,
      severityFallback: ext.get('sev'),
      startCandidates: [pick(ext, 'start', 'devtime', 'starttime')],
      headerTime: header.timestamp,
      protocol: text(pick(ext, 'protocol', 'proto')),
      sensor: text(prefix) ?? text(ext.get('sendername')) ?? header.hostname,
      sourceFormat: 'LEEF',
    },
    opts,
  );
}
