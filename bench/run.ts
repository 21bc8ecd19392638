/**
 * `npm run bench [-- --json] [--only NAME[,NAME]] [--quick] [--runs N]`
 *
 * Runs the benchmarks and prints every figure as the median of several runs next to a baseline measured in the
 * same run, with the machine described. `--json` also writes bench/results.json (git revision, date, machine,
 * figures). `--quick` uses smaller sizes (for development; figures are indicative only).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bigFile } from './bigFile.js';
import { coldStart } from './coldStart.js';
import { durable } from './durable.js';
import { flush } from './flush.js';
import { identity } from './identity.js';
import { currentLoad, describeMachine, gitRevision, machineLine } from './machine.js';
import { relay } from './relay.js';
import { replayBench } from './replay.js';
import { fmt, sig } from './stats.js';
import { storm } from './storm.js';
import { throughput } from './throughput.js';
import { type Bench, type BenchResult, type Figure, ROOT } from './types.js';

const BENCHES: readonly Bench[] = [
  throughput,
  storm,
  durable,
  relay,
  flush,
  identity,
  replayBench,
  coldStart,
  bigFile,
];

interface Args {
  json: boolean;
  quick: boolean;
  only: string[] | undefined;
  runs: number;
}

function usage(message: string): never {
  process.stderr.write(
    `${message}\nusage: node dist/bench/run.js [--json] [--quick] [--only ${BENCHES.map((b) => b.name).join('|')}[,…]] [--runs N≥5]\n`,
  );
  process.exit(2);
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { json: false, quick: false, only: undefined, runs: 5 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') args.json = true;
    else if (a === '--quick') args.quick = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!v) usage('--only needs a benchmark name');
      args.only = v.split(',').map((s) => s.trim());
      for (const name of args.only) {
        if (!BENCHES.some((b) => b.name === name)) usage(`unknown benchmark "${name}"`);
      }
    } else if (a === '--runs' || a.startsWith('--runs=')) {
      const v = Number(a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]);
      if (!Number.isInteger(v) || v < 5) usage('--runs must be an integer ≥ 5 (figures are medians)');
      args.runs = v;
    } else if (a === '--help' || a === '-h') usage('');
    else usage(`unknown argument "${a}"`);
  }
  return args;
}

function pad(cells: string[][]): string[] {
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  return cells.map((r) =>
    r
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

function printResult(r: BenchResult): void {
  const out = [`\n## ${r.title}`];
  out.push(
    `   setup: ${Object.entries(r.setup)
      .map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : String(v)}`)
      .join(', ')}`,
  );
  const cells: string[][] = [['figure', 'median', 'unit', 'runs', 'baseline (same run)', 'ratio', 'target']];
  for (const f of r.figures) {
    cells.push([
      f.name,
      fmt(f.value),
      f.unit,
      f.runs !== undefined ? String(f.runs) : '',
      f.baseline ? `${fmt(f.baseline.value)} ${f.baseline.unit} (${f.baseline.name})` : '',
      f.ratio !== undefined ? fmt(f.ratio, 2) : '',
      f.target ? `${f.target} ${f.met === undefined ? '' : f.met ? '✓' : '✗'}`.trim() : '',
    ]);
  }
  for (const line of pad(cells)) out.push(`   ${line}`);
  for (const n of r.notes) out.push(`   - ${n}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function rounded(f: Figure): Figure {
  const g: Figure = { ...f, value: sig(f.value, 4) };
  if (f.min !== undefined) g.min = sig(f.min, 4);
  if (f.max !== undefined) g.max = sig(f.max, 4);
  if (f.ratio !== undefined) g.ratio = sig(f.ratio, 3);
  if (f.baseline) g.baseline = { ...f.baseline, value: sig(f.baseline.value, 4) };
  return g;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const machine = describeMachine();
  const started = Date.now();
  const revision = gitRevision(ROOT);
  process.stdout.write(
    `ot-soc benchmarks${args.quick ? ' (--quick: small sizes, indicative only)' : ''}\n` +
      `machine: ${machineLine(machine)}\nrevision ${revision}, ${new Date(started).toISOString()}\n` +
      `every figure is the median of ${args.runs} runs; ratios are medians of per-run ratios to a baseline run back to back\n`,
  );
  const results: BenchResult[] = [];
  for (const bench of BENCHES) {
    if (args.only && !args.only.includes(bench.name)) continue;
    process.stdout.write(`\nrunning ${bench.name} …\n`);
    const t = Date.now();
    const result = await bench.run({
      quick: args.quick,
      runs: args.runs,
      log: (line) => process.stdout.write(`${line}\n`),
    });
    result.setup.seconds = Math.round((Date.now() - t) / 100) / 10;
    results.push(result);
    printResult(result);
  }
  machine.loadEnd = currentLoad();
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  process.stdout.write(`\nload average at the end: ${machine.loadEnd.join(' / ')}; total ${seconds} s\n`);
  if (args.json) {
    const file = join(ROOT, 'bench', 'results.json');
    const doc = {
      revision,
      date: new Date(started).toISOString(),
      quick: args.quick,
      runs: args.runs,
      seconds,
      machine,
      results: results.map((r) => ({ ...r, figures: r.figures.map(rounded) })),
    };
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
    process.stdout.write(`wrote ${file}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
