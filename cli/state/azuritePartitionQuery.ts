/**
 * Part of the Azurite launcher (azuriteLauncher.ts appends it before starting Azurite; plain CommonJS text that
 * uses the launcher's `C`, `Store`, `maps`, `mapOf`, `isEntities`). Azurite 3.35 answers every query by filtering
 * the whole entity collection of the table (LokiTableMetadataStore.queryTableEntities: `chain().where(…)`), so a
 * key-range query of one partition cost time in proportion to every entity ever stored, where Table Storage reads
 * the range from its index. The group store's flush asks only such queries (`PartitionKey eq '…' and RowKey …`:
 * docs/state.md), so a query whose filter starts with `PartitionKey eq` starts from that partition's entities
 * (a per-partition index kept beside the launcher's point-read map), and Azurite's own filter, order and paging
 * run on them unchanged (a filter that is only RowKey bounds besides is narrowed by them first, with the same
 * string comparisons). Any other query runs as before.
 */
export const PARTITION_QUERY = `
// Per entity collection: PartitionKey → RowKey → document, derived from the point-read map (rebuilt when that is).
const partitionIndex = new WeakMap();
function putDoc(parts, d) {
  let m = parts.get(d.PartitionKey);
  if (!m) parts.set(d.PartitionKey, (m = new Map()));
  m.set(d.RowKey, d);
}
function partitionsOf(c) {
  const source = mapOf(c);
  let x = partitionIndex.get(c);
  if (!x || x.source !== source) {
    const parts = new Map();
    for (const d of source.values()) putDoc(parts, d);
    x = { source, parts };
    partitionIndex.set(c, x);
  }
  return x.parts;
}
// Follows the point-read map: a change it took in place is mirrored; one that dropped it drops this too.
const live = (c) => {
  const x = partitionIndex.get(c);
  return x && x.source === maps.get(c) ? x : undefined;
};
const insertOnePartitioned = C.insertOne;
C.insertOne = function (doc, bulk) {
  const r = insertOnePartitioned.call(this, doc, bulk);
  const x = r && isEntities(this) ? live(this) : undefined;
  if (x) putDoc(x.parts, r);
  return r;
};
const updatePartitioned = C.update;
C.update = function (doc) {
  const r = updatePartitioned.call(this, doc);
  const x = !Array.isArray(doc) && isEntities(this) ? live(this) : undefined;
  const stored = x ? this.get(doc.$loki) : undefined;
  if (stored) putDoc(x.parts, stored);
  return r;
};
const removePartitioned = C.remove;
C.remove = function (doc) {
  const d = typeof doc === 'number' ? this.get(doc) : doc;
  const one = d && typeof d === 'object' && !Array.isArray(d) && isEntities(this);
  // LokiJS deletes $loki from a removed document: compare before.
  const m = one && live(this) ? live(this).parts.get(d.PartitionKey) : undefined;
  const indexed = m !== undefined && m.get(d.RowKey) !== undefined && m.get(d.RowKey).$loki === d.$loki;
  const r = removePartitioned.call(this, doc);
  if (indexed) m.delete(d.RowKey);
  return r;
};
const queryPartitioned = Store.prototype.queryTableEntities;
Store.prototype.queryTableEntities = function (context, account, table, queryOptions, ...rest) {
  const filter = (queryOptions && queryOptions.filter) || '';
  const pk = /^PartitionKey eq '((?:[^']|'')*)'(?: and |$)/.exec(filter);
  if (!pk) return queryPartitioned.call(this, context, account, table, queryOptions, ...rest);
  const c = this.getEntityCollection(account, table, context);
  const docs = partitionsOf(c).get(pk[1].replace(/''/g, "'"));
  // A pure conjunction of RowKey bounds (the group store's ranges) narrows further, with the same comparisons.
  const bounds = [];
  const conj = /^PartitionKey eq '(?:[^']|'')*'((?: and RowKey (?:ge|gt|le|lt) '(?:[^']|'')*')*)$/.exec(filter);
  if (conj)
    for (const b of conj[1].matchAll(/RowKey (ge|gt|le|lt) '((?:[^']|'')*)'/g))
      bounds.push([b[1], b[2].replace(/''/g, "'")]);
  const inRange = (rk) =>
    bounds.every(([op, v]) => (op === 'ge' ? rk >= v : op === 'gt' ? rk > v : op === 'le' ? rk <= v : rk < v));
  // Azurite calls chain() once, synchronously, before its first await: that resultset starts from the partition.
  c.chain = function (...a) {
    delete c.chain;
    const rs = C.chain.apply(this, a);
    const rows = [];
    for (const d of docs ? docs.values() : []) {
      if (!inRange(d.RowKey)) continue;
      const at = Number.isInteger(d.$loki) ? this.get(d.$loki, true) : undefined;
      if (at) rows.push(at[1]);
    }
    rs.filteredrows = rows.sort((x, y) => x - y);
    rs.filterInitialized = true;
    return rs;
  };
  try {
    return queryPartitioned.call(this, context, account, table, queryOptions, ...rest);
  } finally {
    delete c.chain;
  }
};
`;
