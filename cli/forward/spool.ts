/**
 * The forwarder's bounded on-disk spool: a write-ahead queue of events between the listeners and Event Hubs.
 *
 * Every accepted event is appended to the spool before it is published, and removed only after Event Hubs
 * accepted it (`sendBatch` resolved): at-least-once across Event Hubs outages and process restarts.
 *
 * On disk: `DIR/<12 digits>.seg` append-only segment files, one line per event (`["<partition key>","<body>"]`
 * as JSON), and `DIR/cursor.json` = `{seg, off}`, the first byte not yet delivered, replaced atomically (write
 * + rename) after each delivered batch. Segments wholly before the cursor are deleted. A restart reads the
 * cursor and replays from there, oldest first; a crash between a delivery and its cursor write replays that
 * batch again (a duplicate, never a loss). A line torn by a crash (no final newline) is skipped and counted.
 *
 * Size policy: `maxBytes` bounds the bytes on disk (all segment files, including the delivered part of the
 * oldest one). When an append would exceed it, the event is **refused** (counted by the caller) and nothing
 * already spooled is dropped: the oldest alerts are the ones an analyst needs to see first.
 */
import { type FileHandle, mkdir, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  countLines,
  decodeLine,
  encodeLine,
  listSegments,
  READ_CHUNK,
  readCursor,
  type SpoolEntry,
  type SpoolPosition,
  segName,
  writeCursor,
} from './spoolFiles.js';

export interface SpoolOptions {
  dir: string;
  /** Bound on the bytes on disk; appends beyond it are refused. */
  maxBytes: number;
  /** A new segment is started when the current one reaches this size. Default: maxBytes/8 within 4 KiB…16 MiB; at most maxBytes/4. */
  segmentBytes?: number;
  /** fsync each write (survives a power cut, not only a process crash), at a throughput cost. Default false. */
  fsync?: boolean;
}

export interface SpooledEntry extends SpoolEntry {
  /** The position just after this entry: commit it once the entry was delivered. */
  end: SpoolPosition;
}

export interface SpoolStats {
  /** Bytes on disk (segment files). */
  bytes: number;
  maxBytes: number;
  /** Events appended (this process) and waiting to be delivered (including those replayed from disk). */
  backlog: number;
  /** Events found in the spool at start (replayed). */
  replayed: number;
  segments: number;
  /** Lines that could not be read back (torn by a crash, or damaged) and were skipped. */
  corrupt: number;
}

export class Spool {
  readonly dir: string;
  readonly maxBytes: number;
  readonly segmentBytes: number;
  readonly #fsync: boolean;

  /** Segment number → size on disk (flushed bytes). */
  readonly #segments = new Map<number, number>();
  #writeSeg = 0;
  #writeHandle: FileHandle | undefined;
  #commit: SpoolPosition = { seg: 0, off: 0 };
  #read: SpoolPosition = { seg: 0, off: 0 };
  #readHandle: { seg: number; fh: FileHandle } | undefined;

  #buffer: string[] = [];
  #bufferBytes = 0;
  #bufferEvents = 0;
  #flushing: Promise<void> = Promise.resolve();
  #cursorWrite: Promise<void> = Promise.resolve();
  #flushScheduled = false;
  #writeError: Error | undefined;
  #dataWaiters: (() => void)[] = [];
  #closed = false;

  #backlog = 0;
  #replayed = 0;
  #corrupt = 0;
  #diskBytes = 0;

  private constructor(opts: SpoolOptions) {
    this.dir = opts.dir;
    this.maxBytes = opts.maxBytes;
    // A wholly delivered segment is deleted only once a new one is started, so a segment must be well under
    // the size limit, or a full spool could wait on delivered bytes.
    const quarter = Math.max(1, Math.floor(opts.maxBytes / 4));
    this.segmentBytes = Math.min(
      quarter,
      opts.segmentBytes ?? Math.min(16 * 1024 * 1024, Math.max(4096, Math.floor(opts.maxBytes / 8))),
    );
    this.#fsync = opts.fsync ?? false;
  }

  /** Opens (or creates) the spool in `dir` and finds what is left to deliver. */
  static async open(opts: SpoolOptions): Promise<Spool> {
    if (!(opts.maxBytes > 0)) throw new Error('spool maxBytes must be > 0');
    const spool = new Spool(opts);
    await spool.#load();
    return spool;
  }

