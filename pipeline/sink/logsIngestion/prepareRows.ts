import type { SinkRejection } from '../alertSink.js';
import { truncateRow, validateRow } from '../rowValidator.js';

/** The rows worth sending, each with its position in the caller's array and its JSON size as the SDK measures it. */
export interface PreparedRows {
  rows: Record<string, unknown>[];
  /** `index[p]`: the caller's index of prepared row `p`. */
  index: number[];
  sizes: number[];
}

/**
 * Truncates > 64 KB fields, validates (when asked) and measures each row like the SDK; rows that cannot be sent
 * are rejected for good into `rejected`. A row object is sent once per position: a second occurrence of the same
 * object is copied, so a failed chunk's rows map back to their positions by identity.
 */
export function prepareRows(
  rows: readonly unknown[],
  validate: boolean,
  rejected: SinkRejection[],
): PreparedRows {
  const out: PreparedRows = { rows: [], index: [], sizes: [] };
  const seen = new Set<object>();
  for (let index = 0; index < rows.length; index++) {
    const row: unknown = rows[index];
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      rejected.push({ index, reason: 'row is not a JSON object', retryable: false });
      continue;
    }
    let prepared: Record<string, unknown>;
    let size: number;
    try {
      prepared = truncateRow(row as Record<string, unknown>);
      if (seen.has(prepared)) prepared = { ...prepared };
      size = Buffer.byteLength(JSON.stringify(prepared), 'utf8');
    } catch (error) {
      rejected.push({
        index,
        reason: `row is not JSON-serialisable: ${(error as Error).message}`,
        retryable: false,
      });
      continue;
    }
    if (validate) {
      const problems = validateRow(prepared);
      if (problems.length > 0) {
        rejected.push({ index, reason: `invalid row: ${problems.join('; ')}`, retryable: false });
        continue;
      }
    }
    seen.add(prepared);
    out.rows.push(prepared);
    out.index.push(index);
    out.sizes.push(size);
  }
  return out;
}
