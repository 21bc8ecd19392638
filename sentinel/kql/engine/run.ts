/**
 * runQuery: substitute workbook parameters, parse and bind with the official analyzer against the context's
 * schema, refuse a query that does not compile (as Kusto would), then evaluate the statements.
 */
import { Failure, KqlRuntimeError, KqlUnsupportedError, lineCol, Unsupported } from '../errors.js';
import { analyze, type SchemaFunction, type SchemaTable } from '../syntax/bridge.js';
import { convert, nameOf, type SNode, slot } from '../syntax/tree.js';
import type { KqlColumn, KqlContext, KqlTable } from '../types.js';
import { toOutput } from '../values/value.js';
import { type Env, NO_ROW, unsupported } from './env.js';
import { substitute } from './parameters.js';
import { compileScalar } from './scalar.js';
import { evalTabular } from './tabular.js';

/** Watchlist columns when the context supplies none: Sentinel's own plus SearchKey. */
const WATCHLIST_BASE: KqlColumn[] = [
  { name: '_DTItemId', type: 'string' },
  { name: 'LastUpdatedTimeUTC', type: 'datetime' },
  { name: 'SearchKey', type: 'string' },
  { name: 'WatchlistItem', type: 'dynamic' },
];

const schemaString = (cols: readonly KqlColumn[]) =>
  `(${cols.map((c) => `['${c.name.replace(/'/g, "\\'")}']:${c.type}`).join(', ')})`;

function schemaOfContext(ctx: KqlContext): { tables: SchemaTable[]; functions: SchemaFunction[] } {
  const tables = Object.entries(ctx.tables).map(([name, t]) => ({ name, schema: schemaString(t.columns) }));
  const wl: KqlColumn[] = [...WATCHLIST_BASE];
  for (const t of Object.values(ctx.watchlists ?? {})) {
    for (const c of t.columns) if (!wl.some((w) => w.name === c.name)) wl.push(c);
  }
  const functions = [
    {
      name: '_GetWatchlist',
      parameters: '(watchlistAlias:string)',
      body: `{ datatable${schemaString(wl)}[] }`,
    },
  ];
  return { tables, functions };
}

const treeCache = new Map<string, SNode>();

function bound(text: string, ctx: KqlContext): SNode {
  const schema = schemaOfContext(ctx);
  const key = `${JSON.stringify(schema)}\n${text}`;
  const hit = treeCache.get(key);
  if (hit) return hit;
  const a = analyze(text, schema.tables, schema.functions);
  const first = a.errors[0];
  if (first) throw new Failure(`query does not compile: ${first.message}`, first.start);
  const tree = convert(a.root);
  if (treeCache.size > 256) treeCache.clear();
  treeCache.set(key, tree);
  return tree;
}

function evaluate(root: SNode, ctx: KqlContext): KqlTable {
  let env: Env = { ctx, now: ctx.now.getTime(), vars: new Map(), tabular: evalTabular };
  const statements = slot(root, 'Statements')?.children ?? [];
  let result: SNode | undefined;
  for (const st of statements) {
    if (st.kind === 'LetStatement') {
      const name = nameOf(slot(st, 'Name')!);
      const expr = slot(st, 'Expression')!;
      if (expr.kind === 'FunctionDeclaration') return unsupported('let function declaration', expr);
      if (expr.columns && expr.type !== 'dynamic' && !isScalar(expr)) {
        const scope = env;
        let cached: ReturnType<typeof evalTabular> | undefined;
        env = {
          ...env,
          vars: new Map(env.vars).set(name, {
            kind: 'table',
            get: () => (cached ??= evalTabular(expr, scope)),
          }),
        };
      } else {
        const value = compileScalar(expr, env, [])(NO_ROW);
        env = { ...env, vars: new Map(env.vars).set(name, { kind: 'scalar', value }) };
      }
    } else if (st.kind === 'ExpressionStatement') {
      if (result) return unsupported('several result sets', st);
      result = slot(st, 'Expression')!;
      const t = evalTabular(result, env);
      return {
        columns: t.columns,
        rows: t.rows.map((r) =>
          Object.fromEntries(t.columns.map((c, i) => [c.name, toOutput(r.values[i]!, c.type)])),
        ),
      };
    } else return unsupported(`statement ${st.kind}`, st);
  }
  throw new Failure('the query has no tabular expression', root.end);
}

/** A scalar expression that the analyzer still types with columns (tuples) is not a table. */
const isScalar = (n: SNode): boolean => n.type === 'tuple';

export function runQuery(query: string, ctx: KqlContext): KqlTable {
  const sub = substitute(query, ctx.parameters);
  try {
    return evaluate(bound(sub.text, ctx), ctx);
  } catch (e) {
    if (e instanceof Unsupported) {
      const { line, column } = lineCol(query, sub.toOriginal(e.offset));
      throw new KqlUnsupportedError(e.construct, line, column, e.detail);
    }
    if (e instanceof Failure) {
      const { line, column } = lineCol(query, sub.toOriginal(e.offset));
      throw new KqlRuntimeError(e.message, line, column);
    }
    throw e;
  }
}
