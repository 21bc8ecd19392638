import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type OfflineSummary, runPlaybooksOffline, syntheticIncident } from '../playbooks/outbox.js';
import { UsageError } from './commands/usageError.js';
import { latestRows } from './summary.js';

type Row = Record<string, unknown>;

/**
 * The groups an SOC would see as incidents from the shipped rules: High severity, anything escalated or
 * tagged (escalation reasons are why a person must look, or why auto-close may), and groups scored 60+.
 */
export function incidentWorthy(row: Row): boolean {
  const escalated = Array.isArray(row.Escalations) && row.Escalations.length > 0;
  return row.Severity === 'High' || escalated || Number(row.RiskScore ?? 0) >= 60;
}

/**
 * Runs the four playbooks offline on the incidents the demo's groups would raise and writes what they would
 * send (Teams cards, tickets, incident updates) under `outDir/outbox`.
 */
export async function runDemoPlaybooks(outDir: string, configFile: string): Promise<OfflineSummary> {
  let config: unknown;
  try {
    config = JSON.parse(await readFile(configFile, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read --playbooks ${configFile}: ${(e as Error).message}`);
  }
  const text = await readFile(join(outDir, 'OTAlerts_CL.ndjson'), 'utf8');
  const rows = text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row);
  const incidents = [...latestRows(rows).values()]
    .map(({ row }) => row)
    .filter(incidentWorthy)
    .sort((a, b) => String(a.FirstSeen).localeCompare(String(b.FirstSeen)))
    .map((row, i) => syntheticIncident([row], { incidentNumber: 1001 + i }));
  const outbox = join(outDir, 'outbox');
  await rm(outbox, { recursive: true, force: true });
  return runPlaybooksOffline(incidents, config, outbox);
}

export function formatPlaybooks(p: OfflineSummary): string {
  return [
    '',
    `  Playbooks on the ${p.incidents} incidents these groups raise (offline; what they would send is in ${p.outboxDir}):`,
    `    Teams cards ${p.cards}, tickets ${p.tickets}, auto-closed ${p.closed}, reassigned to OT teams ${p.reassigned}, incident updates ${p.incidentUpdates}, comments ${p.comments}`,
  ].join('\n');
}
