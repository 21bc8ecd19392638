/**
 * Vocabulary mapping: sensor/CEF/Azure severities, engine names and statuses onto the canonical model.
 * Lookups are plain Map hits on a normalised key, so they cost the same for every record.
 */
import type { AlertStatus, Engine, Severity } from '../model/alert.js';

const normCache = new Map<string, string>();

function norm(s: string): string {
  // The vocabularies are tiny, so a small memo turns nearly every call into one Map hit.
  const hit = normCache.get(s);
  if (hit !== undefined) return hit;
  const l = fold(s);
  if (normCache.size < 512) normCache.set(s, l);
  return l;
}

/** Lower-case and fold `_`/`-`/repeated spaces, so `POLICY_VIOLATION` and `Policy  Violation` meet. */
function fold(s: string): string {
  const l = s.trim().toLowerCase();
  // Most values need no folding; skip the regex for them.
  for (let i = 0; i < l.length; i++) {
    const c = l.charCodeAt(i);
    if (c === 95 || c === 45 || c === 9 || (c === 32 && l.charCodeAt(i + 1) === 32))
      return l.replace(/[\s_-]+/g, ' ');
  }
  return l;
}

const SEVERITY_WORDS = new Map<string, Severity>([
  // Sensor names (Azure: Critical→High, Major→Medium, Minor/Warning→Low).
  ['critical', 'High'],
  ['major', 'Medium'],
  ['minor', 'Low'],
  ['warning', 'Low'],
  // Azure / Sentinel names.
  ['high', 'High'],
  ['medium', 'Medium'],
  ['low', 'Low'],
  ['informational', 'Informational'],
  ['information', 'Informational'],
  ['info', 'Informational'],
  // CEF text severities.
  ['very high', 'High'],
  ['veryhigh', 'High'],
]);

/**
 * Severity from a sensor word, an Azure word, or a CEF/LEEF number (0–10). Defender for IoT sends
 * 10/8/4/1 for Critical/Major/Minor/Warning; other numbers follow the same bands.
 */
export function toSeverity(v: unknown): Severity | undefined {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    const s = v.trim();
    if (s.length === 0) return undefined;
    const word = SEVERITY_WORDS.get(norm(s));
    if (word !== undefined) return word;
    if (!/^\d{1,2}$/.test(s)) return undefined;
    n = Number(s);
  } else return undefined;
  if (!Number.isInteger(n) || n < 0 || n > 10) return undefined;
  if (n >= 9) return 'High';
  if (n >= 7) return 'Medium';
  if (n >= 1) return 'Low';
  return 'Informational';
}

const ENGINES = new Map<string, Engine>([
  ['policy violation', 'Policy violation'],
  ['protocol violation', 'Protocol violation'],
  ['malware', 'Malware'],
  ['anomaly', 'Anomaly'],
  ['operational', 'Operational'],
]);

/** Engine from any spelling (`Policy Violation`, `POLICY_VIOLATION`, `policy violation`); unknown → undefined. */
export function toEngine(v: unknown): Engine | undefined {
  return typeof v === 'string' ? ENGINES.get(norm(v)) : undefined;
}

const STATUSES = new Map<string, AlertStatus>([
  ['new', 'New'],
  ['unacknowledged', 'New'],
  ['unhandled', 'New'],
  ['open', 'New'],
  ['active', 'Active'],
  ['inprogress', 'Active'],
  ['in progress', 'Active'],
  // Sensor handled/Acknowledged (on-prem console), Muted and Learn all close the alert in Azure.
  ['closed', 'Closed'],
  ['handled', 'Closed'],
  ['acknowledged', 'Closed'],
  ['muted', 'Closed'],
  ['learned', 'Closed'],
  ['handleandlearn', 'Closed'],
  ['handledandlearn', 'Closed'],
  ['resolved', 'Closed'],
  ['dismissed', 'Closed'],
]);

/** Status from any vocabulary; absent or unknown statuses are New (the state every alert starts in). */
export function toStatus(v: unknown): AlertStatus {
  if (v === true) return 'Closed';
  if (typeof v !== 'string') return 'New';
  return STATUSES.get(norm(v)) ?? 'New';
}

/**
 * Defender for Cloud's vocabulary (`Microsoft.Security` alerts, the continuous export): `Active` is an alert nobody
 * has handled yet, the status every alert starts in, where Defender for IoT's portal says "Active" for one being
 * worked on; `InProgress` is that. Read with toStatus, an exported alert was Active from its first record: the
 * defender-status timer then set its incident Active as if someone in Defender for IoT were on it.
 */
export function toDefenderForCloudStatus(v: unknown): AlertStatus {
  return typeof v === 'string' && norm(v) === 'active' ? 'New' : toStatus(v);
}
