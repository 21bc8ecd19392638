/** What every benchmark returns, so the runner can print one table and write one JSON file. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchOptions {
  /** Smaller sizes for development; the figures are then indicative only. */
  quick: boolean;
  /** Timed runs per figure (the median is reported); at least 5. */
  runs: number;
  log: (line: string) => void;
}

export interface Figure {
  /** What was measured, e.g. `SecurityAlert JSON: pipeline`. */
  name: string;
  /** Median over `runs`. */
  value: number;
  unit: string;
  runs?: number;
  min?: number;
  max?: number;
  /** The baseline measured in the same run, when this figure is compared with one. */
  baseline?: { name: string; value: number; unit: string };
  /** Median of per-run subject/baseline ratios (or value/baseline when there is one run pair). */
  ratio?: number;
  /** e.g. `≥ 150,000 alerts/s`; `met` says whether the median meets it. */
  target?: string;
  met?: boolean;
}

export interface BenchResult {
  name: string;
  title: string;
  /** Sizes and settings used (records, batch size, groups…). */
  setup: Record<string, unknown>;
  figures: Figure[];
  notes: string[];
}

export interface Bench {
  name: string;
  title: string;
  run(opts: BenchOptions): Promise<BenchResult>;
}

/** The repository root (dist/bench/*.js → ../..). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
