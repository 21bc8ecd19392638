import { withRecurrence } from '../enrich/risk.js';
import type { OtAlertsRow } from '../sink/schema.js';
import type { RowReason } from './grouper.js';
import type { GroupState } from './groupState.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** The OTAlerts_CL row for the next revision of a group (or for `revision`, a revision the group has committed). */
export function groupRow(
  state: GroupState,
  reason: RowReason,
  now: Date,
  revision = state.revision + 1,
): OtAlertsRow {
  const a = state.latest;
  const row: OtAlertsRow = {
    TimeGenerated: now.toISOString(),
    AlertId: state.alertId,
    Revision: revision,
    RowReason: reason,
    AlertTitle: a.title,
    Description: a.message,
    Engine: a.engine,
    Category: a.category,
    Severity: a.severity,
    OriginalSeverity: a.originalSeverity,
    Status: state.status,
    Protocol: a.protocol,
    SourceIP: a.source.ip,
    SourceMAC: a.source.mac,
    SourceName: a.source.name,
    DestinationIP: a.destination.ip,
    DestinationMAC: a.destination.mac,
    DestinationName: a.destination.name,
    Site: a.site,
    Zone: a.zone,
    Sensors: state.sensors,
    Count: state.count,
    FirstSeen: iso(state.firstSeen),
    LastSeen: iso(state.lastSeen),
    Tactics: a.tactics,
    Techniques: a.techniques,
    TechniqueNames: a.techniqueNames,
    AttackMapping: a.attackMapping,
    VendorAlertIds: state.vendorIds,
    SourceFormats: state.formats,
    KeyVersion: state.keyVersion,
    GroupKey: state.key,
    PreviousAlertId: state.previousAlertId,
    AlertManagementUri: a.alertManagementUri,
    RemediationSteps: a.remediation,
    ...a.context,
  };
  if (typeof a.context.RiskScore === 'number')
    row.RiskScore = withRecurrence(a.context.RiskScore, state.count);
  // Absent beats null on the wire: Log Analytics stores both as empty, absent is smaller.
  for (const k of Object.keys(row) as (keyof OtAlertsRow)[]) if (row[k] === undefined) delete row[k];
  return row;
}
