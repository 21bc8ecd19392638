import { describe, expect, it } from 'vitest';
import type { GroupStore } from '../../../pipeline/dedup/groupState.js';
import { scopedIdOf } from '../../../pipeline/dedup/identity.js';
import { DEFAULT_KEY_SPEC, type KeySpec } from '../../../pipeline/dedup/keySpec.js';
import { MemoryGroupStore } from '../../../pipeline/dedup/memoryGroupStore.js';
import { TableGroupStore } from '../../../pipeline/dedup/tableGroupStore.js';
import { flushGroups } from '../../../pipeline/pipeline.js';
import { azuriteTable } from '../../helpers/azurite.js';
import { clockedPipeline } from '../../helpers/clockedPipeline.js';
import type { RecordingSink } from '../../helpers/recordingSink.js';
import { cefLine, minute, securityAlert } from '../../helpers/records.js';

const T0 = '2026-11-18T02:00:00.000Z';
const NOW = Date.parse('2026-11-18T12:00:00Z');
const DAY = 86_400_000;
const id = (n: number) => `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`;

const stores: [string, () => Promise<GroupStore>][] = [
  ['memory', async () => new MemoryGroupStore()],
  ['table (Azurite)', async () => new TableGroupStore(azuriteTable('ident')).init()],
];

