/**
 * Progress on stderr: a cli-progress bar on a terminal; otherwise (a service log, a pipe) one line every
 * `everyMs` — so `send` shows progress in both without filling a log with bar redraws.
 */
import { SingleBar } from 'cli-progress';

export interface Progress {
  start(total: number): void;
  update(done: number): void;
  stop(): void;
}

export function progressReporter(
  enabled: boolean,
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  everyMs = 5000,
): Progress {
  if (!enabled) return { start() {}, update() {}, stop() {} };
  if (stream.isTTY) {
    const bar = new SingleBar({
      format: ` {bar} {value}/{total} ${label} | {rate}/s | ETA {eta_formatted}`,
      hideCursor: true,
      stream,
    });
    let started = 0;
    return {
      start(total) {
        started = performance.now();
        bar.start(total, 0, { rate: 0 });
      },
      update(done) {
        const s = (performance.now() - started) / 1000;
        bar.update(done, { rate: s > 0 ? Math.round(done / s) : 0 });
      },
      stop() {
        bar.stop();
      },
    };
  }
  let total = 0;
  let started = 0;
  let lastLine = 0;
  let last = 0;
  const line = (done: number) => {
    const s = (performance.now() - started) / 1000;
    stream.write(`${label}: ${done}/${total} (${s > 0 ? Math.round(done / s) : 0}/s)\n`);
  };
  return {
    start(t) {
      total = t;
      started = lastLine = performance.now();
    },
    update(done) {
      last = done;
      if (performance.now() - lastLine >= everyMs) {
        lastLine = performance.now();
        line(done);
      }
    },
    stop() {
      if (total > 0) line(last);
    },
  };
}
