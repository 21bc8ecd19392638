/**
 * The forwarder's log: one line per event on stderr (journald and Windows services capture it), as text
 * (`2026-11-18T08:00:00.000Z WARN invalid message transport=udp reason="…"`) or JSON lines.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | undefined | null>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface StreamLoggerOptions {
  format?: 'text' | 'json';
  level?: LogLevel;
  write?: (line: string) => void;
}

export function streamLogger(opts: StreamLoggerOptions = {}): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  const json = opts.format === 'json';
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    const time = new Date().toISOString();
    if (json) {
      write(`${JSON.stringify({ time, level, msg, ...fields })}\n`);
      return;
    }
    let line = `${time} ${level.toUpperCase()} ${msg}`;
    for (const [k, v] of Object.entries(fields ?? {})) {
      if (v === undefined) continue;
      const s = String(v);
      line += ` ${k}=${/^[\w.:/@-]+$/.test(s) ? s : JSON.stringify(s)}`;
    }
    write(`${line}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** A logger that keeps lines in memory (tests). */
export function memoryLogger(): Logger & { lines: { level: LogLevel; msg: string; fields?: LogFields }[] } {
  const lines: { level: LogLevel; msg: string; fields?: LogFields }[] = [];
  const push = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    lines.push(fields === undefined ? { level, msg } : { level, msg, fields });
  };
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

/**
 * At most `limit` lines per `windowMs` for one kind of message (a flood of garbage must not flood the log);
 * when a window ends, one line says how many were left out.
 */
export class LogLimiter {
  #windowStart = 0;
  #inWindow = 0;
  #suppressed = 0;
  constructor(
    private readonly log: Logger,
    private readonly what: string,
    private readonly limit = 20,
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs (or counts as left out) one occurrence. */
  warn(msg: string, fields?: LogFields): void {
    const t = this.now();
    if (t - this.#windowStart >= this.windowMs) {
      if (this.#suppressed > 0)
        this.log.warn(`${this.#suppressed} more ${this.what} not logged`, {
          windowSeconds: this.windowMs / 1000,
        });
      this.#windowStart = t;
      this.#inWindow = 0;
      this.#suppressed = 0;
    }
    if (this.#inWindow < this.limit) {
      this.#inWindow++;
      this.log.warn(msg, fields);
    } else this.#suppressed++;
  }
}

/** A short, printable excerpt of a message for the log. */
export function excerpt(s: string, max = 160): string {
  const flat = s.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max)}…`;
}
