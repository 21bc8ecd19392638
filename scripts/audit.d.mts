/** Types of scripts/audit.mjs (plain Node so CI can run it right after `npm ci`, before any build). */
export declare const BLOCKING: readonly string[];

export interface AuditFinding {
  name: string;
  severity: string;
  range: string;
  detail: string;
  fix: string;
}

export interface AuditRun {
  stdout: string;
  stderr?: string;
  status?: number | null;
  spawnError?: Error;
}

export declare function blockingFindings(report: unknown): AuditFinding[];
export declare function decide(run: AuditRun): { exitCode: number; lines: string[] };
