import type { EnrichedAlert } from '../../pipeline/enrich/enriched.js';
import type { RecordOrigin } from '../../pipeline/model/alert.js';

/** A minimal enriched alert for grouping tests; override what the case is about. */
export function enriched(over: Partial<EnrichedAlert> = {}): EnrichedAlert {
  return {
    id: undefined,
    title: 'Unauthorized PLC Programming',
    message: 'programming',
    engine: 'Policy violation',
    severity: 'High',
    originalSeverity: 'High',
    status: 'New',
    protocol: 'S7',
    source: { ip: '10.10.1.66' },
    destination: { ip: '10.10.2.21' },
    sensor: 'rtm-pkg-sensor-01',
    site: 'Rotterdam',
    zone: 'Packaging',
    firstSeen: '2026-11-18T02:00:00.000Z',
    lastSeen: '2026-11-18T02:00:00.000Z',
    sourceFormat: 'SecurityAlert',
    tactics: ['Persistence'],
    techniques: ['T0839'],
    techniqueNames: ['Module Firmware'],
    attackMapping: 'Catalog',
    context: {},
    ...over,
  } as EnrichedAlert;
}

export const at = (hhmmss: string): string => `2026-11-18T${hhmmss}.000Z`;

export function origin(sequence: number, index = 0, partition = '0'): RecordOrigin {
  return { partition, sequence, index, locator: `partition ${partition} seq ${sequence}` };
}
