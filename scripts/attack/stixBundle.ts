/** The MITRE ATT&CK for ICS STIX 2.1 bundle → its tactics (matrix order) and techniques (by id). */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fail } from './generateError.js';
import { compareStrings } from './strings.js';

const ICS_KILL_CHAIN = 'mitre-ics-attack';
const ID_SOURCES = new Set(['mitre-attack', 'mitre-ics-attack']);
const TECHNIQUE_ID = /^T\d{4}(?:\.\d{3})?$/;

export interface Tactic {
  id: string;
  name: string;
  shortname: string;
  order: number;
  sentinel: string;
}

export interface Technique {
  id: string;
  name: string;
  tactics: string[];
  deprecated: boolean;
  revoked: boolean;
  url: string;
}

type StixObject = Record<string, unknown> & { type?: unknown; id?: unknown };

/** evasion → DefenseEvasion (Sentinel has no Evasion value); every other shortname → PascalCase. */
export function sentinelNameForShortname(shortname: string): string {
  if (shortname === 'evasion') return 'DefenseEvasion';
  return shortname
    .split('-')
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

function str(o: StixObject, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

function attackReference(o: StixObject): { id: string; url: string } | undefined {
  const refs = o.external_references;
  if (!Array.isArray(refs)) return undefined;
  for (const r of refs) {
    if (r && typeof r === 'object' && ID_SOURCES.has((r as StixObject).source_name as string)) {
      const id = str(r as StixObject, 'external_id');
      const url = str(r as StixObject, 'url');
      if (id) return { id, url: url ?? '' };
    }
  }
  return undefined;
}

export interface ParsedBundle {
  version: string;
  bundleId: string;
  collectionModified?: string;
  copyright?: string;
  tactics: Tactic[];
  techniques: Technique[];
}

export function parseBundle(text: string, bundlePath: string): ParsedBundle {
  let bundle: unknown;
  try {
    bundle = JSON.parse(text);
  } catch (e) {
    fail(`${bundlePath}: not valid JSON (${(e as Error).message})`);
  }
  const b = bundle as StixObject;
  if (b?.type !== 'bundle' || !Array.isArray(b.objects)) {
    fail(`${bundlePath}: not a STIX bundle (expected {"type":"bundle","objects":[...]})`);
  }
  const objects = (b.objects as unknown[]).filter((o): o is StixObject => !!o && typeof o === 'object');

  // Version: the x-mitre-collection's x_mitre_version is the ATT&CK release. The matrix's x_mitre_version is the
  // matrix object's own version (1.0), so it is not used; the file name (ics-attack-18.1.json) is the fallback.
  const collection = objects.find((o) => o.type === 'x-mitre-collection');
  const fromName = /(\d+\.\d+)\.json$/.exec(basename(bundlePath))?.[1];
  const version = (collection && str(collection, 'x_mitre_version')) ?? fromName;
  if (!version) {
    fail(
      `${bundlePath}: no ATT&CK version (no x-mitre-collection x_mitre_version and no version in the file name)`,
    );
  }

  const matrices = objects.filter((o) => o.type === 'x-mitre-matrix');
  const matrix =
    matrices.length === 1 ? matrices[0] : matrices.find((m) => attackReference(m)?.id === 'ics-attack');
  if (!matrix || !Array.isArray(matrix.tactic_refs)) {
    fail(`${bundlePath}: no ICS x-mitre-matrix with tactic_refs (found ${matrices.length} matrices)`);
  }
  const tacticObjects = new Map(objects.filter((o) => o.type === 'x-mitre-tactic').map((o) => [o.id, o]));
  const tactics: Tactic[] = (matrix.tactic_refs as unknown[]).map((ref, i) => {
    const o = tacticObjects.get(ref);
    if (!o) fail(`${bundlePath}: matrix tactic_ref ${String(ref)} has no x-mitre-tactic object`);
    const id = attackReference(o)?.id;
    const name = str(o, 'name');
    const shortname = str(o, 'x_mitre_shortname');
    if (!id || !name || !shortname)
      fail(`${bundlePath}: tactic ${String(ref)} lacks an id, name or shortname`);
    return { id, name, shortname, order: i + 1, sentinel: sentinelNameForShortname(shortname) };
  });
  const tacticByShort = new Map(tactics.map((t) => [t.shortname, t]));

  const techniques = new Map<string, Technique>();
  for (const o of objects) {
    if (o.type !== 'attack-pattern') continue;
    const ref = attackReference(o);
    if (!ref)
      fail(`${bundlePath}: attack-pattern ${String(o.id)} has no mitre-attack/mitre-ics-attack reference`);
    if (!TECHNIQUE_ID.test(ref.id))
      fail(`${bundlePath}: attack-pattern ${String(o.id)} has odd id ${ref.id}`);
    const phases = Array.isArray(o.kill_chain_phases) ? (o.kill_chain_phases as StixObject[]) : [];
    const shortnames = new Set<string>();
    for (const p of phases) {
      if (p?.kill_chain_name !== ICS_KILL_CHAIN || typeof p.phase_name !== 'string') continue;
      if (!tacticByShort.has(p.phase_name)) {
        fail(`${bundlePath}: technique ${ref.id} uses tactic "${p.phase_name}", which is not in the matrix`);
      }
      shortnames.add(p.phase_name);
    }
    const t: Technique = {
      id: ref.id,
      name: str(o, 'name') ?? fail(`${bundlePath}: technique ${ref.id} has no name`),
      tactics: [...shortnames].sort((a, b) => tacticByShort.get(a)!.order - tacticByShort.get(b)!.order),
      deprecated: o.x_mitre_deprecated === true,
      revoked: o.revoked === true,
      url: ref.url || `https://attack.mitre.org/techniques/${ref.id.replace('.', '/')}`,
    };
    if (techniques.has(t.id))
      fail(`${bundlePath}: technique id ${t.id} appears on two attack-pattern objects`);
    techniques.set(t.id, t);
  }
  if (techniques.size === 0) fail(`${bundlePath}: no attack-pattern objects`);

  const marking = objects.find((o) => o.type === 'marking-definition' && o.definition_type === 'statement');
  const statement = (marking?.definition as StixObject | undefined)?.statement;

  return {
    version,
    bundleId: typeof b.id === 'string' ? b.id : '',
    collectionModified: collection ? str(collection, 'modified') : undefined,
    copyright: typeof statement === 'string' ? statement : undefined,
    tactics,
    techniques: [...techniques.values()].sort((x, y) => compareStrings(x.id, y.id)),
  };
}

/** `key: value` lines of the optional `ics-attack-version.txt` kept next to the bundle (source repo/path/commit). */
export function readProvenance(bundlePath: string): Record<string, string> {
  const file = join(dirname(bundlePath), 'ics-attack-version.txt');
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const m = /^(source_repo|source_path|source_commit):\s*(\S+)/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}
