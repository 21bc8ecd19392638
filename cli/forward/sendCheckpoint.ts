/**
 * The checkpoint of `ot-soc send`: which of a file's records Event Hubs acknowledged (`sendBatch` resolved), so a
 * re-run after a failure sends only the rest. Records are numbered in the order `send` reads them (the same file
 * and parser give the same numbering); the file's SHA-256 ties the checkpoint to it. Written atomically (temporary
 * file + rename) after acknowledged batches, so a crash leaves the previous or the new checkpoint, never half of one.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError } from '../commands/usageError.js';

interface CheckpointFile {
  version: 1;
  input: string;
  sha256: string;
  records: number;
  /** Acknowledged record numbers as half-open ranges `[from, to)`. */
  acknowledged: [number, number][];
}

export class SendCheckpoint {
  readonly #acked: Uint8Array;
  #count = 0;
  #writing: Promise<void> = Promise.resolve();
  #lastWrite = 0;

  private constructor(
    readonly file: string | undefined,
    readonly input: string,
    readonly sha256: string,
    readonly records: number,
  ) {
    this.#acked = new Uint8Array(records);
  }

  /** The checkpoint of the file `path`: read from `file` when it exists, else empty. */
  static async open(file: string | undefined, path: string, records: number): Promise<SendCheckpoint> {
    const sha256 = await fileSha256(path);
    const c = new SendCheckpoint(file, basename(path), sha256, records);
    if (!file) return c;
    let saved: CheckpointFile;
    try {
      saved = JSON.parse(await readFile(file, 'utf8')) as CheckpointFile;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return c;
      throw new UsageError(`--checkpoint: cannot read ${file}: ${(e as Error).message}`);
    }
    if (saved.sha256 !== sha256 || saved.records !== records)
      throw new UsageError(
        `--checkpoint: ${file} belongs to another version of the input (${saved.input}); remove it to send the whole file`,
      );
    for (const [from, to] of saved.acknowledged)
      for (let i = Math.max(0, from); i < Math.min(to, records); i++) c.ack(i);
    return c;
  }

  get acknowledged(): number {
    return this.#count;
  }

  has(i: number): boolean {
    return this.#acked[i] === 1;
  }

  ack(i: number): void {
    if (this.#acked[i] === 1) return;
    this.#acked[i] = 1;
    this.#count++;
  }

  /** The first record not acknowledged, or -1. */
  firstPending(): number {
    return this.#acked.indexOf(0);
  }

  /** Writes the checkpoint (to `file`, or `to`); `throttleMs`: skipped when the last write is more recent. */
  save(to = this.file, throttleMs = 0): Promise<void> {
    if (!to) return Promise.resolve();
    const now = performance.now();
    if (throttleMs > 0 && now - this.#lastWrite < throttleMs) return this.#writing;
    this.#lastWrite = now;
    const body: CheckpointFile = {
      version: 1,
      input: this.input,
      sha256: this.sha256,
      records: this.records,
      acknowledged: this.#ranges(),
    };
    const written = this.#writing.then(async () => {
      const tmp = `${to}.tmp`;
      await writeFile(tmp, `${JSON.stringify(body)}\n`);
      await rename(tmp, to);
    });
    this.#writing = written.catch(() => {});
    return written;
  }

  #ranges(): [number, number][] {
    const out: [number, number][] = [];
    let start = -1;
    for (let i = 0; i <= this.records; i++) {
      const on = i < this.records && this.#acked[i] === 1;
      if (on && start < 0) start = i;
      else if (!on && start >= 0) {
        out.push([start, i]);
        start = -1;
      }
    }
    return out;
  }
}

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}
