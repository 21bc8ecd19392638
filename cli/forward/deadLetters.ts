/**
 * The site's own dead letters: everything the forwarder received and did not forward (not a valid alert, over a
 * size limit, refused because the spool was full, larger than Event Hubs takes) is appended to one NDJSON file
 * beside the spool — `{at, kind, reason, transport, peer, raw}`, or `rawBase64` when the bytes are not UTF-8 —
 * so nothing received is gone without a trace. `forward --redrive` feeds the file back through the intake after a
 * fix (a parser upgrade, a config with the sensor's placement, a bigger spool).
 *
 * The file is bounded (`maxBytes`): past it a letter is not written but counted (`notWritten`) and logged; so is
 * a letter whose write failed. Writes are grouped like the spool's; `flushed()` resolves once they are on disk.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Transport } from './counters.js';

export const DEAD_LETTER_FILE = 'deadletter.ndjson';

/** Why a message was not forwarded: each kind is a loss class on the health endpoint. */
export const DEAD_LETTER_KINDS = ['invalid', 'tooLarge', 'framing', 'refused', 'eventHubsLimit'] as const;
export type DeadLetterKind = (typeof DEAD_LETTER_KINDS)[number];

export interface SiteDeadLetter {
  at: string;
  kind: DeadLetterKind;
  reason: string;
  /** Where it came in (`publish` for an event Event Hubs refused). */
  transport: Transport | 'publish';
  peer: string;
  /** The message as received (UTF-8), or … */
  raw?: string;
  /** … its bytes in base64 when they are not valid UTF-8. */
  rawBase64?: string;
  /** Only the first bytes were kept (an oversized stream frame is skipped, never buffered whole). */
  truncated?: boolean;
  /** The partition key it was spooled with (`eventHubsLimit`, `refused`). */
  key?: string;
}

export type NewDeadLetter = Omit<SiteDeadLetter, 'at' | 'raw' | 'rawBase64'> & { raw: string | Buffer };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The raw fields of a letter: text when the bytes are UTF-8, base64 otherwise. */
export function rawFields(raw: string | Buffer): { raw: string } | { rawBase64: string } {
  if (typeof raw === 'string') return { raw };
  try {
    return { raw: utf8.decode(raw) };
  } catch {
    return { rawBase64: raw.toString('base64') };
  }
}

/** The letter's original bytes. */
export function rawBytes(l: SiteDeadLetter): Buffer {
  return l.rawBase64 !== undefined ? Buffer.from(l.rawBase64, 'base64') : Buffer.from(l.raw ?? '', 'utf8');
}

export interface DeadLetterStats {
  /** Letters written (this process). */
  written: number;
  /** Per kind. */
  byKind: Record<DeadLetterKind, number>;
  /** Letters that could not be written (file over its limit, or the disk failed): lost, but counted. */
  notWritten: number;
  /** Bytes of the file. */
  bytes: number;
  maxBytes: number;
  file: string;
}

export class SiteDeadLetters {
  readonly #stats: DeadLetterStats;
  #fh: FileHandle | undefined;
  #buffer: string[] = [];
  #bufferBytes = 0;
  #flushing: Promise<void> = Promise.resolve();
  #scheduled = false;
  #failed: Error | undefined;

  private constructor(
    readonly file: string,
    maxBytes: number,
    bytes: number,
    private readonly onNotWritten: (l: NewDeadLetter, why: string) => void,
  ) {
    const byKind = Object.fromEntries(DEAD_LETTER_KINDS.map((k) => [k, 0])) as Record<DeadLetterKind, number>;
    this.#stats = { written: 0, byKind, notWritten: 0, bytes, maxBytes, file };
  }