  async #load(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const segs = await listSegments(this.dir);
    // No cursor yet (or a damaged one): deliver everything on disk; duplicates beat losses.
    const cursor = await readCursor(this.dir);
    for (const n of segs) {
      if (cursor && n < cursor.seg) {
        await rm(join(this.dir, segName(n)), { force: true });
        continue;
      }
      const size = (await stat(join(this.dir, segName(n)))).size;
      this.#segments.set(n, size);
      this.#diskBytes += size;
    }
    const first = [...this.#segments.keys()][0];
    if (first === undefined) this.#commit = { seg: cursor?.seg ?? 1, off: 0 };
    else if (cursor && cursor.seg === first) this.#commit = { seg: first, off: cursor.off };
    else this.#commit = { seg: first, off: 0 };
    this.#read = { ...this.#commit };
    // Count what is left to deliver (one line per event).
    for (const [n, size] of this.#segments) {
      const from = n === this.#commit.seg ? this.#commit.off : 0;
      if (size > from) this.#backlog += await countLines(join(this.dir, segName(n)), from);
    }
    this.#replayed = this.#backlog;
    // New events always go to a new segment: never append after a possibly torn line.
    const last = [...this.#segments.keys()].pop();
    this.#writeSeg = Math.max(last ?? 0, this.#commit.seg - 1) + 1;
    await this.#openWriteSegment();
  }

  async #openWriteSegment(): Promise<void> {
    this.#writeHandle = await open(join(this.dir, segName(this.#writeSeg)), 'a');
    this.#segments.set(this.#writeSeg, 0);
  }

  get stats(): SpoolStats {
    return {
      bytes: this.#diskBytes,
      maxBytes: this.maxBytes,
      backlog: this.#backlog + this.#bufferEvents,
      replayed: this.#replayed,
      segments: this.#segments.size,
      corrupt: this.#corrupt,
    };
  }

