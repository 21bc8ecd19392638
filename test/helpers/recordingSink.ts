import type { AlertSink, SinkResult } from '../../pipeline/sink/alertSink.js';
import type { OtAlertsRow } from '../../pipeline/sink/schema.js';

/**
 * An in-process AlertSink for core tests: keeps the rows it accepted and can refuse rows on demand.
 * (The wire contract itself is tested against the local workspace and the HTTPS loopback fake.)
 */
export class RecordingSink implements AlertSink {
  readonly rows: OtAlertsRow[] = [];
  /** Return a reason to reject a row. */
  reject: ((row: OtAlertsRow) => string | undefined) | undefined;
  /** Whether a rejection is worth retrying (5xx, timeout) or final (4xx once isolated). */
  retryable = true;

  async write(rows: OtAlertsRow[]): Promise<SinkResult> {
    const result: SinkResult = { accepted: [], rejected: [], retries: 0 };
    rows.forEach((row, index) => {
      const reason = this.reject?.(row);
      if (reason) result.rejected.push({ index, reason, retryable: this.retryable });
      else {
        result.accepted.push(index);
        this.rows.push(structuredClone(row));
      }
    });
    return result;
  }

  /** arg_max(Revision, *) by AlertId */
  latest(): Map<string, OtAlertsRow> {
    const out = new Map<string, OtAlertsRow>();
    for (const r of this.rows) {
      const cur = out.get(r.AlertId);
      if (!cur || r.Revision > cur.Revision) out.set(r.AlertId, r);
    }
    return out;
  }

  totalCount(): number {
    let n = 0;
    for (const r of this.latest().values()) n += Number(r.Count);
    return n;
  }
}
