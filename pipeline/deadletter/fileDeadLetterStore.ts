import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import type {
  DeadLetter,
  DeadLetterStoreOptions,
  FailureOptions,
  PendingFilter,
  StoredDeadLetter,
} from './deadLetterStore.js';
import { parseStoredLetter } from './letters.js';
import { MemoryDeadLetterStore } from './memoryDeadLetterStore.js';

/**
 * One NDJSON line per letter (`id`, `state`, `stage`, `reason`, `attempts`, times, `origin`, `history`,
 * `raw`): what `ot-soc replay` writes. New letters are appended; a merge, resolve or failure rewrites the
 * file (temporary file + rename, so a crash leaves the old or the new file, never half of one). Lines that
 * are not letters are kept as they are. One writer per file (one process); operations are serialised.
 */
export class FileDeadLetterStore extends MemoryDeadLetterStore {
  override readonly kind = 'file';
  #loaded = false;
  /** The file differs from memory (duplicate lines merged on load): the next write rewrites it. */
  #stale = false;
  #foreign: string[] = [];
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    opts: DeadLetterStoreOptions = {},
  ) {
    super(opts);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #load(): Promise<void> {
    if (this.#loaded) return;
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    // A last line without its newline (a run killed while appending) would have the next append glued onto it:
    // the file is rewritten whole first, that fragment kept as a line of its own like any line that is no letter.
    if (text && !text.endsWith('\n')) this.#stale = true;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const letter = parseStoredLetter(line, this.maxAttempts);
      if (!letter) {
        this.#foreign.push(line);
        continue;
      }
      const { change } = this.upsert(letter, true);
      if (change !== 'new' || JSON.stringify(letter) !== line) this.#stale = true;
    }
    this.#loaded = true;
  }

  async #rewrite(): Promise<void> {
    const lines = [...[...this.byId.values()].map((l) => JSON.stringify(l)), ...this.#foreign];
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, lines.map((l) => `${l}\n`).join(''));
    await rename(tmp, this.file);
    this.#stale = false;
  }

  override put(letters: readonly DeadLetter[]): Promise<void> {
    return this.#serial(async () => {
      if (!letters.length) return;
      await this.#load();
      const results = letters.map((l) => this.upsert(l));
      this.letters.push(...letters);
      if (this.#stale || results.some((r) => r.change === 'merged')) return this.#rewrite();
      const fresh = results.filter((r) => r.change === 'new');
      if (fresh.length)
        await appendFile(this.file, fresh.map((r) => `${JSON.stringify(r.letter)}\n`).join(''));
    });
  }

  override list(): Promise<StoredDeadLetter[]> {
    return this.#serial(async () => {
      await this.#load();
      return super.list();
    });
  }

  override listPending(limit?: number, filter?: PendingFilter): Promise<StoredDeadLetter[]> {
    return this.#serial(async () => {
      await this.#load();
      return super.listPending(limit, filter);
    });
  }

  override listParked(): Promise<StoredDeadLetter[]> {
    return this.#serial(async () => {
      await this.#load();
      return super.listParked();
    });
  }

  override resolve(ids: readonly string[]): Promise<number> {
    return this.#serial(async () => {
      await this.#load();
      const n = await super.resolve(ids);
      if (n) await this.#rewrite();
      return n;
    });
  }

  override recordFailure(
    letter: Pick<StoredDeadLetter, 'id'>,
    reason: string,
    opts?: FailureOptions,
  ): Promise<StoredDeadLetter | undefined> {
    return this.#serial(async () => {
      await this.#load();
      const next = await super.recordFailure(letter, reason, opts);
      if (next) await this.#rewrite();
      return next;
    });
  }
}
