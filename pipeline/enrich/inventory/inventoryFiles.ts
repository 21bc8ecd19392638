/** Inventory files: CSV (the Sentinel watchlist CSV shape works) or JSON, parsed once at start. */

import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseJsonText } from '../../util/jsonText.js';
import {
  duplicateProblems,
  type Entry,
  type Field,
  fieldOf,
  InventoryError,
  KNOWN_HEADERS,
  objectEntries,
  toAssets,
} from './assetRecords.js';
import type { Asset } from './assetValues.js';
import { readCsv } from './csv.js';

/**
 * Why a header may have no known column: one field holding semicolons or tabs is a file separated by them, as Excel
 * saves "CSV" where the decimal separator is a comma (French, German, Dutch locales). Commas are kept: the same file
 * is the OTAssetInventory watchlist, whose upload reads commas.
 */
function otherSeparator(header: readonly string[]): string {
  const [only] = header;
  if (header.length !== 1 || only === undefined) return '';
  const separator = only.includes(';') ? 'semicolons' : only.includes('\t') ? 'tabs' : undefined;
  return separator
    ? `; the header is one column separated by ${separator}: save the file as comma-separated CSV (in Excel "CSV UTF-8 (Comma delimited)")`
    : '';
}

export function parseInventoryCsv(text: string, source = 'inventory.csv'): Asset[] {
  const [header, ...rows] = readCsv(text, source);
  if (!header)
    throw new InventoryError(source, [`${source}: empty file (expected a header row: ${KNOWN_HEADERS})`]);
  const problems: string[] = [];
  const columns = header.fields.map((h) => ({ label: h.trim(), field: fieldOf(h) }));
  const taken = new Map<Field, string>();
  for (const c of columns) {
    if (!c.field) continue;
    const other = taken.get(c.field);
    if (other)
      problems.push(`${source}:${header.line}: columns "${other}" and "${c.label}" mean the same field`);
    else taken.set(c.field, c.label);
  }
  if (!['ip', 'mac', 'name', 'searchKey'].some((f) => taken.has(f as Field))) {
    problems.push(
      `${source}:${header.line}: no column to match devices by (expected IPAddress, MACAddress, AssetName or SearchKey)${otherSeparator(header.fields)}`,
    );
  }
  if (problems.length) throw new InventoryError(source, problems);

  const assets: Asset[] = [];
  const labels: string[] = [];
  const lines: number[] = [];
  for (const row of rows) {
    if (row.fields.length !== columns.length) {
      problems.push(`${source}:${row.line}: ${row.fields.length} fields, the header has ${columns.length}`);
      continue;
    }
    const entries: Entry[] = [];
    columns.forEach((c, i) => {
      if (c.field) entries.push({ label: c.label, field: c.field, raw: row.fields[i] });
    });
    const r = toAssets(entries);
    for (const p of r.problems)
      problems.push(`${source}:${row.line}: ${p.label ? `${p.label}: ` : ''}${p.message}`);
    if (r.problems.length) continue;
    for (const a of r.assets) {
      assets.push(a);
      labels.push(`line ${row.line}`);
      lines.push(row.line);
    }
  }
  for (const d of duplicateProblems(assets, labels))
    problems.push(`${source}:${lines[d.index]}: ${d.message}`);
  if (problems.length) throw new InventoryError(source, problems);
  return assets;
}

/** Inventory JSON: an array of device objects, or `{"devices"|"assets"|"value": [...]}`. Unknown keys are ignored. */
export function parseInventoryJson(text: string, source = 'inventory.json'): Asset[] {
  let value: unknown;
  try {
    value = parseJsonText(text);
  } catch (e) {
    throw new InventoryError(source, [`${source}: not valid JSON: ${(e as Error).message}`]);
  }
  const list = Array.isArray(value) ? value : listIn(value);
  if (!list)
    throw new InventoryError(source, [`${source}: expected an array of devices or {"devices": [...]}`]);
  const problems: string[] = [];
  const assets: Asset[] = [];
  const labels: string[] = [];
  list.forEach((item, i) => {
    const where = `${source}[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(`${where}: expected an object`);
      return;
    }
    const r = toAssets(objectEntries(item as Record<string, unknown>, false).entries);
    for (const p of r.problems) problems.push(`${where}: ${p.label ? `${p.label}: ` : ''}${p.message}`);
    if (r.problems.length) return;
    for (const a of r.assets) {
      assets.push(a);
      labels.push(`[${i}]`);
    }
  });
  for (const d of duplicateProblems(assets, labels))
    problems.push(`${source}${labels[d.index]}: ${d.message}`);
  if (problems.length) throw new InventoryError(source, problems);
  return assets;
}

export function listIn(v: unknown): unknown[] | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const list = o.devices ?? o.assets ?? o.value;
  return Array.isArray(list) ? list : undefined;
}

/** By extension (.json, else CSV); a file without one is JSON when it starts with `[` or `{`. */
export function parseInventory(text: string, source: string): Asset[] {
  const ext = extname(source).toLowerCase();
  const json = ext === '.json' || (ext !== '.csv' && /^\uFEFF?\s*[[{]/.test(text));
  return json ? parseInventoryJson(text, source) : parseInventoryCsv(text, source);
}

/** Reads and parses an inventory file once at start. */
export async function loadInventoryFile(path: string): Promise<Asset[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InventoryError(path, [
      `${path}: cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    ]);
  }
  return parseInventory(text, path);
}
