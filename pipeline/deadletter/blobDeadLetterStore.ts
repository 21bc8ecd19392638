import type { BlobRequestConditions, ContainerClient } from '@azure/storage-blob';
import { groupBy } from '../util/groupBy.js';
import { mapLimit } from '../util/mapLimit.js';
import {
  DEFAULT_MAX_ATTEMPTS,
  type DeadLetter,
  type DeadLetterStage,
  type DeadLetterStore,
  type FailureOptions,
  type PendingFilter,
  type StoredDeadLetter,
} from './deadLetterStore.js';
import { byAge, deadLetterId, mergeLetter, parseStoredLetter, toStored, withFailure } from './letters.js';

export const DEFAULT_DEADLETTER_CONTAINER = 'ot-soc-deadletters';

const PENDING = 'pending/';
const PARKED = 'parked/';
/** Conditional-write rounds before giving up on a letter that keeps changing under us. */
const MAX_ROUNDS = 10;

export interface BlobDeadLetterStoreOptions {
  /** A letter is parked when its attempts reach this. Default 5. */
  maxAttempts?: number;
  now?: () => Date;
  /** Requests in flight at once. Default 16. */
  concurrency?: number;
}

interface Found {
  name: string;
  etag: string;
  letter: StoredDeadLetter;
}

/** Listing entry: what the blob metadata says, enough to filter and order without downloading. */
interface Listed {
  name: string;
  stage: string | undefined;
  firstFailedAt: string;
  partition: string;
  sequence: number;
  index: number;
}

const statusOf = (e: unknown): number | undefined =>
  typeof e === 'object' && e !== null ? (e as { statusCode?: number }).statusCode : undefined;
/** 409 BlobAlreadyExists (If-None-Match: *) or 412 ConditionNotMet (If-Match): someone wrote first. */
const isRace = (e: unknown) => statusOf(e) === 409 || statusOf(e) === 412;

class Race extends Error {}
class NotALetter extends Error {}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

const nameOf = (id: string, state: StoredDeadLetter['state']) =>
  `${state === 'parked' ? PARKED : PENDING}${id}.json`;

