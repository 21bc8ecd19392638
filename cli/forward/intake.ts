/**
 * Where every received message goes: validated and parsed with the pipeline's own `parseRecord`, given its
 * partition key (`partitionKeyOf`: site/zone), and appended to the spool as the ORIGINAL text (the pipeline parses
 * it again; dead letters need the raw text). A malformed message is counted and logged with its reason and never
 * forwarded.
 */
import type { EnrichConfig } from '../../pipeline/enrich/enricher.js';
import { isSplitError, parseRecord, splitEvent } from '../../pipeline/parse/index.js';
import { partitionKeyOf } from '../partitionKey.js';
import type { ForwarderCounters, Transport } from './counters.js';
import { excerpt, type Logger, LogLimiter } from './log.js';
import type { Spool } from './spool.js';

export interface IntakeOptions {
  /** Largest syslog message accepted, in bytes. */
  maxMessageBytes: number;
}

/** What became of one webhook request's records. */
export interface RecordsOutcome {
  accepted: number;
  invalid: { index: number; reason: string }[];
  /** Valid records the spool refused (full). */
  refused: number;
}

export class Intake {
  readonly #invalidLog: LogLimiter;
  readonly #refusedLog: LogLimiter;

  constructor(
    private readonly spool: Spool,
    private readonly sensors: EnrichConfig['sensors'],
    private readonly counters: ForwarderCounters,
    log: Logger,
    private readonly opts: IntakeOptions,
  ) {
    this.#invalidLog = new LogLimiter(log, 'invalid messages');
    this.#refusedLog = new LogLimiter(log, 'refused messages', 5);
  }

  /** One syslog message (UDP datagram or stream frame). */
  syslog(transport: Transport, raw: string, peer: string): void {
    this.counters.received[transport]++;
    const text = trimMessage(raw);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.opts.maxMessageBytes) {
      this.#invalid(
        transport,
        `message too large (${bytes} bytes > ${this.opts.maxMessageBytes})`,
        text,
        peer,
      );
      return;
    }
    const parsed = parseRecord(text);
    if (!parsed.ok) {
      this.#invalid(transport, parsed.reason, text, peer);
      return;
    }
    this.#spool(transport, partitionKeyOf(text, this.sensors), text, peer);
  }

  /** A syslog stream frame that could not be read (too large, bad octet count): counted as invalid. */
  framingError(transport: Transport, reason: string, peer: string, fragment: string): void {
    this.counters.received[transport]++;
    this.counters.framingErrors++;
    this.#invalid(transport, reason, fragment, peer);
  }

  /**
   * One webhook body, already JSON-parsed: one alert (published as the original text), or an array / export
   * envelope of them (each valid record published on its own, as its JSON).
   */
  records(transport: Transport, value: unknown, rawText: string, peer: string): RecordsOutcome {
    const outcome: RecordsOutcome = { accepted: 0, invalid: [], refused: 0 };
    const pieces = splitEvent(value);
    for (const piece of pieces) {
      this.counters.received[transport]++;
      if (isSplitError(piece)) {
        outcome.invalid.push({ index: piece.index, reason: piece.error });
        this.#invalid(transport, piece.error, piece.raw, peer);
        continue;
      }
      const parsed = parseRecord(piece.value);
      if (!parsed.ok) {
        outcome.invalid.push({ index: piece.index, reason: parsed.reason });
        this.#invalid(transport, parsed.reason, piece.raw, peer);
        continue;
      }
      const body = pieces.length === 1 && piece.value === value ? rawText : JSON.stringify(piece.value);
      if (this.#spool(transport, partitionKeyOf(piece.value, this.sensors), body, peer)) outcome.accepted++;
      else outcome.refused++;
    }
    return outcome;
  }

  /** A whole request or datagram that is not even a message (e.g. a webhook body that is not JSON). */
  rejected(transport: Transport, reason: string, fragment: string, peer: string): void {
    this.counters.received[transport]++;
    this.#invalid(transport, reason, fragment, peer);
  }

  #spool(transport: Transport, key: string, body: string, peer: string): boolean {
    if (this.spool.append({ key, body })) {
      this.counters.spooled++;
      return true;
    }
    this.counters.refused++;
    const s = this.spool.stats;
    this.#refusedLog.warn('spool full: message refused (not forwarded)', {
      transport,
      peer,
      spoolBytes: s.bytes,
      maxBytes: s.maxBytes,
      backlog: s.backlog,
    });
    return false;
  }

  #invalid(transport: Transport, reason: string, text: string, peer: string): void {
    this.counters.addInvalid(transport, reason);
    this.#invalidLog.warn('invalid message (not forwarded)', {
      transport,
      peer,
      reason,
      message: excerpt(text),
    });
  }
}

/** A syslog message without its trailer: newlines, NULs, and a UTF-8 byte order mark. */
export function trimMessage(raw: string): string {
  let end = raw.length;
  while (end > 0) {
    const c = raw.charCodeAt(end - 1);
    if (c === 10 || c === 13 || c === 0) end--;
    else break;
  }
  const start = raw.charCodeAt(0) === 0xfeff ? 1 : 0;
  return start === 0 && end === raw.length ? raw : raw.slice(start, end);
}