describe.each(stores)('identity by vendor alert id through processBatch: %s', (_name, make) => {
  async function setup(spec: KeySpec = DEFAULT_KEY_SPEC) {
    return clockedPipeline(await make(), { now: NOW, spec });
  }

  /** The invariant: the sum of latest-revision Counts equals the number of distinct alert ids sent. */
  function expectCountsMatch(sink: RecordingSink, distinct: number): void {
    expect(sink.totalCount()).toBe(distinct);
    const seen = new Map<string, unknown>();
    for (const r of sink.rows) {
      const k = `${r.AlertId}#${r.Revision}`;
      if (seen.has(k)) expect(r.Count, k).toBe(seen.get(k));
      seen.set(k, r.Count);
    }
  }

  it('A, B (other devices), A-closed: two alerts, and the group of A shows Closed', async () => {
    const { sink, deps, batch } = await setup();
    const a = securityAlert({ id: id(1), t: T0 });
    const b = securityAlert({ id: id(2), t: minute(T0, 1), dst: '10.10.2.99' });
    const aClosed = securityAlert({ id: id(1), t: T0, status: 'Closed' });
    await batch([a, b]);
    const update = await batch([aClosed]);
    expect(update).toMatchObject({ repeats: 1, newGroups: 0, merged: 0 });
    await flushGroups(deps, { all: true });
    expectCountsMatch(sink, 2);
    const latest = [...sink.latest().values()];
    expect(latest.find((r) => r.DestinationIP === '10.10.2.21')).toMatchObject({
      Status: 'Closed',
      Count: 1,
    });
    expect(latest.find((r) => r.DestinationIP === '10.10.2.99')).toMatchObject({ Status: 'New', Count: 1 });
  });

  it('a group is Closed when all its members are: A, B in one group, A-closed keeps it New, B-closed closes it', async () => {
    const { sink, deps, batch } = await setup();
    await batch([securityAlert({ id: id(1), t: T0 }), securityAlert({ id: id(2), t: minute(T0, 1) })]);
    await batch([securityAlert({ id: id(1), t: T0, status: 'Closed' })]);
    expect([...sink.latest().values()].map((r) => [r.Count, r.Status])).toEqual([[2, 'New']]);
    const closing = await batch([securityAlert({ id: id(2), t: minute(T0, 1), status: 'Closed' })]);
    expect(closing).toMatchObject({ repeats: 1, rowsWritten: 1 }); // a status change is written at once
    expect([...sink.latest().values()].map((r) => [r.Count, r.Status])).toEqual([[2, 'Closed']]);
    // A member's status never moves back (a stale copy of the New record changes nothing).
    const stale = await batch([securityAlert({ id: id(1), t: T0 })]);
    expect(stale).toMatchObject({ repeats: 1, rowsWritten: 0 });
    await flushGroups(deps, { all: true });
    expectCountsMatch(sink, 2);
    expect([...sink.latest().values()][0]!.Status).toBe('Closed');
  });

  it('an update after the close of its group, and in the same batch as its first record, counts once', async () => {
    const { sink, deps, batch } = await setup();
    await batch([
      securityAlert({ id: id(1), t: T0 }),
      securityAlert({ id: id(1), t: T0, status: 'Active' }),
      securityAlert({ id: id(1), t: T0, status: 'Closed' }),
    ]);
    await batch([securityAlert({ id: id(1), t: minute(T0, 2), status: 'Closed' })]);
    await flushGroups(deps, { all: true });
    expectCountsMatch(sink, 1);
    expect([...sink.latest().values()][0]).toMatchObject({ Status: 'Closed', LastSeen: minute(T0, 2) });
  });

  it('keeps the rule that a new alert arriving Closed does not join an open group', async () => {
    const { sink, deps, batch } = await setup();
    await batch([
      securityAlert({ id: id(1), t: T0 }),
      securityAlert({ id: id(2), t: minute(T0, 1), status: 'Closed' }),
    ]);
    await flushGroups(deps, { all: true });
    expectCountsMatch(sink, 2);
    expect([...sink.latest().values()].map((r) => r.Status).sort()).toEqual(['Closed', 'New']);
  });

  it('a copy after its group window ended updates that group (now superseded), no new count', async () => {
    const { sink, deps, batch } = await setup();
    await batch([securityAlert({ id: id(1), t: T0 })]);
    await batch([securityAlert({ id: id(2), t: minute(T0, 15) })]); // same key, new group: the first is final
    await flushGroups(deps, { all: true });
    const copy = await batch([securityAlert({ id: id(1), t: T0, severity: 'High', status: 'Closed' })]);
    expect(copy).toMatchObject({ repeats: 1, newGroups: 0 });
    await flushGroups(deps, { all: true });
    expectCountsMatch(sink, 2);
    const first = [...sink.latest().values()].find((r) => r.FirstSeen === T0)!;
    expect(first).toMatchObject({ Count: 1, Status: 'Closed', RowReason: 'Updated' });
  });

  it('recognises every id of a group, not only the 50 it lists: 80, then copies of 10 of them, is 80', async () => {
    const { sink, deps, batch } = await setup();
    const alerts = Array.from({ length: 80 }, (_, i) => securityAlert({ id: id(i), t: minute(T0, i / 10) }));
    await batch(alerts.slice(0, 40));
    await batch(alerts.slice(40));
    const copies = await batch(alerts.slice(0, 10), '7');
    expect(copies).toMatchObject({ repeats: 10, merged: 0, newGroups: 0 });
    await flushGroups(deps, { all: true });
    expectCountsMatch(sink, 80);
    expect([...sink.latest().values()][0]!.VendorAlertIds).toHaveLength(50);
  });

  it('a storm of 250 new alerts in one group in one batch (several transactions) counts each once', async () => {
    const { sink, deps, batch } = await setup();
    const alerts = Array.from({ length: 250 }, (_, i) => securityAlert({ id: id(i), t: minute(T0, i / 50) }));
    expect(await batch(alerts)).toMatchObject({ newGroups: 1, merged: 249, deadLettered: 0 });
    expect(await batch(alerts, '3')).toMatchObject({ repeats: 250, rowsWritten: 0 });
    await flushGroups(deps, { all: true });
    expectCountsMatch(sink, 250);
  });

  it('scopes ids that are not GUIDs by sensor: the same numeric id on two sensors is two alerts', async () => {
    const { sink, deps, batch } = await setup();
    await batch([
      cefLine({ id: '42', t: T0, sensor: 'lyn-fil-sensor-01' }),
      cefLine({ id: '42', t: T0, sensor: 'lyn-fil-sensor-02' }),
      cefLine({ id: '42', t: minute(T0, 1), sensor: 'lyn-fil-sensor-01' }),
    ]);
    await flushGroups(deps, { all: true });
    expectCountsMatch(sink, 2);
    expect(scopedIdOf({ id: '42', sensor: 'S1' })).toBe('s:s1:42');
    expect(scopedIdOf({ id: id(1).toUpperCase(), sensor: 'S1' })).toBe(`g:${id(1)}`);
  });

  it('forgets an id after the retention: a record older than that counts as a new alert', async () => {
    const { sink, deps, batch, later } = await setup({ ...DEFAULT_KEY_SPEC, identityRetentionDays: 7 });
    await batch([securityAlert({ id: id(1), t: T0 })]);
    later(6 * DAY);
    expect(await batch([securityAlert({ id: id(1), t: minute(T0, 1) })])).toMatchObject({ repeats: 1 });
    later(7 * DAY + 1); // retention runs from the entry's last write (the update above refreshed it)
    expect(await batch([securityAlert({ id: id(1), t: minute(T0, 2) })], '5')).toMatchObject({
      repeats: 0,
      merged: 1,
    });
    await flushGroups(deps, { all: true });
    expect(sink.totalCount()).toBe(2);
  });
});