  static async open(
    file: string,
    maxBytes: number,
    onNotWritten: (l: NewDeadLetter, why: string) => void = () => {},
  ): Promise<SiteDeadLetters> {
    await mkdir(dirname(file), { recursive: true });
    const size = await stat(file).then(
      (s) => s.size,
      () => 0,
    );
    const d = new SiteDeadLetters(file, maxBytes, size, onNotWritten);
    d.#fh = await open(file, 'a', 0o600);
    return d;
  }

  get stats(): DeadLetterStats {
    return { ...this.#stats, byKind: { ...this.#stats.byKind } };
  }

  /** Queues one letter; false (counted in `notWritten`) when the file is full or its disk failed. */
  add(l: NewDeadLetter): boolean {
    const { raw, ...rest } = l;
    const line = `${JSON.stringify({ at: new Date().toISOString(), ...rest, ...rawFields(raw) })}\n`;
    const bytes = Buffer.byteLength(line, 'utf8');
    const why = this.#failed
      ? `dead-letter file cannot be written: ${this.#failed.message}`
      : !this.#fh
        ? 'dead-letter file closed'
        : this.#stats.bytes + this.#bufferBytes + bytes > this.#stats.maxBytes
          ? `dead-letter file full (${this.#stats.maxBytes} bytes)`
          : undefined;
    if (why) {
      this.#stats.notWritten++;
      this.onNotWritten(l, why);
      return false;
    }
    this.#buffer.push(line);
    this.#bufferBytes += bytes;
    this.#stats.written++;
    this.#stats.byKind[l.kind]++;
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        void this.flushed().catch(() => {});
      });
    }
    return true;
  }

  /** Resolves when every letter queued so far is on disk. */
  flushed(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async #write(): Promise<void> {
    if (this.#buffer.length === 0 || !this.#fh) return;
    const data = this.#buffer.join('');
    const bytes = this.#bufferBytes;
    const n = this.#buffer.length;
    this.#buffer = [];
    this.#bufferBytes = 0;
    try {
      await this.#fh.write(data);
      this.#stats.bytes += bytes;
    } catch (e) {
      this.#failed = e instanceof Error ? e : new Error(String(e));
      this.#stats.written -= n;
      this.#stats.notWritten += n;
      throw this.#failed;
    }
  }

  async close(): Promise<void> {
    await this.flushed().catch(() => {});
    const fh = this.#fh;
    this.#fh = undefined;
    await fh?.close();
  }

  /**
   * Takes the letters out of the file for a redrive: the file is renamed first (a crash leaves the taken letters
   * in `<file>.redrive-<ms>`, read again by the next redrive), then read; `done()` deletes the taken copies. The letters
   * a redrive cannot forward go back into the (new) file through `add`.
   */
  async take(): Promise<{
    letters: AsyncIterable<SiteDeadLetter | { damaged: string }>;
    done(): Promise<void>;
  }> {
    await this.flushed().catch(() => {});
    const prefix = `${basename(this.file)}.redrive-`;
    const dir = dirname(this.file);
    // Copies taken by a redrive that did not finish (a crash) are read again, oldest first.
    const files = (await readdir(dir))
      .filter((f) => f.startsWith(prefix))
      .sort()
      .map((f) => join(dir, f));
    if (this.#stats.bytes > 0) {
      await this.#fh?.close();
      const current = join(dir, `${prefix}${String(Date.now()).padStart(15, '0')}`);
      await rename(this.file, current);
      files.push(current);
      this.#fh = await open(this.file, 'a', 0o600);
      this.#stats.bytes = 0;
    }
    async function* read(): AsyncIterable<SiteDeadLetter | { damaged: string }> {
      for (const f of files) {
        const lines = createInterface({ input: createReadStream(f, 'utf8'), crlfDelay: Infinity });
        for await (const line of lines) {
          if (line.trim() === '') continue;
          try {
            yield JSON.parse(line) as SiteDeadLetter;
          } catch {
            yield { damaged: line };
          }
        }
      }
    }
    return {
      letters: read(),
      done: async () => {
        for (const f of files) await rm(f, { force: true });
      },
    };
  }
}
