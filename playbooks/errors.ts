/**
 * Errors the playbooks raise, each carrying what the HTTP layer needs to answer the Logic App shim well:
 * a stable `code`, whether a retry can help, and how long to wait.
 */
export type DownstreamService =
  | 'sentinel'
  | 'defender-iot'
  | 'teams'
  | 'servicenow'
  | 'jira'
  | 'graph'
  | 'log-analytics';

export type DownstreamCode =
  | 'missing-permission'
  | 'not-found'
  | 'rejected'
  | 'unauthorized'
  | 'throttled'
  | 'unavailable'
  | 'conflict'
  /** No clear answer to a write (5xx, timeout): it may have happened; look it up before writing again. */
  | 'uncertain';

export class DownstreamError extends Error {
  override readonly name = 'DownstreamError';
  constructor(
    readonly service: DownstreamService,
    readonly code: DownstreamCode,
    message: string,
    readonly status?: number,
    /** When the caller may try again (throttled, unavailable); undefined for permanent errors. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  get transient(): boolean {
    return (
      this.code === 'throttled' ||
      this.code === 'unavailable' ||
      this.code === 'conflict' ||
      this.code === 'uncertain'
    );
  }
}

/** Another run of the same playbook holds this incident (e.g. a ticket being created): try again later. */
export class InProgressError extends Error {
  override readonly name = 'InProgressError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** A configuration or app-setting problem, named so an operator can fix it. */
export class PlaybookConfigError extends Error {
  override readonly name = 'PlaybookConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid playbook configuration:\n  ${problems.join('\n  ')}`);
  }
}
