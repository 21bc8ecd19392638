import { describe, expect, it } from 'vitest';
import { MemoryDeadLetterStore } from '../../../pipeline/deadletter/memoryDeadLetterStore.js';
import { DEFAULT_KEY_SPEC } from '../../../pipeline/dedup/keySpec.js';
import { MemoryGroupStore } from '../../../pipeline/dedup/memoryGroupStore.js';
import { createEnricher } from '../../../pipeline/enrich/enricher.js';
import { buildAssetIndex, normalizeIp, resolveAsset } from '../../../pipeline/enrich/inventory/index.js';
import { ipOf } from '../../../pipeline/parse/fields/index.js';
import { processBatch } from '../../../pipeline/pipeline.js';
import { canonicalIp } from '../../../pipeline/util/ip.js';
import { RecordingSink } from '../../helpers/recordingSink.js';
import { cefLine, minute } from '../../helpers/records.js';

describe('canonicalIp', () => {
  it.each([
    ['2001:db8:0:0::1', '2001:db8::1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // RFC 5952 4.2.3: the first of two equal runs
    ['2001:db8::0:1', '2001:db8::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::FFFF:192.0.2.1', '::ffff:192.0.2.1'], // RFC 5952 5: mapped IPv4 with a dotted tail
    ['::ffff:c000:0201', '::ffff:192.0.2.1'],
    ['fe80::0:1%eth0', 'fe80::1%eth0'],
    [' 10.20.3.30 ', '10.20.3.30'],
  ])('%s → %s', (input, canonical) => {
    expect(canonicalIp(input)).toBe(canonical);
  });

  it.each(['', 'plc-01', '10.20.3', '2001:db8::g', '00:1b:1b:aa:bb:cc'])('%j is not an IP', (s) => {
    expect(canonicalIp(s)).toBeUndefined();
  });

  it('is the one form the parsers and the inventory use', () => {
    expect(ipOf('2001:DB8:0:0::1')).toBe('2001:db8::1');
    expect(normalizeIp('2001:0db8::0001')).toBe('2001:db8::1');
    const index = buildAssetIndex([{ ip: normalizeIp('2001:db8:0:0::21')!, name: 'plc-21', type: 'PLC' }]);
    expect(resolveAsset(index, { ip: ipOf('2001:DB8::21') }, undefined, undefined)?.name).toBe('plc-21');
  });
});

describe('one device, one identity (issue 22: two spellings of an IPv6 address were two devices)', () => {
  it('groups alerts whose source is written in two IPv6 forms into one group', async () => {
    const sink = new RecordingSink();
    const T0 = '2026-11-18T02:00:00.000Z';
    const events = ['2001:db8:0:0::30', '2001:DB8::30', '2001:db8::0:30'].map((src, i) =>
      cefLine({ t: minute(T0, i), src, dst: '2001:db8::21' }),
    );
    const stats = await processBatch(
      events,
      { partition: '0', sequenceNumbers: [0, 1, 2] },
      {
        enrich: createEnricher({
          sensors: { 'lyn-fil-sensor-01': { site: 'Lyon', zone: 'Filling' } },
          attackMappings: {},
        }),
        spec: DEFAULT_KEY_SPEC,
        sink,
        store: new MemoryGroupStore(),
        deadLetters: new MemoryDeadLetterStore(),
        now: () => new Date('2026-11-18T12:00:00Z'),
      },
    );
    expect(stats).toMatchObject({ parsed: 3, newGroups: 1, merged: 2 });
    expect(sink.rows).toHaveLength(1);
    expect(sink.rows[0]).toMatchObject({ Count: 3, SourceIP: '2001:db8::30' });
  });
});
