/**
 * `node dist/bench/profile.js FILE.cpuprofile [TOP] [FILTER]` — the top self-time functions of a V8 CPU profile,
 * as written by `node --cpu-prof --cpu-prof-dir=DIR dist/bench/run.js --only throughput --quick`.
 * FILTER keeps only frames whose URL contains it (e.g. `pipeline/`). Also prints the total per file.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  fn: string;
  where: string;
  ms: number;
  share: number;
}

function shortUrl(url: string): string {
  const i = url.indexOf('/dist/');
  if (i >= 0) return url.slice(i + 6);
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + 14);
  return url.replace(/^file:\/\//, '') || '(native)';
}

/** Self time per function (summed over call sites) and per file, in ms. */
export function selfTimes(profile: CpuProfile): { functions: SelfTime[]; files: SelfTime[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0) || 1;
  const fns = new Map<string, SelfTime>();
  const files = new Map<string, SelfTime>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    const where = `${shortUrl(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
    const fn = n.callFrame.functionName || '(anonymous)';
    const key = `${fn}@${where}`;
    const f = fns.get(key) ?? { fn, where, ms: 0, share: 0 };
    f.ms += us / 1000;
    fns.set(key, f);
    const file = shortUrl(n.callFrame.url);
    const g = files.get(file) ?? { fn: '', where: file, ms: 0, share: 0 };
    g.ms += us / 1000;
    files.set(file, g);
  }
  const done = (m: Map<string, SelfTime>) =>
    [...m.values()].map((f) => ({ ...f, share: (f.ms * 1000) / total })).sort((a, b) => b.ms - a.ms);
  return { functions: done(fns), files: done(files) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, topArg, filter] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node dist/bench/profile.js FILE.cpuprofile [TOP] [FILTER]\n');
    process.exit(2);
  }
  const top = Number(topArg ?? 30);
  const { functions, files } = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const keep = (f: SelfTime) => !filter || f.where.includes(filter);
  const line = (f: SelfTime) =>
    `${(f.share * 100).toFixed(1).padStart(5)}%  ${f.ms.toFixed(0).padStart(7)} ms  ${f.fn ? `${f.fn}  ` : ''}${f.where}`;
  process.stdout.write(`top ${top} functions by self time\n`);
  for (const f of functions.filter(keep).slice(0, top)) process.stdout.write(`${line(f)}\n`);
  process.stdout.write(`\ntop files by self time\n`);
  for (const f of files.filter(keep).slice(0, 15)) process.stdout.write(`${line(f)}\n`);
}
