/**
 * Issue 20 — `ot-soc replay` of SecurityAlert rows with `--state` (group state in the Table store on Azurite,
 * durable before every sink write: docs/local-state.md) next to the same replay with the memory store, each
 * the built CLI in a fresh process, back to back, alternating which goes first. The ratio (memory time / state
 * time) is what local durable state costs end to end: Azurite's start, every Table request, the journal.
 * Input: `plantMixRows(N)` (bench/data.ts) as NDJSON (4 zones, 200 keys, a few noisy), the sample
 * configuration, the default batch of 100.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { plantMixRows } from './data.js';
import { alternate, figure, median } from './stats.js';
import { type Bench, type BenchOptions, type BenchResult, ROOT } from './types.js';

const execFileAsync = promisify(execFile);
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

/** Wall time of one replay (seconds) and its groups, from summary.json. */
async function replay(
  input: string,
  out: string,
  state?: string,
): Promise<{ seconds: number; groups: number }> {
  const args = [CLI, 'replay', '--input', input, '--out', out, '--no-progress'];
  args.push('--config', join(ROOT, 'samples', 'ot-soc.config.json'));
  if (state) args.push('--state', state);
  const t = performance.now();
  await execFileAsync(process.execPath, args, { maxBuffer: 64 << 20 });
  const seconds = (performance.now() - t) / 1000;
  const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { groups: number };
  return { seconds, groups: summary.groups };
}

export const replayBench: Bench = {
  name: 'replay',
  title: '`ot-soc replay` with --state (Table store on Azurite) vs the memory store, whole CLI processes',
  async run(opts: BenchOptions): Promise<BenchResult> {
    const n = opts.quick ? 10_000 : 50_000;
    // Whole replays take minutes on a loaded machine: fewer pairs than other benches (still alternating).
    const pairs = opts.quick ? 1 : 3;
    const dir = await mkdtemp(join(tmpdir(), 'ot-soc-bench-replay-'));
    try {
      const input = join(dir, 'input.ndjson');
      await writeFile(input, `${plantMixRows(n).join('\n')}\n`);
      const state: number[] = [];
      const memory: number[] = [];
      let groups = 0;
      for (let r = 0; r < pairs; r++) {
        opts.log(`  pair ${r + 1}/${pairs} …`);
        const s = () => replay(input, join(dir, `out-s${r}`), join(dir, `state${r}`));
        const m = () => replay(input, join(dir, `out-m${r}`));
        const [withState, inMemory] = await alternate(r, s, m);
        if (withState.groups !== inMemory.groups)
          throw new Error(`the replays differ: ${withState.groups} vs ${inMemory.groups} groups`);
        groups = withState.groups;
        state.push(withState.seconds);
        memory.push(inMemory.seconds);
      }
      const ratios = state.map((s, i) => memory[i]! / s);
      const ratio = median(ratios);
      return {
        name: 'replay',
        title: this.title,
        setup: {
          alerts: n,
          groups,
          pairs,
          batch: 100,
          format: 'SecurityAlert NDJSON, keys ⌊200·u³⌋, 4 zones',
        },
        figures: [
          figure('replay --state (Azurite Table store)', state, 's', {
            baseline: { name: 'replay, memory store', value: median(memory), unit: 's' },
            ratio,
            target: 'ratio ≥ 0.5',
            met: ratio >= 0.5,
          }),
        ],
        notes: [
          'ratio = memory time / --state time, per pair, median over pairs; each replay a fresh `node dist/cli/main.js` process ' +
            '(--state: Azurite is started and stopped inside it).',
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
