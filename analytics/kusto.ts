/**
 * KQL parsing and type-checking with @kusto/language-service-next (the Bridge.NET build of Kusto.Language).
 *
 * The package is a pair of browser-style scripts that set globals (`Bridge`, `System`, `Kusto`); it has no exports
 * map and costs ~0.4 s to load and ~1 s for the first analysis. It is therefore loaded lazily, the first time a
 * {@link KqlAnalyzer} is created: nothing on the Function path imports this module, and importing it loads nothing.
 *
 * Only the few members of the Bridge API used here are typed (below); the package's own 1.7 MB d.ts is not pulled
 * into the program.
 */
import { createRequire } from 'node:module';

// ---------------------------------------------------------------------------------------------------------------
// The slice of the Bridge API we use

interface BridgeList<T> {
  readonly Count: number;
  getItem(index: number): T;
}

interface KDiagnostic {
  readonly Code: string;
  readonly Severity: string;
  readonly Start: number;
  readonly Length: number;
  readonly Message: string;
}

interface KTypeSymbol {
  readonly Name: string;
  readonly Kind: number;
  readonly Columns?: BridgeList<{ readonly Name: string; readonly Type: { readonly Name: string } }> | null;
}

interface KCode {
  GetDiagnostics(): BridgeList<KDiagnostic>;
  GetSyntaxDiagnostics(): BridgeList<KDiagnostic>;
  readonly ResultType: KTypeSymbol | null;
}

type KSymbol = object;
type KGlobalState = object;

interface KustoLanguage {
  KustoCode: { ParseAndAnalyze(text: string, globals: KGlobalState): KCode };
  GlobalState: { Default: { WithDatabase(db: KSymbol): KGlobalState } };
  Symbols: {
    TableSymbol: { $ctor7: new (name: string, schema: string, description: string | null) => KSymbol };
    FunctionSymbol: {
      $ctor14: new (name: string, body: string, parameters: unknown, description: string | null) => KSymbol;
    };
    Parameter: { ParseList(list: string): unknown };
    DatabaseSymbol: { ctor: new (name: string, members: KSymbol[]) => KSymbol };
  };
}

let language: KustoLanguage | undefined;

/** Loads the Bridge scripts once (globals `Bridge`, `System`, `Kusto`) and returns `Kusto.Language`. */
function loadKusto(): KustoLanguage {
  if (language) return language;
  const require = createRequire(import.meta.url);
  require('@kusto/language-service-next/bridge.min.js');
  require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
  const k = (globalThis as { Kusto?: { Language?: KustoLanguage } }).Kusto?.Language;
  if (!k) throw new Error('@kusto/language-service-next did not define Kusto.Language');
  language = k;
  return k;
}

/** True once the Bridge has been loaded in this process (tests prove the Function path never loads it). */
export function isKustoLoaded(): boolean {
  return language !== undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Schema and analysis

/** A table: name and `(Col:type, …)` schema string. */
export interface KqlTable {
  readonly name: string;
  readonly schema: string;
}

/** A tabular function with a body, e.g. `_GetWatchlist(watchlistAlias:string)`. */
export interface KqlFunction {
  readonly name: string;
  /** `(name:type, …)` */
  readonly parameters: string;
  /** `{ … }` */
  readonly body: string;
}

export interface KqlSchema {
  readonly database: string;
  readonly tables: readonly KqlTable[];
  readonly functions: readonly KqlFunction[];
}

export interface KqlDiagnostic {
  readonly code: string;
  readonly severity: 'Error' | 'Warning' | 'Suggestion' | 'Information' | string;
  /** 0-based offset into the query text. */
  readonly start: number;
  readonly length: number;
  readonly message: string;
}

export interface KqlColumn {
  readonly name: string;
  readonly type: string;
}

export interface KqlAnalysis {
  readonly diagnostics: readonly KqlDiagnostic[];
  /** Output columns when the query's result is tabular, else undefined. */
  readonly columns: readonly KqlColumn[] | undefined;
}

export interface KqlAnalyzer {
  analyze(query: string): KqlAnalysis;
}

/**
 * Builds an analyzer (one GlobalState) for the schema. The first call loads the Bridge; the first `analyze` warms
 * the engine (~1 s); later queries take 10–25 ms.
 */
export function createKqlAnalyzer(schema: KqlSchema): KqlAnalyzer {
  const K = loadKusto();
  const S = K.Symbols;
  const members: KSymbol[] = [
    ...schema.tables.map((t) => new S.TableSymbol.$ctor7(t.name, t.schema, null)),
    ...schema.functions.map(
      (f) => new S.FunctionSymbol.$ctor14(f.name, f.body, S.Parameter.ParseList(f.parameters), null),
    ),
  ];
  const globals = K.GlobalState.Default.WithDatabase(new S.DatabaseSymbol.ctor(schema.database, members));
  return {
    analyze(query: string): KqlAnalysis {
      const code = K.KustoCode.ParseAndAnalyze(query, globals);
      // A syntax error alone, when there is one: the binder's errors after it are its echoes (one typo in
      // `| where` made 74 "does not refer to any known column" problems, the real one first).
      const syntax = code.GetSyntaxDiagnostics();
      const list = syntax.Count ? syntax : code.GetDiagnostics();
      const diagnostics: KqlDiagnostic[] = [];
      for (let i = 0; i < list.Count; i++) {
        const d = list.getItem(i);
        diagnostics.push({
          code: d.Code,
          severity: d.Severity,
          start: d.Start,
          length: d.Length,
          message: d.Message,
        });
      }
      const result = code.ResultType;
      let columns: KqlColumn[] | undefined;
      if (result?.Columns) {
        columns = [];
        for (let i = 0; i < result.Columns.Count; i++) {
          const c = result.Columns.getItem(i);
          columns.push({ name: c.Name, type: c.Type.Name });
        }
      }
      return { diagnostics, columns };
    },
  };
}
