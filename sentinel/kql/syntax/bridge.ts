/**
 * The official parser (@kusto/language-service-next, the Bridge.NET build of Kusto.Language), loaded lazily.
 * Only the members the engine reads are typed here. The analyzer binds every name (column, let variable, table,
 * function) and types every expression and operator result; the engine evaluates that bound tree.
 */
import { createRequire } from 'node:module';

export interface BList<T> {
  readonly Count: number;
  getItem(index: number): T;
}

export interface BSymbol {
  readonly Name: string;
  readonly Kind: number;
  readonly Columns?: BList<{ readonly Name: string; readonly Type: { readonly Name: string } }> | null;
}

export interface BElement {
  readonly Kind: number;
  readonly IsToken: boolean;
  readonly ChildCount: number;
  readonly NameInParent: string | null;
  readonly TextStart: number;
  readonly Width: number;
  readonly Text?: string;
  readonly ResultType?: BSymbol | null;
  readonly ReferencedSymbol?: BSymbol | null;
  GetChild(i: number): BElement | null;
}

interface BDiagnostic {
  readonly Severity: string;
  readonly Start: number;
  readonly Message: string;
}

interface BCode {
  readonly Syntax: BElement;
  GetDiagnostics(): BList<BDiagnostic>;
}

type BGlobals = object;

interface KustoLanguage {
  KustoCode: { ParseAndAnalyze(text: string, globals: BGlobals): BCode; Parse(text: string): BCode };
  GlobalState: { Default: { WithDatabase(db: object): BGlobals } };
  Syntax: { SyntaxKind: object };
  Symbols: {
    SymbolKind: object;
    TableSymbol: { $ctor7: new (name: string, schema: string, description: string | null) => object };
    FunctionSymbol: {
      $ctor14: new (name: string, body: string, parameters: unknown, description: string | null) => object;
    };
    Parameter: { ParseList(list: string): unknown };
    DatabaseSymbol: { ctor: new (name: string, members: object[]) => object };
  };
}

interface BridgeSystem {
  Enum: { toString(enumType: object, value: number): string };
}

let language: KustoLanguage | undefined;
let system: BridgeSystem | undefined;

function load(): { K: KustoLanguage; Sys: BridgeSystem } {
  if (!language || !system) {
    const g = globalThis as { Kusto?: { Language?: KustoLanguage }; System?: BridgeSystem };
    if (!g.Kusto?.Language) {
      const require = createRequire(import.meta.url);
      require('@kusto/language-service-next/bridge.min.js');
      require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
    }
    if (!g.Kusto?.Language || !g.System)
      throw new Error('@kusto/language-service-next did not define Kusto.Language');
    language = g.Kusto.Language;
    system = g.System;
  }
  return { K: language, Sys: system };
}

const kindNames = new Map<number, string>();
const symbolKindNames = new Map<number, string>();

/** The SyntaxKind enum name of a node (e.g. `FilterOperator`, `HasExpression`). */
export function syntaxKindName(kind: number): string {
  let n = kindNames.get(kind);
  if (n === undefined) {
    const { K, Sys } = load();
    n = Sys.Enum.toString(K.Syntax.SyntaxKind, kind);
    kindNames.set(kind, n);
  }
  return n;
}

/** The SymbolKind enum name (Column, Variable, Table, Function, Tuple, …). */
export function symbolKindName(kind: number): string {
  let n = symbolKindNames.get(kind);
  if (n === undefined) {
    const { K, Sys } = load();
    n = Sys.Enum.toString(K.Symbols.SymbolKind, kind);
    symbolKindNames.set(kind, n);
  }
  return n;
}

export interface SchemaTable {
  readonly name: string;
  /** `(Col:type, …)` */
  readonly schema: string;
}

export interface SchemaFunction {
  readonly name: string;
  readonly parameters: string;
  readonly body: string;
}

export interface Analysis {
  readonly root: BElement;
  readonly errors: { start: number; message: string }[];
}

const globalsCache = new Map<string, BGlobals>();

/** Parses and binds `text` against a database of the given tables and functions. */
export function analyze(text: string, tables: SchemaTable[], functions: SchemaFunction[]): Analysis {
  const { K } = load();
  const key = JSON.stringify([tables, functions]);
  let globals = globalsCache.get(key);
  if (!globals) {
    const S = K.Symbols;
    const members = [
      ...tables.map((t) => new S.TableSymbol.$ctor7(t.name, t.schema, null)),
      ...functions.map(
        (f) => new S.FunctionSymbol.$ctor14(f.name, f.body, S.Parameter.ParseList(f.parameters), null),
      ),
    ];
    globals = K.GlobalState.Default.WithDatabase(new S.DatabaseSymbol.ctor('workspace', members));
    if (globalsCache.size > 32) globalsCache.clear();
    globalsCache.set(key, globals);
  }
  const code = K.KustoCode.ParseAndAnalyze(text, globals);
  const list = code.GetDiagnostics();
  const errors: { start: number; message: string }[] = [];
  for (let i = 0; i < list.Count; i++) {
    const d = list.getItem(i);
    if (d.Severity === 'Error') errors.push({ start: d.Start, message: d.Message });
  }
  return { root: code.Syntax, errors };
}

/** Parses `text` without binding (no schema): for inventories of what a query uses. */
export function parseOnly(text: string): BElement {
  return load().K.KustoCode.Parse(text).Syntax;
}
