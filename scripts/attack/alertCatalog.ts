/** The Defender for IoT alert catalog (TSV transcribed from the docs) → rows checked against the ATT&CK bundle. */
import { ENGINES, SEVERITIES } from '../../pipeline/model/alert.js';
import { fail } from './generateError.js';
import type { Tactic, Technique } from './stixBundle.js';
import { compareStrings, squash } from './strings.js';

export interface CatalogRow {
  title: string;
  engine: string;
  severity: string;
  category?: string;
  tactics: string[];
  techniques: string[];
  threshold?: string;
  offByDefault?: true;
}

/** A technique printed in the catalog under another name than the bundle's, with the rows that print it so. */
export interface PrintedName {
  id: string;
  printed: string;
  titles: string[];
}

/** Splits on `;` outside parentheses (the doc annotates some ids with "(… ; …)"). */
function splitTopLevel(field: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of field) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === ';' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter(Boolean);
}

export function parseCatalog(
  text: string,
  catalogPath: string,
  tactics: Tactic[],
  techniques: Map<string, Technique>,
): { rows: CatalogRow[]; printed: Map<string, PrintedName> } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines.shift() ?? '').split('\t').map((h) => h.trim().toLowerCase());
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) fail(`${catalogPath}: missing column "${name}" (header: ${header.join(', ')})`);
    return i;
  };
  const [cTitle, cEngine, cSeverity, cTactics, cTechniques, cDescription] = [
    col('title'),
    col('engine'),
    col('severity'),
    col('tactics'),
    col('techniques'),
    col('description'),
  ];

  // Tactic names as the doc prints them → Sentinel value, via the bundle's tactic names, shortnames and ids.
  const tacticByText = new Map<string, Tactic>();
  for (const t of tactics) {
    for (const k of [t.name, t.shortname, t.id, t.sentinel]) tacticByText.set(squash(k), t);
  }
  const evasion = tactics.find((t) => t.shortname === 'evasion');
  if (evasion) tacticByText.set('defense evasion', evasion);

  const rows: CatalogRow[] = [];
  const seen = new Map<string, number>();
  const printed = new Map<string, PrintedName>();
  const unknown: string[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const lineNo = i + 2;
    const f = line.split('\t');
    const title = (f[cTitle] ?? '').trim().replace(/\s+/g, ' ');
    const where = `${catalogPath}:${lineNo} "${title}"`;
    if (!title) fail(`${catalogPath}:${lineNo}: empty title`);
    const key = squash(title);
    if (seen.has(key)) fail(`${where}: duplicate title (first on line ${seen.get(key)})`);
    seen.set(key, lineNo);

    const engine = (f[cEngine] ?? '').trim();
    if (!(ENGINES as readonly string[]).includes(engine)) {
      fail(`${where}: engine "${engine}" is not one of ${ENGINES.join(', ')}`);
    }
    const severity = (f[cSeverity] ?? '').trim();
    if (!(SEVERITIES as readonly string[]).includes(severity)) {
      fail(`${where}: severity "${severity}" is not one of ${SEVERITIES.join(', ')}`);
    }

    const rowTactics = new Set<Tactic>();
    for (const name of splitTopLevel(f[cTactics] ?? '')) {
      const t = tacticByText.get(squash(name));
      if (!t) fail(`${where}: tactic "${name}" is not an ATT&CK for ICS tactic in the bundle`);
      rowTactics.add(t);
    }

    const ids = new Set<string>();
    for (const item of splitTopLevel(f[cTechniques] ?? '')) {
      const m = /^(T\d{4}(?:\.\d{3})?)\b\s*[:\-–]?\s*(.*)$/i.exec(item);
      if (!m) fail(`${where}: cannot read a technique id from "${item}"`);
      const id = m[1]!.toUpperCase();
      // A trailing "(…)" is the transcriber's annotation, not part of the printed name.
      const printedName = m[2]!.replace(/\s*\([^()]*\)\s*$/, '').trim();
      const t = techniques.get(id);
      if (!t) {
        unknown.push(`  ${id}${printedName ? ` "${printedName}"` : ''} in ${where}`);
        continue;
      }
      ids.add(id);
      if (printedName && squash(printedName) !== squash(t.name)) {
        const k = `${id}\t${printedName}`;
        const entry = printed.get(k) ?? { id, printed: printedName, titles: [] };
        entry.titles.push(title);
        printed.set(k, entry);
      }
    }

    const description = f[cDescription] ?? '';
    const category = /\bcategory=(.+?)(?:\.\s|\.?\s*$)/.exec(description)?.[1]?.trim();
    const threshold = /\bthreshold=(.+?)(?:\.\s|\.?\s*$)/.exec(description)?.[1]?.trim();
    const offByDefault = /\boff_by_default=(yes|true)\b/i.test(description);

    const row: CatalogRow = {
      title,
      engine,
      severity,
      tactics: [...rowTactics].sort((a, b) => a.order - b.order).map((t) => t.sentinel),
      techniques: [...ids].sort(compareStrings),
    };
    if (category) row.category = category;
    if (threshold) row.threshold = threshold;
    if (offByDefault) row.offByDefault = true;
    rows.push(row);
  });
  if (unknown.length) {
    fail(
      `${catalogPath}: ${unknown.length} catalog technique id(s) are not in the ATT&CK for ICS bundle ` +
        `(retired or mistyped; fix the catalog or map them to their successors):\n${unknown.join('\n')}`,
    );
  }
  rows.sort((a, b) => compareStrings(a.title, b.title));
  return { rows, printed };
}