/** A LEEF record as the sensor forwards it (no alert id: docs/contracts.md "Sensor forwarding formats"). */
const leefLine = (o: { t: string; dst?: string; severity?: string; title?: string }) =>
  `<9>Nov 18 02:00:00 10.20.3.21 lyn-fil-sensor-01 LEEF:1.0|Microsoft Defender for IoT|Sensor|24.1.3|Microsoft Defender for IoT Alert|title=${
    o.title ?? 'Excessive Number of Sessions'
  }\tmsg=A source device opened an excessive number of sessions.\tprotocol=CIP\tseverity=${o.severity ?? 'Major'}\ttype=Anomaly\tstart=${o.t}\tsrc_ip=10.20.3.30\tdst_ip=${o.dst ?? '10.20.3.21'}\tcat=Abnormal Communication Behavior`;

/** The same alert as CEF without its optional UUID. */
const cefWithoutId = (o: { t: string }) =>
  `CEF:0|Microsoft Defender for IoT/CyberX|lyn-fil-sensor-01|24.1.3|Microsoft Defender for IoT Alert|Excessive Number of Sessions|8|msg=A source device opened an excessive number of sessions. protocol=CIP severity=Major type=Anomaly start=${Date.parse(o.t)} src_ip=10.20.3.30 dst_ip=10.20.3.21 cat=Abnormal Communication Behavior`;

describe.each(stores)('identity of records without a vendor id, by their content: %s', (_name, make) => {
  const setup = async () => clockedPipeline(await make(), { now: NOW });

  it('a re-sent copy (another position, another partition) is not counted again; another detection time is', async () => {
    const { sink, deps, batch } = await setup();
    const a = leefLine({ t: T0 });
    const b = leefLine({ t: minute(T0, 1, 30) });
    await batch([a, b]);
    // The forwarder re-publishing after a crash: the same lines at new sequence numbers, on another partition.
    expect(await batch([b, a], '4')).toMatchObject({ repeats: 2, merged: 0, newGroups: 0, rowsWritten: 0 });
    expect(await batch([leefLine({ t: minute(T0, 2) })])).toMatchObject({ repeats: 0, merged: 1 });
    await flushGroups(deps, { all: true });
    expect(sink.totalCount()).toBe(3);
    expect([...sink.latest().values()][0]!.VendorAlertIds, 'a content identity is no vendor id').toEqual([]);
  });

  it('one alert forwarded as CEF without UUID and as LEEF counts once, and its worse severity shows', async () => {
    const { sink, deps, batch } = await setup();
    await batch([cefWithoutId({ t: T0 })]);
    expect(await batch([leefLine({ t: T0, severity: 'Critical' })], '2')).toMatchObject({ repeats: 1 });
    await flushGroups(deps, { all: true });
    expect(sink.totalCount()).toBe(1);
    expect([...sink.latest().values()][0]).toMatchObject({ Count: 1, Severity: 'High' });
  });

  it('a copy after its group was superseded updates that group, not a new one', async () => {
    const { sink, deps, batch } = await setup();
    await batch([leefLine({ t: T0 })]);
    await batch([leefLine({ t: minute(T0, 15) })]); // same key, a new group: the first is final
    await flushGroups(deps, { all: true });
    expect(await batch([leefLine({ t: T0 })], '9')).toMatchObject({ repeats: 1, newGroups: 0, merged: 0 });
    await flushGroups(deps, { all: true });
    expect(sink.totalCount()).toBe(2);
    expect(sink.latest().size).toBe(2);
  });
});
