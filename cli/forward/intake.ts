/**
 * Where every received message goes: validated and parsed with the pipeline's own `parseRecord`, given its
 * partition key (`partitionKeyOf`: site/zone), and appended to the spool as the ORIGINAL text (the pipeline parses
 * it again; dead letters need the raw text). A message that is not forwarded (malformed, over a limit, refused by
 * a full spool) is counted, logged with its reason, and kept in the site's dead-letter file with its raw bytes and
 * peer; `redrive` sends those letters through here again after a fix.
 */
import {
  type PlacementOf,
  placementOf,
  type SensorPlacements,
} from '../../pipeline/enrich/sensorPlacement.js';
import { describeWallClock } from '../../pipeline/enrich/wallClockSensors.js';
import type { OtAlert } from '../../pipeline/model/alert.js';
import { isSplitError, parseRecord, splitEvent } from '../../pipeline/parse/index.js';
import { messageText } from '../files/decode.js';
import { alertPartitionKey, partitionKeyOf } from '../partitionKey.js';
import type { ForwarderCounters, Transport } from './counters.js';
import { type DeadLetterKind, rawBytes, type SiteDeadLetter, type SiteDeadLetters } from './deadLetters.js';
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
  readonly #log: Logger;
  /** Sensor placement by name in any case: a sensor with a `timeZone` has its zone-less times read right. */
  readonly #placement: PlacementOf;
  readonly #refusedLog: LogLimiter;
  /** A redrive is feeding letters back: they were counted when received, so only `counters.redrive` moves. */
  #redriving = false;
  #stopRedrive = false;

  constructor(
    private readonly spool: Spool,
    private readonly sensors: SensorPlacements,
    private readonly counters: ForwarderCounters,
    log: Logger,
    private readonly opts: IntakeOptions,
    private readonly deadLetters: SiteDeadLetters,
  ) {
    this.#log = log;
    this.#placement = placementOf(sensors);
    this.#invalidLog = new LogLimiter(log, 'invalid messages');
    this.#refusedLog = new LogLimiter(log, 'refused messages', 5);
  }

  /** One syslog message (UDP datagram or stream frame): text, or the datagram's bytes as received. */
  syslog(transport: Transport, raw: string | Buffer, peer: string): void {
    this.#received(transport);
    const text = trimMessage(typeof raw === 'string' ? raw : messageText(raw));
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.opts.maxMessageBytes) {
      const reason = `message too large (${bytes} bytes > ${this.opts.maxMessageBytes})`;
      this.#invalid(transport, reason, raw, peer, 'tooLarge');
      return;
    }
    const parsed = parseRecord(text);
    if (!parsed.ok) {
      this.#invalid(transport, parsed.reason, raw, peer);
      return;
    }
    this.#watchClock(parsed.alert);
    this.#spool(transport, this.#syslogKey(text, parsed.alert), text, peer);
  }

  /**
   * The partition key of a syslog message parsed as a whole: the pipeline splits the event body first, so the
   * parsed alert serves only when that split gives the text itself (one line, not JSON), else it is read again.
   */
  #syslogKey(text: string, alert: OtAlert): string {
    const pieces = splitEvent(text);
    const one = pieces.length === 1 ? pieces[0] : undefined;
    return one && !isSplitError(one) && one.value === text
      ? alertPartitionKey(alert, this.sensors)
      : partitionKeyOf(text, this.sensors);
  }

  /** A zone-less time from a sensor without a `timeZone`: compared with the header's; one warning per sensor. */
  #watchClock(alert: OtAlert): void {
    if (!alert.wallClock || this.#placement(alert.sensor)?.timeZone) return;
    this.counters.wallClock.observe(alert);
    for (const s of this.counters.wallClock.settled())
      this.#log.warn(`sensor ${s.sensor}: syslog detection times without a zone; ${describeWallClock(s)}`);
  }

  /** A syslog stream frame that could not be read (too large, bad octet count): counted as invalid. */
  framingError(transport: Transport, reason: string, peer: string, fragment: string): void {
    this.#received(transport);
    if (!this.#redriving) this.counters.framingErrors++;
    this.#invalid(transport, reason, fragment, peer, 'framing', true);
  }

  /**
   * One webhook body, already JSON-parsed: one alert (published as the original text), or an array / export
   * envelope of them (each valid record published on its own, as its JSON).
   */
  records(transport: Transport, value: unknown, rawText: string, peer: string): RecordsOutcome {
    const outcome: RecordsOutcome = { accepted: 0, invalid: [], refused: 0 };
    const pieces = splitEvent(value);
    for (const piece of pieces) {
      this.#received(transport);
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
      if (this.#spool(transport, alertPartitionKey(parsed.alert, this.sensors), body, peer))
        outcome.accepted++;
      else outcome.refused++;
    }
    return outcome;
  }

  /** A whole request or datagram that is not even a message (e.g. a webhook body that is not JSON). */
  rejected(transport: Transport, reason: string, raw: string, peer: string): void {
    this.#received(transport);
    this.#invalid(transport, reason, raw, peer);
  }

  /**
   * Sends the site's dead letters through the intake again (after a fix: a parser upgrade, the sensor's placement
   * in the config, room in the spool). What is valid now is spooled; the rest goes back into the file.
   */
  async redrive(): Promise<ForwarderCounters['redrive']> {
    const r = this.counters.redrive;
    const taken = await this.deadLetters.take();
    for await (const l of taken.letters) {
      if (!this.#stopRedrive) await this.#roomInSpool();
      r.read++;
      // Synchronous: live messages received meanwhile are counted as usual.
      this.#redriving = true;
      try {
        if ('damaged' in l) {
          r.damaged++;
          this.#deadLetter('invalid', 'webhook', 'damaged dead letter', l.damaged, '?');
        } else this.#again(l);
      } finally {
        this.#redriving = false;
      }
    }
    await this.spool.flushed();
    await this.deadLetters.flushed();
    await taken.done();
    return { ...r };
  }

  /** Stops waiting for room: the letters not yet redriven go back into the file (forwarder stopping). */
  stopRedrive(): void {
    this.#stopRedrive = true;
  }

  /** Waits while the spool is over half full (the publisher frees it as Event Hubs takes events), up to 60 s. */
  async #roomInSpool(): Promise<void> {
    const s = () => this.spool.stats;
    await this.spool.flushed().catch(() => {});
    for (
      let waited = 0;
      s().bytes > s().maxBytes / 2 && waited < 60_000 && !this.#stopRedrive;
      waited += 50
    ) {
      await new Promise((r) => setTimeout(r, 50));
      await this.spool.flushed().catch(() => {});
    }
  }

  #again(l: SiteDeadLetter): void {
    const before = this.counters.spooled;
    const transport = l.transport === 'publish' ? 'tcp' : l.transport;
    const bytes = rawBytes(l);
    if (l.truncated) this.#deadLetter(l.kind, l.transport, l.reason, bytes, l.peer, true, l.key);
    else if (l.kind === 'eventHubsLimit' || (l.kind === 'refused' && l.key !== undefined)) {
      // Valid when spooled: spooled again with its key (Event Hubs may take it now: a Premium namespace).
      this.#spool(transport, l.key ?? '', bytes.toString('utf8'), l.peer);
    } else if (l.transport === 'webhook') {
      const text = bytes.toString('utf8');
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        this.#invalid('webhook', `invalid JSON: ${(e as Error).message}`, text, l.peer);
        return;
      }
      this.records('webhook', value, text, l.peer);
    } else this.syslog(transport, bytes, l.peer);
    if (this.counters.spooled > before) this.counters.redrive.spooled += this.counters.spooled - before;
    else this.counters.redrive.deadLetteredAgain++;
  }

  #received(transport: Transport): void {
    if (!this.#redriving) this.counters.received[transport]++;
  }

  #spool(transport: Transport, key: string, body: string, peer: string): boolean {
    if (this.spool.append({ key, body })) {
      this.counters.spooled++;
      return true;
    }
    if (!this.#redriving) this.counters.refused++;
    this.#deadLetter('refused', transport, 'spool full', body, peer, false, key);
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

  #invalid(
    transport: Transport,
    reason: string,
    raw: string | Buffer,
    peer: string,
    kind: DeadLetterKind = 'invalid',
    truncated = false,
  ): void {
    if (!this.#redriving) this.counters.addInvalid(transport, reason);
    const written = this.#deadLetter(kind, transport, reason, raw, peer, truncated);
    this.#invalidLog.warn('invalid message (not forwarded)', {
      transport,
      peer,
      reason,
      message: excerpt(typeof raw === 'string' ? raw : raw.toString('utf8')),
      deadLettered: written,
    });
  }

  #deadLetter(
    kind: DeadLetterKind,
    transport: SiteDeadLetter['transport'],
    reason: string,
    raw: string | Buffer,
    peer: string,
    truncated = false,
    key?: string,
  ): boolean {
    return this.deadLetters.add({
      kind,
      reason,
      transport,
      peer,
      raw,
      ...(truncated ? { truncated } : {}),
      ...(key !== undefined ? { key } : {}),
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