  /**
   * Queues one event for writing. Returns false, without queuing it, when it would take the spool over its
   * size limit (the caller counts the refusal). Writes are grouped: `flushed()` resolves once it is on disk.
   */
  append(entry: SpoolEntry): boolean {
    if (this.#closed || this.#writeError) return false;
    const line = encodeLine(entry);
    const bytes = Buffer.byteLength(line, 'utf8');
    if (this.#diskBytes + this.#bufferBytes + bytes > this.maxBytes) return false;
    this.#buffer.push(line);
    this.#bufferBytes += bytes;
    this.#bufferEvents++;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => {
        this.#flushScheduled = false;
        void this.flushed().catch(() => {});
      });
    }
    return true;
  }

  /** Resolves when everything appended so far is written (rejects if the disk write failed). */
  flushed(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#writeBuffer());
    return this.#flushing;
  }

  async #writeBuffer(): Promise<void> {
    if (this.#writeError) throw this.#writeError;
    if (this.#buffer.length === 0) return;
    const data = this.#buffer.join('');
    const bytes = this.#bufferBytes;
    const events = this.#bufferEvents;
    this.#buffer = [];
    this.#bufferBytes = 0;
    this.#bufferEvents = 0;
    try {
      const size = this.#segments.get(this.#writeSeg) ?? 0;
      if (size >= this.segmentBytes) await this.#rotate();
      const fh = this.#writeHandle!;
      await fh.write(data);
      if (this.#fsync) await fh.sync();
      this.#segments.set(this.#writeSeg, (this.#segments.get(this.#writeSeg) ?? 0) + bytes);
      this.#diskBytes += bytes;
      this.#backlog += events;
    } catch (e) {
      this.#writeError = e instanceof Error ? e : new Error(String(e));
      throw this.#writeError;
    }
    const waiters = this.#dataWaiters;
    this.#dataWaiters = [];
    for (const w of waiters) w();
  }

  async #rotate(): Promise<void> {
    await this.#writeHandle?.close();
    const previous = this.#writeSeg;
    this.#writeSeg++;
    await this.#openWriteSegment();
    // The previous segment may already be wholly delivered.
    if (this.#commit.seg === previous && this.#commit.off >= (this.#segments.get(previous) ?? 0))
      await this.#advanceCommit({ seg: this.#writeSeg, off: 0 });
  }

  /** Resolves when there is written data past the read position (or the spool is closed, or after `ms`). */
  waitForData(ms: number): Promise<void> {
    if (this.#hasUnread() || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.#dataWaiters.push(done);
    });
  }

  #hasUnread(): boolean {
    if (this.#read.seg < this.#writeSeg) return true;
    return this.#read.off < (this.#segments.get(this.#read.seg) ?? 0);
  }

  /**
   * Reads up to `maxEvents` / about `maxBytes` of written events from the read position, oldest first, and moves
   * the read position past them. They stay in the spool until `commit`.
   */
  async read(maxEvents: number, maxBytes: number): Promise<SpooledEntry[]> {
    const out: SpooledEntry[] = [];
    let bytes = 0;
    let chunkSize = READ_CHUNK;
    while (out.length < maxEvents && bytes < maxBytes) {
      const seg = this.#read.seg;
      const size = this.#segments.get(seg);
      if (size === undefined) {
        if (seg >= this.#writeSeg) break;
        this.#read = { seg: seg + 1, off: 0 };
        continue;
      }
      if (this.#read.off >= size) {
        if (seg >= this.#writeSeg) break;
        this.#read = { seg: seg + 1, off: 0 };
        continue;
      }
      const fh = await this.#readHandleFor(seg);
      // (A skipped damaged line may commit, and so move the read position, inside the loop: use `base`.)
      const base = this.#read.off;
      const want = Math.min(chunkSize, size - base);
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await fh.read(buf, 0, want, base);
      let start = 0;
      let consumed = 0;
      while (out.length < maxEvents && bytes < maxBytes) {
        const nl = buf.indexOf(10, start);
        if (nl < 0 || nl >= bytesRead) break;
        const lineBytes = nl + 1 - start;
        const end = { seg, off: base + nl + 1 };
        const entry = decodeLine(buf.toString('utf8', start, nl));
        if (entry) {
          out.push({ ...entry, end });
          bytes += lineBytes;
        } else {
          // Skipped, and delivered together with the entry before it (or at once when there is none).
          this.#corrupt++;
          this.#backlog = Math.max(0, this.#backlog - 1);
          const previous = out[out.length - 1];
          if (previous) previous.end = end;
          else await this.commit(end, 0);
        }
        start = nl + 1;
        consumed = start;
      }
      if (consumed === 0) {
        if (bytesRead < size - base) {
          chunkSize *= 2; // a line longer than the chunk
          continue;
        }
        // A torn last line in a finished segment (a crash mid-write): skip it.
        if (seg < this.#writeSeg) {
          this.#corrupt++;
          this.#read = { seg: seg + 1, off: 0 };
          continue;
        }
        break;
      }
      this.#read = { seg, off: base + consumed };
    }
    return out;
  }

  async #readHandleFor(seg: number): Promise<FileHandle> {
    if (this.#readHandle?.seg === seg) return this.#readHandle.fh;
    await this.#readHandle?.fh.close();
    const fh = await open(join(this.dir, segName(seg)), 'r');
    this.#readHandle = { seg, fh };
    return fh;
  }

  /** Moves the read position back to the first undelivered event (nothing read since is lost). */
  rewind(): void {
    this.#read = { ...this.#commit };
  }

  /**
   * Marks everything before `pos` as delivered (`events` of them): persists the cursor and deletes segments
   * wholly before it.
   */
  async commit(pos: SpoolPosition, events: number): Promise<void> {
    let p = pos;
    if (p.seg < this.#writeSeg && p.off >= (this.#segments.get(p.seg) ?? 0)) p = { seg: p.seg + 1, off: 0 };
    await this.#advanceCommit(p);
    // A wholly delivered, full write segment is rotated now (and so deleted): when the spool is full and
    // appends are refused, no write would come to rotate it.
    if (this.#drainedWriteSegment()) {
      const rotation = this.#flushing
        .catch(() => {})
        .then(async () => {
          if (this.#drainedWriteSegment() && !this.#closed) await this.#rotate();
        });
      this.#flushing = rotation;
      await rotation;
    }
    // Last: once the backlog reads 0, the space is free again.
    this.#backlog = Math.max(0, this.#backlog - events);
  }

  #drainedWriteSegment(): boolean {
    const size = this.#segments.get(this.#writeSeg) ?? 0;
    return this.#commit.seg === this.#writeSeg && this.#commit.off >= size && size >= this.segmentBytes;
  }

  /**
   * Moves the commit position forward (never back) and persists it. The commit of a delivered slice and a segment
   * rotation may both call this at once: the cursor file writes and segment deletions run one at a time (two
   * writers of `cursor.json.tmp` made a rename fail, which failed the spool write it came from, losing its events).
   */
  async #advanceCommit(p: SpoolPosition): Promise<void> {
    const c = this.#commit;
    if (p.seg > c.seg || (p.seg === c.seg && p.off > c.off)) this.#commit = p;
    const at = this.#commit;
    if (this.#read.seg < at.seg || (this.#read.seg === at.seg && this.#read.off < at.off))
      this.#read = { ...at };
    const write = this.#cursorWrite.then(() => this.#persistCommit());
    this.#cursorWrite = write.catch(() => {});
    await write;
  }

  async #persistCommit(): Promise<void> {
    const p = this.#commit;
    await writeCursor(this.dir, p, this.#fsync);
    for (const [n, size] of [...this.#segments]) {
      if (n >= p.seg) continue;
      if (this.#readHandle?.seg === n) {
        await this.#readHandle.fh.close();
        this.#readHandle = undefined;
      }
      await rm(join(this.dir, segName(n)), { force: true });
      this.#segments.delete(n);
      this.#diskBytes -= size;
    }
  }

  /** Writes what is buffered and closes the files. Undelivered events stay on disk for the next start. */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.flushed();
    } finally {
      this.#closed = true;
      for (const w of this.#dataWaiters.splice(0)) w();
      await this.#readHandle?.fh.close();
      this.#readHandle = undefined;
      const fh = this.#writeHandle;
      this.#writeHandle = undefined;
      if (fh) {
        if (this.#fsync) await fh.sync().catch(() => {});
        await fh.close();
      }
    }
  }
}
