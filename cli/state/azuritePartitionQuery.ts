/**
 * Part of the Azurite launcher (azuriteLauncher.ts appends it before starting Azurite; plain CommonJS text that
 * uses the launcher's `C`, `Store`, `maps`, `mapOf`, `isEntities`). Azurite 3.35 answers every query by filtering
 * the whole entity collection of the table (LokiTableMetadataStore.queryTableEntities: `chain().where(…)`), so a
 * key-range query of one partition cost time in proportion to every entity ever stored, where Table Storage reads
 * the range from its index. The group store's flush asks only such queries (`PartitionKey eq '…' and RowKey …`:
 * docs/state.md), so a query whose filter starts with `PartitionKey eq` starts from that partition's entities
 * and within it from the RowKey kinds (first two characters) its bounds reach (an index kept beside the
 * launcher's point-read map), and Azurite's own filter, order and paging
 * run on them unchanged (a filter that is only RowKey bounds besides is narrowed by them first, with the same
 * string comparisons). Any other query runs as before.
 */
export const PARTITION_QUERY = `
// Per entity collection: PartitionKey → RowKey → document, derived from the point-read map (rebuilt when that is).
const partitionIndex = new WeakMap();
// Within a partition, by the RowKey's first two characters (the group store's kinds: h~, i~, d~, t~, …): a range
// query reads the buckets its bounds can reach, so the due markers of a zone are found without walking its
// settled groups and id entries, as Table Storage reads a key range from its index.
const bucketOf = (rk) => String(rk).slice(0, 2);
function putDoc(parts, d) {
  let p = parts.get(d.PartitionKey);
  if (!p) parts.set(d.PartitionKey, (p = new Map()));
  const b = bucketOf(d.RowKey);
  let m = p.get(b);
  if (!m) p.set(b, (m = new Map()));
  m.set(d.RowKey, d);
}
function docOf(parts, pk, rk) {
  return parts.get(pk)?.get(bucketOf(rk))?.get(rk);
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
  const x = one ? live(this) : undefined;
  const indexed = x !== undefined && docOf(x.parts, d.PartitionKey, d.RowKey)?.$loki === d.$loki;
  const bucket = indexed ? x.parts.get(d.PartitionKey).get(bucketOf(d.RowKey)) : undefined;
  const r = removePartitioned.call(this, doc);
  if (bucket) bucket.delete(d.RowKey);
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
  // A bucket holds keys from its prefix up to the prefix followed by the highest character: skipped when the
  // bounds exclude all of that (a conservative test; every document is still checked by inRange).
  const reaches = (b) =>
    bounds.every(([op, v]) =>
      op === 'ge' || op === 'gt' ? b + '\uffff' >= v.slice(0, 2) : op === 'le' ? b <= v : b < v,
    );
  // Azurite calls chain() once, synchronously, before its first await: that resultset starts from the partition.
  c.chain = function (...a) {
    delete c.chain;
    const rs = C.chain.apply(this, a);
    const rows = [];
    for (const [b, bucket] of docs ?? []) {
      if (!reaches(b)) continue;
      for (const d of bucket.values()) {
        if (!inRange(d.RowKey)) continue;
        const at = Number.isInteger(d.$loki) ? this.get(d.$loki, true) : undefined;
        if (at) rows.push(at[1]);
      }
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