function metadataOf(l: StoredDeadLetter): Record<string, string> {
  return {
    stage: l.stage,
    state: l.state,
    attempts: String(l.attempts),
    firstfailedat: l.firstFailedAt,
    lastfailedat: l.lastFailedAt,
    partition: encodeURIComponent(l.origin.partition),
    sequence: String(l.origin.sequence),
    index: String(l.origin.index),
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function byListing(a: Listed, b: Listed): number {
  return (
    (Date.parse(a.firstFailedAt) || 0) - (Date.parse(b.firstFailedAt) || 0) ||
    (a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : 0) ||
    a.sequence - b.sequence ||
    a.index - b.index ||
    (a.name < b.name ? -1 : 1)
  );
}

/**
 * Dead letters in Azure Blob Storage (`@azure/storage-blob`; Azurite in tests), one JSON blob per letter:
 *
 * - `pending/<id>.json` while redrive should retry it, `parked/<id>.json` once it failed `maxAttempts` times.
 *   The name is a function of the id alone (no date folder): `put` must find an earlier copy of the same
 *   record to overwrite it, and a redelivery can arrive on another day than the first failure. Age order
 *   comes from metadata, which a listing returns without downloading anything.
 * - metadata `stage`, `state`, `attempts`, `firstfailedat`, `lastfailedat`, `partition`, `sequence`, `index`:
 *   `listPending` filters by stage and orders oldest first from one listing, then downloads only `limit`.
 * - every rewrite is conditional: create with If-None-Match `*`, update with If-Match the ETag read, so two
 *   writers (the ingest Function re-lettering a redelivery while the redrive timer records a failure) never
 *   lose each other's history; parking writes `parked/…` then deletes `pending/…` with If-Match (a crash in
 *   between leaves the pending copy, and the next failure completes the move).
 *
 * The caller builds the `ContainerClient`: with the managed identity (`DefaultAzureCredential`, role
 * Storage Blob Data Contributor) from `https://<account>.blob.core.windows.net`, or from a connection string
 * locally. The container is created on first use when it does not exist.
 */
export class BlobDeadLetterStore implements DeadLetterStore {
  readonly kind = 'blob';
  readonly maxAttempts: number;
  readonly #now: () => Date;
  readonly #concurrency: number;
  #ready: Promise<void> | undefined;
  #operations = 0;

  constructor(
    readonly container: ContainerClient,
    opts: BlobDeadLetterStoreOptions = {},
  ) {
    this.maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.#now = opts.now ?? (() => new Date());
    this.#concurrency = opts.concurrency ?? 16;
  }

  /** Requests sent to Blob Storage (the cost driver in Azure). */
  get operations(): number {
    return this.#operations;
  }

  /** Creates the container when it does not exist (idempotent; done on first use anyway). */
  async init(): Promise<this> {
    await this.#ensure();
    return this;
  }

  #ensure(): Promise<void> {
    this.#ready ??= (async () => {
      this.#operations++;
      try {
        await this.container.createIfNotExists();
      } catch (e) {
        // An identity allowed to read and write blobs but not to create containers: provisioned by infra.
        if (statusOf(e) !== 403) throw e;
      }
    })().catch((e: unknown) => {
      this.#ready = undefined;
      throw e;
    });
    return this.#ready;
  }

  async #read(name: string): Promise<Found | undefined> {
    this.#operations++;
    try {
      const res = await this.container.getBlobClient(name).download();
      const letter = parseStoredLetter(await readAll(res.readableStreamBody), this.maxAttempts);
      if (!letter) throw new NotALetter(`dead letter blob ${name} is not a dead letter; left as it is`);
      return { name, etag: res.etag ?? '', letter };
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  async #write(letter: StoredDeadLetter, conditions: BlobRequestConditions = {}): Promise<void> {
    const body = JSON.stringify(letter);
    this.#operations++;
    try {
      await this.container
        .getBlockBlobClient(nameOf(letter.id, letter.state))
        .upload(body, Buffer.byteLength(body), {
          blobHTTPHeaders: { blobContentType: 'application/json; charset=utf-8' },
          metadata: metadataOf(letter),
          conditions,
        });
    } catch (e) {
      if (isRace(e)) throw new Race();
      throw e;
    }
  }

  /** Writes `next` over `cur` (same blob: If-Match; pending → parked: write, then delete the pending one). */
  async #replace(cur: Found, next: StoredDeadLetter): Promise<boolean> {
    const target = nameOf(next.id, next.state);
    if (target === cur.name) {
      await this.#write(next, { ifMatch: cur.etag });
      return true;
    }
    await this.#write(next);
    this.#operations++;
    try {
      await this.container.deleteBlob(cur.name, { conditions: { ifMatch: cur.etag } });
      return true;
    } catch (e) {
      if (statusOf(e) === 412) throw new Race();
      if (statusOf(e) !== 404) throw e;
      // Resolved meanwhile (a redrive succeeded): do not resurrect it as parked.
      this.#operations++;
      await this.container.getBlobClient(target).deleteIfExists();
      return false;
    }
  }

  async #rounds<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let round = 1; ; round++) {
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof Race) || round >= MAX_ROUNDS) {
          if (e instanceof Race)
            throw new Error(`dead letter ${what} kept changing under concurrent writers`);
          throw e;
        }
        await new Promise((r) => setTimeout(r, Math.random() * 20 * round));
      }
    }
  }

  async #putOne(input: DeadLetter): Promise<void> {
    const fresh = toStored(input, this.maxAttempts);
    await this.#rounds(fresh.id, async () => {
      // A record parked earlier stays parked: its redelivered failure joins that history.
      const parked = await this.#read(nameOf(fresh.id, 'parked'));
      if (parked) {
        const merged = mergeLetter(parked.letter, input, this.maxAttempts);
        if (merged.changed) await this.#replace(parked, merged.letter);
        return;
      }
      try {
        await this.#write(fresh, { ifNoneMatch: '*' });
        return;
      } catch (e) {
        if (!(e instanceof Race) || fresh.state === 'parked') throw e;
      }
      const pending = await this.#read(nameOf(fresh.id, 'pending'));
      if (!pending) throw new Race(); // resolved between the two calls: start over
      const merged = mergeLetter(pending.letter, input, this.maxAttempts);
      if (merged.changed) await this.#replace(pending, merged.letter);
    });
  }

  async put(letters: readonly DeadLetter[]): Promise<void> {
    if (!letters.length) return;
    await this.#ensure();
    // Letters of one id go in order (a batch may re-letter one record); different ids in parallel.
    const byId = groupBy(letters, (l) => deadLetterId(l.origin, l.stage));
    await mapLimit([...byId.values()], this.#concurrency, async (same) => {
      for (const l of same) await this.#putOne(l);
    });
  }

  async #listed(prefix: string): Promise<Listed[]> {
    await this.#ensure();
    const out: Listed[] = [];
    this.#operations++;
    for await (const b of this.container.listBlobsFlat({ prefix, includeMetadata: true })) {
      if (!b.name.endsWith('.json')) continue;
      const m = b.metadata ?? {};
      out.push({
        name: b.name,
        stage: m.stage,
        firstFailedAt: m.firstfailedat ?? b.properties.createdOn?.toISOString() ?? '',
        partition: safeDecode(m.partition ?? ''),
        sequence: Number(m.sequence ?? 0),
        index: Number(m.index ?? 0),
      });
    }
    return out.sort(byListing);
  }

  async #download(names: readonly string[]): Promise<StoredDeadLetter[]> {
    const found = await mapLimit(names, this.#concurrency, async (name) => {
      try {
        return (await this.#read(name))?.letter;
      } catch (e) {
        if (e instanceof NotALetter) return undefined; // left in place, never deleted
        throw e;
      }
    });
    return found.filter((l): l is StoredDeadLetter => l !== undefined).sort(byAge);
  }

  async list(): Promise<StoredDeadLetter[]> {
    const [pending, parked] = await Promise.all([this.#listed(PENDING), this.#listed(PARKED)]);
    const letters = await this.#download([...pending, ...parked].map((b) => b.name));
    // A move interrupted by a crash leaves both copies: the pending one is the live letter.
    const seen = new Set<string>();
    return letters
      .sort((a, b) => (a.state === b.state ? 0 : a.state === 'pending' ? -1 : 1))
      .filter((l) => !seen.has(l.id) && seen.add(l.id))
      .sort(byAge);
  }

  async listPending(limit?: number, filter: PendingFilter = {}): Promise<StoredDeadLetter[]> {
    if (limit !== undefined && limit <= 0) return [];
    const stages = filter.stages && new Set<string>(filter.stages);
    const listed = (await this.#listed(PENDING)).filter(
      (b) => !stages || b.stage === undefined || stages.has(b.stage),
    );
    const letters = await this.#download(listed.slice(0, limit ?? listed.length).map((b) => b.name));
    return letters.filter((l) => l.state === 'pending' && (!stages || stages.has(l.stage)));
  }

  async listParked(): Promise<StoredDeadLetter[]> {
    return this.#download((await this.#listed(PARKED)).map((b) => b.name));
  }

  async resolve(ids: readonly string[]): Promise<number> {
    if (!ids.length) return 0;
    await this.#ensure();
    const deleted = await mapLimit([...new Set(ids)], this.#concurrency, async (id) => {
      this.#operations += 2;
      const [pending, parked] = await Promise.all([
        this.container.getBlobClient(nameOf(id, 'pending')).deleteIfExists(),
        this.container.getBlobClient(nameOf(id, 'parked')).deleteIfExists(),
      ]);
      return pending.succeeded || parked.succeeded;
    });
    return deleted.filter(Boolean).length;
  }

  async recordFailure(
    letter: Pick<StoredDeadLetter, 'id'>,
    reason: string,
    opts: FailureOptions = {},
  ): Promise<StoredDeadLetter | undefined> {
    await this.#ensure();
    const at = opts.at ?? this.#now();
    const maxAttempts = opts.maxAttempts ?? this.maxAttempts;
    const stage: DeadLetterStage | undefined = opts.stage;
    return this.#rounds(letter.id, async () => {
      const cur =
        (await this.#read(nameOf(letter.id, 'pending'))) ?? (await this.#read(nameOf(letter.id, 'parked')));
      if (!cur) return undefined;
      const next = withFailure(cur.letter, reason, { ...(stage ? { stage } : {}), at, maxAttempts });
      return (await this.#replace(cur, next)) ? next : undefined;
    });
  }

  async close(): Promise<void> {}
}
