/**
 * What a person should look at after generation: printed technique names that differ from the bundle's,
 * deprecated or revoked techniques still in the catalog, and tactics no technique of the row carries.
 */
import type { CatalogRow, PrintedName } from './alertCatalog.js';
import type { ParsedBundle } from './stixBundle.js';
import { compareStrings, squash } from './strings.js';

export interface NameMismatch {
  id: string;
  printed: string;
  bundleName: string;
  /** The id whose bundle name the printed name is (a likely wrong id in the doc). */
  printedNameIsId?: string;
  titles: string[];
}

export interface DeprecatedUse {
  id: string;
  name: string;
  titles: string[];
}

export function checkCatalog(
  parsed: ParsedBundle,
  rows: readonly CatalogRow[],
  printed: ReadonlyMap<string, PrintedName>,
): { warnings: string[]; nameMismatches: NameMismatch[]; deprecatedInCatalog: DeprecatedUse[] } {
  const techniqueById = new Map(parsed.techniques.map((t) => [t.id, t]));
  const warnings: string[] = [];
  const byName = new Map(parsed.techniques.map((t) => [squash(t.name), t.id]));
  const nameMismatches = [...printed.values()]
    .map((m) => {
      const printedNameIsId = byName.get(squash(m.printed));
      return {
        id: m.id,
        printed: m.printed,
        bundleName: techniqueById.get(m.id)!.name,
        ...(printedNameIsId ? { printedNameIsId } : {}),
        titles: [...m.titles].sort(compareStrings),
      };
    })
    .sort((a, b) => compareStrings(a.id, b.id) || compareStrings(a.printed, b.printed));
  if (nameMismatches.length) {
    warnings.push(
      `${nameMismatches.length} catalog technique(s) printed with a name that differs from the bundle (id kept):\n` +
        nameMismatches
          .map(
            (m) =>
              `  ${m.id} printed "${m.printed}", bundle "${m.bundleName}"` +
              `${m.printedNameIsId ? ` (the printed name is ${m.printedNameIsId}: likely a wrong id in the doc)` : ' (renamed?)'}` +
              ` in: ${m.titles.join('; ')}`,
          )
          .join('\n'),
    );
  }

  const deprecatedUse = new Map<string, string[]>();
  for (const r of rows) {
    for (const id of r.techniques) {
      const t = techniqueById.get(id)!;
      if (t.deprecated || t.revoked) deprecatedUse.set(id, [...(deprecatedUse.get(id) ?? []), r.title]);
    }
  }
  const deprecatedInCatalog = [...deprecatedUse.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([id, titles]) => ({ id, name: techniqueById.get(id)!.name, titles }));
  if (deprecatedInCatalog.length) {
    warnings.push(
      `${deprecatedInCatalog.length} catalog technique(s) are deprecated/revoked in ATT&CK ${parsed.version}:\n` +
        deprecatedInCatalog
          .map((d) => {
            const t = techniqueById.get(d.id)!;
            const state = [t.deprecated && 'deprecated', t.revoked && 'revoked'].filter(Boolean).join(', ');
            return `  ${d.id} ${d.name} (${state}) in: ${d.titles.join('; ')}`;
          })
          .join('\n'),
    );
  }

  const sentinelOf = new Map(parsed.tactics.map((t) => [t.shortname, t.sentinel]));
  const disagreements: string[] = [];
  for (const r of rows) {
    const carried = new Set(
      r.techniques.flatMap((id) => techniqueById.get(id)!.tactics.map((s) => sentinelOf.get(s)!)),
    );
    const extra = r.tactics.filter((t) => !carried.has(t));
    if (extra.length)
      disagreements.push(`  ${r.title}: ${extra.join(', ')} (techniques ${r.techniques.join(', ')})`);
  }
  if (disagreements.length) {
    warnings.push(
      `${disagreements.length} catalog row(s) list a tactic that none of their techniques carries in the bundle:\n` +
        disagreements.join('\n'),
    );
  }
  return { warnings, nameMismatches, deprecatedInCatalog };
}
