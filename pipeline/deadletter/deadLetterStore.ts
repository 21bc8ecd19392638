import { appendFile } from 'node:fs/promises';
import type { RecordOrigin } from '../model/alert.js';

/** The pipeline stage that gave up on a record. `sink` and `commit` letters are retryable by redrive. */
export type DeadLetterStage = 'split' | 'parse' | 'enrich' | 'sink' | 'commit';

/** A record the pipeline could not carry to Sentinel: never dropped, kept with why and where from. */
export interface DeadLetter {
  reason: string;
  stage: DeadLetterStage;
  /** The record's own text, as received (capped at 1 MiB). */
  raw: string;
  origin: RecordOrigin;
  attempts: number;
  failedAt: string;
}

export interface DeadLetterStore {
  readonly kind: string;
  put(letters: readonly DeadLetter[]): Promise<void>;
  list(): Promise<DeadLetter[]>;
  close(): Promise<void>;
}

export const MAX_RAW_BYTES = 1 << 20;

export function capRaw(raw: string): string {
  return raw.length > MAX_RAW_BYTES ? `${raw.slice(0, MAX_RAW_BYTES)}…[truncated ${raw.length - MAX_RAW_BYTES} chars]` : raw;
}

export class MemoryDeadLetterStore implements DeadLetterStore {
  readonly kind: string = 'memory';
  readonly letters: DeadLetter[] = [];
  async put(letters: readonly DeadLetter[]): Promise<void> {
    this.letters.push(...letters);
  }
  async list(): Promise<DeadLetter[]> {
    return [...this.letters];
  }
  async close(): Promise<void> {}
}

/** One NDJSON line per letter (`reason`, `stage`, `raw`, `origin`, …): what `ot-soc replay` writes. */
export class FileDeadLetterStore extends MemoryDeadLetterStore {
  override readonly kind = 'file';
  constructor(readonly file: string) {
    super();
  }
  override async put(letters: readonly DeadLetter[]): Promise<void> {
    if (!letters.length) return;
    await super.put(letters);
    await appendFile(this.file, letters.map((l) => `${JSON.stringify(l)}\n`).join(''));
  }
}
