import type { TokenCredential } from '@azure/identity';
import type { OtAlertsRow } from '../../../pipeline/sink/schema.js';

/** A credential that never leaves the process; records the scopes it was asked for. */
export function fakeCredential(scopes: string[] = []): TokenCredential {
  return {
    async getToken(requested) {
      scopes.push(...(Array.isArray(requested) ? requested : [requested]));
      return { token: 'fake-token', expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

/** A plausible OTAlerts_CL row of roughly 300 bytes of JSON. */
export function makeRow(i: number, overrides: Partial<OtAlertsRow> = {}): OtAlertsRow {
  return {
    TimeGenerated: new Date(Date.UTC(2024, 4, 1, 10, 0, 0) + i * 1000).toISOString(),
    AlertId: `grp-${i.toString(16).padStart(8, '0')}`,
    Revision: 1,
    RowReason: 'Created',
    AlertTitle: 'Unauthorized PLC Program Upload',
    Severity: 'High',
    Engine: 'Policy violation',
    SourceIP: `10.1.${(i >> 8) & 255}.${i & 255}`,
    DestinationIP: '10.2.0.5',
    Site: 'Plant-A',
    Zone: 'Cell-3',
    Sensors: ['sensor-a'],
    Count: 1,
    Techniques: ['T0843'],
    ...overrides,
  };
}
