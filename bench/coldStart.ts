/**
 * Issue 10.4 — cold start: how long plain Node takes to import the built Function entry (dist/functions/index.js)
 * in a fresh process, next to importing `@azure/functions` alone (the floor every Functions app pays), medians
 * of interleaved child processes. Then one more child with bench/moduleHooks.js preloaded lists every module the
 * entry loads (ES modules from a resolve hook, CommonJS from require.cache) with the import chain of anything
 * heavy. Nothing of the CLI, Kusto, Azurite or @azure/identity (before the first token) may load.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { alternate, figure, median } from './stats.js';
import { type Bench, type BenchOptions, type BenchResult, type Figure, ROOT } from './types.js';

const execFileAsync = promisify(execFile);
const ENTRY = join(ROOT, 'dist', 'functions', 'index.js');
const HOOKS = join(ROOT, 'dist', 'bench', 'moduleHooks.js');
const TARGET_RATIO = 2;

/** Must not load on the Function's import path (a match names the package or folder). */
const FORBIDDEN: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /node_modules\/@kusto\//, what: 'Kusto language service' },
  { pattern: /node_modules\/azurite\//, what: 'Azurite' },
  {
    pattern: /node_modules\/@azure\/identity\//,
    what: '@azure/identity (must load on the first token only)',
  },
  { pattern: /\/dist\/cli\//, what: 'CLI code' },
  { pattern: /\/dist\/(scripts|bench|test)\//, what: 'scripts, bench or test code' },
  {
    pattern: /node_modules\/(commander|cli-progress|yaml|rhea|fast-check|vitest)\//,
    what: 'CLI/test dependency',
  },
];

/**
 * Code that runs in the child: times one dynamic import, lists CommonJS modules with their children, marks the
 * module log, then (for the entry) imports the handler modules the entry loads lazily and times that too.
 */
const CHILD = `
const { appendFileSync } = await import('node:fs');
const { createRequire } = await import('node:module');
const cache = createRequire(process.cwd() + '/').cache;
const listCjs = () => Object.values(cache).map((m) => ({ id: m.id, children: (m.children ?? []).map((c) => c.id) }));
const t0 = performance.now();
await import(process.env.OTSOC_BENCH_TARGET);
const t1 = performance.now();
const cjsAtImport = listCjs();
if (process.env.OTSOC_BENCH_MODULE_LOG) appendFileSync(process.env.OTSOC_BENCH_MODULE_LOG, '{"marker":"imported"}\\n');
let ready = null;
if (process.env.OTSOC_BENCH_LAZY) {
  for (const m of JSON.parse(process.env.OTSOC_BENCH_LAZY)) await import(m);
  ready = performance.now() - t0;
}
process.stdout.write(JSON.stringify({ boot: t0, import: t1 - t0, ready, cjsAtImport, cjs: listCjs() }) + '\\n');
`;

/** What the entry imports on first use (functions/index.ts, functions/playbooks.ts): "ready" waits for all. */
const LAZY = ['functions/ingest.js', 'functions/deps.js', 'playbooks/handler.js', 'playbooks/runtime.js'].map(
  (f) => pathToFileURL(join(ROOT, 'dist', f)).href,
);

interface CjsModule {
  id: string;
  children: string[];
}

interface ChildOut {
  boot: number;
  import: number;
  /** Import plus the lazily loaded handler modules (entry only). */
  ready: number | null;
  cjsAtImport: CjsModule[];
  cjs: CjsModule[];
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OTSOC_')) env[k] = v;
  return { ...env, ...extra };
}

async function child(
  target: string,
  hooks?: string,
  log?: string,
  lazy?: readonly string[],
): Promise<ChildOut & { wallMs: number }> {
  const args = [
    ...(hooks ? ['--import', pathToFileURL(hooks).href] : []),
    '--input-type=module',
    '-e',
    CHILD,
  ];
  const t = performance.now();
  const { stdout } = await execFileAsync(process.execPath, args, {
    cwd: ROOT,
    env: cleanEnv({
      OTSOC_BENCH_TARGET: target,
      ...(log ? { OTSOC_BENCH_MODULE_LOG: log } : {}),
      ...(lazy ? { OTSOC_BENCH_LAZY: JSON.stringify(lazy) } : {}),
    }),
    maxBuffer: 16 << 20,
  });
  const wallMs = performance.now() - t;
  return { ...(JSON.parse(stdout.trim().split('\n').pop()!) as ChildOut), wallMs };
}

const toPath = (url: string): string => (url.startsWith('file:') ? fileURLToPath(url) : url);

function rel(p: string): string {
  if (p.startsWith(ROOT)) return p.slice(ROOT.length + 1);
  return p;
}

/** `node_modules/@azure/core-rest-pipeline` → `@azure/core-rest-pipeline`; project files → their folder. */
function packageOf(p: string): string {
  const i = p.lastIndexOf('node_modules/');
  if (i < 0)
    return p.startsWith('node:') ? 'node: built-ins' : `(project) ${rel(p).split('/').slice(0, 2).join('/')}`;
  const parts = p.slice(i + 13).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

async function moduleGraph(): Promise<{
  /** Files loaded by the import of the entry itself (what the host waits for). */
  atImport: string[];
  /** Files loaded once the lazily imported handler modules are in too. */
  files: string[];
  builtins: string[];
  parents: Map<string, string>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'ot-soc-modules-'));
  const log = join(dir, 'modules.ndjson');
  try {
    const out = await child(pathToFileURL(ENTRY).href, HOOKS, log, LAZY);
    const parents = new Map<string, string>();
    const atImport = new Set<string>();
    const loaded = new Set<string>();
    const builtins = new Set<string>();
    let imported = false;
    const text = await readFile(log, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (!line) continue;
      const entry = JSON.parse(line) as { url: string; parent: string | null } | { marker: string };
      if ('marker' in entry) {
        imported = true;
        continue;
      }
      const { url, parent } = entry;
      if (url.startsWith('node:')) {
        builtins.add(url);
        continue;
      }
      const p = toPath(url);
      if (p.endsWith('moduleHooks.js') || p.includes('[eval')) continue;
      loaded.add(p);
      if (!imported) atImport.add(p);
      if (parent && !parents.has(p) && !parent.includes('[eval')) parents.set(p, toPath(parent));
    }
    for (const m of out.cjsAtImport) atImport.add(m.id);
    for (const m of out.cjs) {
      loaded.add(m.id);
      for (const c of m.children) if (!parents.has(c)) parents.set(c, m.id);
    }
    return {
      atImport: [...atImport].sort(),
      files: [...loaded].sort(),
      builtins: [...builtins].sort(),
      parents,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function chainOf(file: string, parents: Map<string, string>): string {
  const chain = [file];
  const seen = new Set(chain);
  for (let p = parents.get(file); p && !seen.has(p); p = parents.get(p)) {
    chain.push(p);
    seen.add(p);
  }
  return chain
    .reverse()
    .map((f) => rel(f))
    .join(' → ');
}

export const coldStart: Bench = {
  name: 'coldStart',
  title: 'Cold start: import of the built Function entry in a fresh Node process',
  async run(opts: BenchOptions): Promise<BenchResult> {
    const runs = Math.max(opts.runs, 7);
    const entry: (ChildOut & { wallMs: number })[] = [];
    const functionsOnly: (ChildOut & { wallMs: number })[] = [];
    await child(pathToFileURL(ENTRY).href); // warm the file system cache
    await child('@azure/functions');
    for (let r = 0; r < runs; r++) {
      const [e, f] = await alternate(
        r,
        () => child(pathToFileURL(ENTRY).href, undefined, undefined, LAZY),
        () => child('@azure/functions'),
      );
      entry.push(e);
      functionsOnly.push(f);
    }
    const ratios = entry.map((e, i) => e.import / functionsOnly[i]!.import);
    const ratio = median(ratios);
    const graph = await moduleGraph();
    const countByPackage = (files: readonly string[]): [string, number][] => {
      const byPackage = new Map<string, number>();
      for (const f of files) byPackage.set(packageOf(f), (byPackage.get(packageOf(f)) ?? 0) + 1);
      return [...byPackage].sort((a, b) => b[1] - a[1]);
    };
    const atImport = new Set(graph.atImport);
    const lazyFiles = graph.files.filter((f) => !atImport.has(f));
    const packagesAtImport = countByPackage(graph.atImport);
    const packages = countByPackage(lazyFiles);
    const baselineImport = median(functionsOnly.map((e) => e.import));
    const violations: string[] = [];
    for (const { pattern, what } of FORBIDDEN) {
      const hit = graph.files.find((f) => pattern.test(f));
      if (hit) violations.push(`${what}: ${chainOf(hit, graph.parents)}`);
    }
    const figures: Figure[] = [
      figure(
        'import dist/functions/index.js',
        entry.map((e) => e.import),
        'ms',
        {
          baseline: {
            name: "import '@azure/functions' alone",
            value: baselineImport,
            unit: 'ms',
          },
          ratio,
          target: `ratio ≤ ${TARGET_RATIO}`,
          met: ratio <= TARGET_RATIO,
        },
      ),
      figure(
        'ready for the first event (import + lazy handler modules)',
        entry.map((e) => e.ready ?? Number.NaN),
        'ms',
        {
          baseline: { name: "import '@azure/functions' alone", value: baselineImport, unit: 'ms' },
          ratio: median(entry.map((e, i) => (e.ready ?? Number.NaN) / functionsOnly[i]!.import)),
        },
      ),
      figure(
        'whole process (spawn → exit), entry',
        entry.map((e) => e.wallMs),
        'ms',
        {
          baseline: {
            name: '@azure/functions alone',
            value: median(functionsOnly.map((e) => e.wallMs)),
            unit: 'ms',
          },
          ratio: median(entry.map((e, i) => e.wallMs / functionsOnly[i]!.wallMs)),
        },
      ),
      figure(
        'Node start before the import',
        entry.map((e) => e.boot),
        'ms',
      ),
      { name: 'files loaded by the import (ESM + CJS)', value: graph.atImport.length, unit: 'files' },
      { name: 'files loaded on first use (handler modules)', value: lazyFiles.length, unit: 'files' },
      { name: 'node: built-ins imported as ES modules', value: graph.builtins.length, unit: 'modules' },
    ];
    const notes = [
      `loaded by the import (files): ${packagesAtImport.map(([p, n]) => `${p} ${n}`).join(', ')}`,
      `loaded on first use, preloaded in the background after registration (files): ${packages.map(([p, n]) => `${p} ${n}`).join(', ')}`,
      violations.length
        ? `MUST NOT LOAD but does: ${violations.join(' | ')}`
        : 'nothing forbidden loads (no Kusto, Azurite, CLI, scripts, @azure/identity, CLI/test dependencies)',
    ];
    // The heaviest packages and why they load.
    for (const [pkg] of packages.slice(0, 6)) {
      if (pkg.startsWith('(project)') || pkg === '@azure/functions') continue;
      const first = graph.files.find((f) => packageOf(f) === pkg);
      if (first) notes.push(`${pkg} loads via ${chainOf(first, graph.parents)}`);
    }
    return {
      name: 'coldStart',
      title: this.title,
      setup: {
        runs,
        entry: 'dist/functions/index.js',
        env: 'no OTSOC_* settings (registration only; settings are validated by the first invocation)',
      },
      figures,
      notes,
    };
  },
};
