/**
 * The script that runs Azurite for `--state` (node -e LAUNCHER AZURITE_MAIN ARGS…), as plain CommonJS text
 * because it runs inside Azurite's process. What it adds to Azurite 3.35's Table service (LokiJS), and why
 * (docs/local-state.md, "Durable before a row is written"):
 *
 * - Every answer of the Table service is sent after the entities it acknowledges are appended to a journal
 *   (`<db file>.journal`, one JSON line per answer that changed something), so what the CLI was told is written
 *   survives Azurite being killed. A change the journal cannot hold (a table created or deleted) makes the answers
 *   carry UNSAVED_HEADER until `{flush}` (an IPC message) has saved the whole database and answered; the CLI sends
 *   it before writing rows only then (stateStore.ts). The journal replaces saving the whole database
 *   (LokiJS `saveDatabase` writes every entity: its cost grew with every id ever remembered, and a replay of
 *   50,000 alerts spent most of its time there). A full save (a checkpoint) happens when the journal outgrows
 *   twice the database file (and 64 MiB), on a change other than entities (a table created), and at every save
 *   LokiJS itself starts except the one at close, where a journal line is enough (the next start replays it).
 *   Order keeps it exact: a checkpoint first journals what is pending, then renames the journal aside,
 *   then serialises the database (synchronously: that instant is the snapshot), and deletes the renamed
 *   journals once the new file is in place. The journal therefore always covers every change up to the
 *   snapshot on disk, so replaying it in order over that snapshot gives the state of the last answer or later,
 *   never a mix. On start the journals are replayed and checkpointed before Azurite serves.
 * - Point lookups by (PartitionKey, RowKey) use a map: Azurite's `findOne` filtered every entity of the
 *   partition, and its two binary indices made each write O(entities). Every entity collection gets the map
 *   and loses those indices; a query of one partition starts from that partition's entities
 *   (azuritePartitionQuery.ts), others still scan.
 * - When the CLI goes away (its IPC channel closes, even after `kill -9`) Azurite stops as on SIGTERM, which
 *   journals what is pending.
 */
import { BATCH_PATCH } from './azuriteBatchPatch.js';
import { PARTITION_QUERY } from './azuritePartitionQuery.js';
import { TABLE_ONLY, TABLE_ONLY_FLAG } from './azuriteTableOnly.js';

/** Set on an answer of the `--state` Azurite while a change only a whole save keeps is pending (see below). */
export const UNSAVED_HEADER = 'x-ot-soc-unsaved';

