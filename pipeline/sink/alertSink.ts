import type { OtAlertsRow } from './schema.js';

/** Where OTAlerts_CL rows go: the Logs Ingestion API in Azure, the local workspace in tests and the demo. */
export interface AlertSink {
  write(rows: OtAlertsRow[], signal?: AbortSignal): Promise<SinkResult>;
}

export interface SinkRejection {
  index: number;
  reason: string;
  status?: number;
  retryable: boolean;
}

export interface SinkResult {
  /** Indices (into the rows passed to `write`) of rows the service accepted, ascending. */
  accepted: number[];
  rejected: SinkRejection[];
  /** Retries the SDK made (attempts beyond the first of each request). */
  retries: number;
}
