import type { AlertSink, SinkResult } from './alertSink.js';
import type { OtAlertsRow } from './schema.js';

interface Waiting {
  rows: OtAlertsRow[];
  resolve: (r: SinkResult) => void;
  reject: (e: unknown) => void;
}

/**
 * A sink that merges the writes made while one is in flight (and those of the same turn of the event loop) into
 * one write of the sink below, in the order they were made. The CLI applies a batch's share of each group-store
 * partition on its own (cli/runPipeline.ts, lanes): each share writing alone would cost one upload (gzip, request,
 * and with `--state` one durability flush) per share instead of per batch. Each caller gets the answer for its own
 * rows (indices into them); the retries of a merged write are counted once, by its first caller. A write with an
 * AbortSignal is not merged (its deadline is its own).
 */
export function coalescingSink(sink: AlertSink): AlertSink {
  let queue: Waiting[] = [];
  let running = false;

  const drain = async () => {
    // Writers of the same turn (the lanes of a batch whose commits answered together) join the first write.
    await new Promise<void>((r) => setImmediate(r));
    while (queue.length) {
      const taken = queue;
      queue = [];
      try {
        const result = await sink.write(taken.flatMap((w) => w.rows));
        split(taken, result);
      } catch (e) {
        for (const w of taken) w.reject(e);
      }
    }
    running = false;
  };

  return {
    write(rows, signal) {
      if (signal || !rows.length) return sink.write(rows, signal);
      return new Promise<SinkResult>((resolve, reject) => {
        queue.push({ rows, resolve, reject });
        if (running) return;
        running = true;
        void drain();
      });
    },
  };
}

/** Hands each caller its share of a merged answer, indices made relative to its own rows. */
function split(taken: readonly Waiting[], result: SinkResult): void {
  let start = 0;
  taken.forEach((w, i) => {
    const end = start + w.rows.length;
    const mine = (index: number) => index >= start && index < end;
    w.resolve({
      accepted: result.accepted.filter(mine).map((index) => index - start),
      rejected: result.rejected.filter((r) => mine(r.index)).map((r) => ({ ...r, index: r.index - start })),
      retries: i === 0 ? result.retries : 0,
    });
    start = end;
  });
}