export const LAUNCHER = String.raw`
const UNSAVED_HEADER = '${UNSAVED_HEADER}';
const main = process.argv[1];
const tableOnly = process.argv[2] === '${TABLE_ONLY_FLAG}';
process.argv = [process.argv[0], main, ...process.argv.slice(tableOnly ? 3 : 2)];
const fs = require('node:fs');
const { join, dirname, basename } = require('node:path');
const persistence = join(dirname(main), 'table', 'persistence');
const Store = require(join(persistence, 'LokiTableMetadataStore.js')).default;
const Loki = require(require.resolve('lokijs', { paths: [persistence] }));
const C = Loki.Collection.prototype;
const R = Loki.Resultset.prototype;

const isEntities = (c) => /^[^$]+\$[^$]+$/.test(c.name);
const keyOf = (d) => d.PartitionKey + '\u0000' + d.RowKey;
const maps = new WeakMap();
function mapOf(c) {
  let m = maps.get(c);
  if (!m) {
    m = new Map();
    for (const d of c.data) m.set(keyOf(d), d);
    maps.set(c, m);
  }
  return m;
}

// The Table service's database and what changed in it since the last journal line.
let db;
const dirty = new Map();
let full = false;
function touched(c, doc) {
  // In memory (no journal) there is nothing to record: the set would only grow.
  if (!journal || !db || !db.collections.includes(c)) return;
  if (!isEntities(c) || !doc) { full = true; return; }
  let keys = dirty.get(c.name);
  if (!keys) dirty.set(c.name, (keys = new Set()));
  keys.add(keyOf(doc));
}
function changedAll(c) {
  maps.delete(c);
  if (db && db.collections.includes(c)) full = true;
}

const insertOne = C.insertOne;
C.insertOne = function (doc, bulk) {
  const r = insertOne.call(this, doc, bulk);
  if (r && isEntities(this)) {
    if (this.cloneObjects) maps.delete(this);
    else maps.get(this)?.set(keyOf(r), r);
  }
  touched(this, r);
  return r;
};
const update = C.update;
C.update = function (doc) {
  if (Array.isArray(doc)) return update.call(this, doc);
  const r = update.call(this, doc);
  const stored = this.get(doc.$loki);
  if (stored && isEntities(this)) maps.get(this)?.set(keyOf(stored), stored);
  touched(this, stored);
  return r;
};
const remove = C.remove;
C.remove = function (doc) {
  if (typeof doc === 'number') doc = this.get(doc);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    const r = remove.call(this, doc);
    changedAll(this);
    return r;
  }
  // LokiJS deletes $loki from a removed document: compare before.
  const m = isEntities(this) ? maps.get(this) : undefined;
  const k = keyOf(doc);
  const mapped = m !== undefined && m.get(k)?.$loki === doc.$loki;
  const r = remove.call(this, doc);
  if (mapped) m.delete(k);
  touched(this, doc);
  return r;
};
for (const name of ['removeBatchByPositions', 'clear', 'removeDataOnly', 'updateWhere', 'findAndUpdate']) {
  const f = C[name];
  C[name] = function (...a) {
    try { return f.apply(this, a); } finally { changedAll(this); }
  };
}
for (const name of ['remove', 'update']) {
  const f = R[name];
  R[name] = function (...a) {
    try { return f.apply(this, a); } finally { changedAll(this.collection); }
  };
}
const findOne = C.findOne;
C.findOne = function (q) {
  if (q && isEntities(this) && typeof q.PartitionKey === 'string' && typeof q.RowKey === 'string' &&
      Object.keys(q).length === 2)
    return mapOf(this).get(q.PartitionKey + '\u0000' + q.RowKey) ?? null;
  return findOne.call(this, q);
};
for (const name of ['addCollection', 'removeCollection']) {
  const f = Loki.prototype[name];
  Loki.prototype[name] = function (...a) {
    const r = f.apply(this, a);
    if (this === db) full = true;
    if (name === 'addCollection' && r && isEntities(r)) r.binaryIndices = {};
    return r;
  };
}

// The journal.
let journal;
let fd;
let journalBytes = 0;
let generation = 0;
let saving = Promise.resolve();
const rotatedOf = (g) => journal + '.' + g;
function strip(d) {
  const { $loki, meta, ...rest } = d;
  return rest;
}
function writeJournal() {
  if (!dirty.size) return;
  const entries = [];
  for (const [name, keys] of dirty) {
    const c = db.getCollection(name);
    if (!c) continue;
    const m = mapOf(c);
    for (const k of keys) {
      const d = m.get(k);
      entries.push([name, k, d ? strip(d) : null]);
    }
  }
  dirty.clear();
  const line = JSON.stringify(entries) + '\n';
  if (fd === undefined) fd = fs.openSync(journal, 'a');
  fs.writeSync(fd, line);
  journalBytes += Buffer.byteLength(line);
}
function checkpointNow() {
  return new Promise((resolve, reject) => {
    writeJournal();
    if (fd !== undefined) fs.closeSync(fd);
    fd = undefined;
    const g = ++generation;
    if (fs.existsSync(journal)) fs.renameSync(journal, rotatedOf(g));
    journalBytes = 0;
    full = false;
    // Serialises now (the snapshot), then writes a temporary file and renames it.
    db.saveDatabaseInternal((err) => {
      if (err) return reject(err);
      measureDb();
      for (const f of journalFiles()) if (f.generation <= g) fs.rmSync(f.path, { force: true });
      resolve();
    });
  });
}
const checkpoint = () => (saving = saving.catch(() => {}).then(checkpointNow));
/** Makes every change so far durable: a journal line, or a checkpoint when one is due. */
async function flush() {
  if (!journal) return;
  if (full) return checkpoint();
  writeJournal();
  checkpointIfLarge();
}
// The database file's size, measured when it is written (a checkpoint) or found (the start): not on every answer.
let dbBytes = 0;
function measureDb() {
  try { dbBytes = fs.statSync(db.filename).size; } catch { dbBytes = 0; }
}
/** A checkpoint in the background once the journal outgrows twice the database file (and 64 MiB). */
function checkpointIfLarge() {
  if (closing || journalBytes <= 64 << 20) return;
  if (journalBytes > 2 * dbBytes) checkpoint().catch((e) => console.error('checkpoint: ' + e));
}
// Every answer goes out after the entity changes it acknowledges are journaled: a write the CLI was told of
// survives Azurite being killed, with no flush round trip before each row. A change only a whole save keeps (a
// table created or deleted) is not journaled: its answers say so (UNSAVED_HEADER) and the CLI flushes first.
{
  const http = require('node:http');
  const writeHead = http.ServerResponse.prototype.writeHead;
  http.ServerResponse.prototype.writeHead = function (...a) {
    if (journal && !this.headersSent) {
      writeJournal();
      if (full) this.setHeader(UNSAVED_HEADER, '1');
      else checkpointIfLarge();
    }
    return writeHead.apply(this, a);
  };
}
function journalFiles() {
  const dir = dirname(journal);
  const base = basename(journal);
  const out = [];
  for (const name of fs.readdirSync(dir)) {
    if (name === base) out.push({ path: join(dir, name), generation: Infinity });
    else if (name.startsWith(base + '.') && /^\d+$/.test(name.slice(base.length + 1)))
      out.push({ path: join(dir, name), generation: Number(name.slice(base.length + 1)) });
  }
  return out.sort((a, b) => a.generation - b.generation);
}
/** Replays the journals over the loaded database, in order; a torn last line (a crash mid-write) was never acknowledged. */
function recover() {
  const files = journalFiles();
  for (const f of files) {
    if (f.generation !== Infinity) generation = Math.max(generation, f.generation);
    for (const line of fs.readFileSync(f.path, 'utf8').split('\n')) {
      let entries;
      try { entries = JSON.parse(line); } catch { continue; }
      for (const [name, k, doc] of entries) {
        const c = db.getCollection(name);
        if (!c) continue;
        const cur = mapOf(c).get(k);
        if (cur) c.remove(cur);
        if (doc) c.insert(doc);
      }
    }
  }
  // The checkpoint that follows holds all of it; until it lands, the journals do.
  dirty.clear();
  return files.length > 0;
}

const init = Store.prototype.init;
Store.prototype.init = async function (...a) {
  await init.apply(this, a);
  db = this.db;
  for (const c of db.collections) if (isEntities(c)) c.binaryIndices = {};
  if (db.persistenceMethod !== 'fs') return;
  // Saves happen here only: LokiJS's own (its 5 s autosave, at close) would be whole-database saves.
  db.autosaveDisable();
  db.autosave = false;
  // At close the journal is enough (the next start replays it): a whole save there made every run's stop wait
  // for a serialisation of the database (about a second at 50,000 alerts).
  db.saveDatabase = (cb) => {
    const save = closing && !full ? flush() : checkpoint();
    save.then(() => cb && cb(), (e) => cb && cb(e));
  };
  journal = db.filename + '.journal';
  measureDb();
  if (recover()) await checkpoint();
};
const close = Store.prototype.close;
let closing = false;
Store.prototype.close = async function (...a) {
  if (this.db === db) {
    closing = true;
    await flush();
  }
  await saving.catch(() => {});
  return close.apply(this, a);
};
const createCollectionForTable = Store.prototype.createCollectionForTable;
Store.prototype.createCollectionForTable = function (...a) {
  const r = createCollectionForTable.apply(this, a);
  for (const c of this.db.collections) if (isEntities(c)) c.binaryIndices = {};
  return r;
};

process.on('message', async (m) => {
  if (!m || typeof m !== 'object' || m.flush === undefined) return;
  try {
    await flush();
    process.send({ flushed: m.flush });
  } catch (e) {
    process.send({ flushed: m.flush, error: String((e && e.message) || e) });
  }
});
let leaving = false;
// Azurite listens for SIGTERM only once it has started: until then, wait. Never outlive the CLI by long.
const leave = () => {
  if (process.listenerCount('SIGTERM') > 0) process.emit('SIGTERM');
  else setTimeout(leave, 100);
};
process.on('disconnect', () => {
  if (leaving) return;
  leaving = true;
  leave();
  setTimeout(() => process.exit(0), 30000).unref();
});
process.channel && process.channel.unref();
// The CLI may be gone (its pipes closed): Azurite's own messages must not crash it before it saved.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
// Queries of one partition start from that partition (azuritePartitionQuery.ts).
${PARTITION_QUERY}
// $batch without work that grows with the request and answers nothing (azuriteBatchPatch.ts).
${BATCH_PATCH}
// Only the Table service (what --state and the benches use), or all of Azurite (azuriteTableOnly.ts).
${TABLE_ONLY}
if (tableOnly) startTableOnly();
else require(main);
`;
