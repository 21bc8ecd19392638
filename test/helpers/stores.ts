import type { GroupStore } from '../../pipeline/dedup/groupState.js';

/** A GroupStore that forwards to `store` except for what `over` replaces (fault and race injection in tests). */
export function delegating(store: GroupStore, over: Partial<GroupStore> & { kind: string }): GroupStore {
  return {
    get operations() {
      return store.operations;
    },
    read: (p, want) => store.read(p, want),
    commit: (p, writes) => store.commit(p, writes),
    put: (s, etag) => store.put(s, etag),
    findByAlertId: (id) => store.findByAlertId(id),
    listDirty: () => store.listDirty(),
    expire: (before, limit) => store.expire?.(before, limit) ?? Promise.resolve(0),
    ...(store.peekIds ? { peekIds: (p: string, ids: readonly string[]) => store.peekIds!(p, ids) } : {}),
    close: async () => {},
    ...over,
  };
}
