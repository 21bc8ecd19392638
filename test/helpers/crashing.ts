/**
 * Crash injection for crash-at-every-step tests: wraps the async methods of dependency objects so that call
 * number `k` fails, either before it happens or after it happened with its answer lost (a crash, a 5xx after
 * the write). Every call is recorded, so a clean run (k = 0) counts the steps to crash at.
 */
export class Crash extends Error {}
export type CrashMode = 'before' | 'after';
export const CRASH_MODES: readonly CrashMode[] = ['before', 'after'];

export interface CrashCall {
  n: number;
  name: string;
  args: unknown[];
}

export function crashAt(k: number, mode: CrashMode) {
  const calls: CrashCall[] = [];
  let crashed: CrashCall | undefined;
  const wrap = <T extends object>(target: T, prefix: string): T =>
    new Proxy(target, {
      get(t, p, r) {
        const v = Reflect.get(t, p, r) as unknown;
        if (typeof v !== 'function') return v;
        return async (...args: unknown[]) => {
          const call = { n: calls.length + 1, name: `${prefix}.${String(p)}`, args };
          calls.push(call);
          if (call.n === k && mode === 'before') {
            crashed = call;
            throw new Crash(`crash before ${call.name}`);
          }
          const result = await (v as (...a: unknown[]) => unknown).apply(t, args);
          if (call.n === k && mode === 'after') {
            crashed = call;
            throw new Crash(`crash after ${call.name}`);
          }
          return result;
        };
      },
    });
  return { wrap, calls, crashed: () => crashed };
}
