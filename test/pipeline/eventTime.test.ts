/**
 * Event time ends group windows (a group's final row) — per zone, and never beyond an alert's arrival: one sensor with
 * a wrong clock, or a syslog time read in the wrong zone, must not end other groups' windows and split what
 * Defender for IoT calls one alert (docs/grouping.md "Event time").
 */
import { describe, expect, it } from 'vitest';
import { MemoryDeadLetterStore } from '../../pipeline/deadletter/memoryDeadLetterStore.js';
import type { GroupStore } from '../../pipeline/dedup/groupState.js';
import { DEFAULT_KEY_SPEC } from '../../pipeline/dedup/keySpec.js';
import { MemoryGroupStore } from '../../pipeline/dedup/memoryGroupStore.js';
import { TableGroupStore } from '../../pipeline/dedup/tableGroupStore.js';
import { createEnricher } from '../../pipeline/enrich/enricher.js';
import { flushGroups, type PipelineDeps, processBatch } from '../../pipeline/pipeline.js';
import { azuriteTable } from '../helpers/azurite.js';
import { RecordingSink } from '../helpers/recordingSink.js';
import { cefLine, minute, securityAlert } from '../helpers/records.js';

const T0 = '2026-11-18T02:00:00.000Z';

const stores: [string, () => Promise<GroupStore>][] = [
  ['memory', async () => new MemoryGroupStore()],
  ['table (Azurite)', async () => new TableGroupStore(azuriteTable('evt')).init()],
];
async function setup(makeStore: () => Promise<GroupStore>) {
  const sink = new RecordingSink();
  const deps: PipelineDeps = {
    enrich: createEnricher({
      sensors: {
        'lyn-fil-sensor-01': { site: 'Lyon', zone: 'Filling' },
        'rtm-pkg-syslog': { site: 'Rotterdam', zone: 'Packaging' },
      },
      attackMappings: {},
    }),
    spec: DEFAULT_KEY_SPEC,
    sink,
    store: await makeStore(),
    deadLetters: new MemoryDeadLetterStore(),
    now: () => new Date('2026-11-18T12:00:00Z'),
  };
  return { sink, deps };
}

let seq = 0;
/** One Event Hubs batch; `enqueued` gives every event that arrival time (the Function's case). */
const batch = (events: unknown[], deps: PipelineDeps, enqueued?: string) =>
  processBatch(
    events,
    {
      partition: '0',
      sequenceNumbers: events.map(() => seq++),
      ...(enqueued ? { enqueuedTimes: events.map(() => enqueued) } : {}),
    },
    deps,
  );

/** The stop-command storm of one Rotterdam PLC: one key, one 10-minute window from T0. */
const member = (m: number) => securityAlert({ t: minute(T0, m), dst: '10.10.2.21' });

/** The rows of that PLC's groups, and their distinct AlertIds. */
const plcRows = (sink: RecordingSink) => sink.rows.filter((r) => r.DestinationIP === '10.10.2.21');
const groupsOf = (sink: RecordingSink) => [...new Set(plcRows(sink).map((r) => String(r.AlertId)))];

/** The three members sent one alert: one AlertId, its latest row counting all three. */
function expectOneGroupOfThree(sink: RecordingSink): void {
  expect(groupsOf(sink)).toHaveLength(1);
  expect(plcRows(sink).at(-1)).toMatchObject({ Count: 3 });
}

describe.each(stores)('event time and group windows: %s', (_name, make) => {
  it('a record of another zone dated years ahead does not end this zone’s windows (a file: no arrival times)', async () => {
    const { sink, deps } = await setup(make);
    await batch([member(0)], deps);
    await batch([member(1), cefLine({ t: '2030-01-01T00:00:00.000Z' })], deps);
    await batch([member(2)], deps);
    await flushGroups(deps, { all: true });
    expectOneGroupOfThree(sink);
  });

  it('in the same zone, a time later than its arrival moves event time only up to the arrival', async () => {
    const { sink, deps } = await setup(make);
    await batch([member(0)], deps, minute(T0, 0, 5));
    // A syslog record of the same zone an hour ahead of its arrival (its rule's local time read as UTC).
    const skewed = cefLine({ t: minute(T0, 61), sensor: 'rtm-pkg-syslog', dst: '10.10.2.30' });
    await batch([member(1), skewed], deps, minute(T0, 1, 5));
    await batch([member(2)], deps, minute(T0, 2, 5));
    await flushGroups(deps, { all: true });
    expectOneGroupOfThree(sink);
  });

  it('event time that really passed the window still ends it: the final row; a member after it opens a new group', async () => {
    const { sink, deps } = await setup(make);
    await batch([member(0)], deps, minute(T0, 0, 5));
    await batch(
      [member(1), securityAlert({ t: minute(T0, 12), dst: '10.10.2.30' })],
      deps,
      minute(T0, 12, 5),
    );
    const rows = plcRows(sink);
    expect(rows.map((r) => [r.Revision, r.RowReason, r.Count])).toEqual([
      [1, 'Created', 1],
      [2, 'Final', 2],
    ]);
    await batch([member(13)], deps, minute(T0, 13, 10));
    expect(groupsOf(sink)).toHaveLength(2);
  });

  it('a late member of a window already final joins its group: one row by the flush timer, no second AlertId', async () => {
    const { sink, deps } = await setup(make);
    await batch([member(0)], deps, minute(T0, 0, 5));
    await batch([member(1)], deps, minute(T0, 1, 5));
    // The flush timer ends the window by the wall clock (grace 2 min) while the rest is still queued.
    await flushGroups(deps, { until: Date.parse(minute(T0, 12)) });
    // A backlog drains: members of that window, 20 minutes late, in several batches.
    for (let b = 0; b < 3; b++) await batch([member(2 + b * 2), member(3 + b * 2)], deps, minute(T0, 22 + b));
    const before = sink.rows.length;
    await flushGroups(deps, { until: Date.parse(minute(T0, 25)) });
    expect(groupsOf(sink)).toHaveLength(1);
    const rows = plcRows(sink);
    expect(rows.map((r) => [r.Revision, r.RowReason, r.Count])).toEqual([
      [1, 'Created', 1],
      [2, 'Final', 2],
      [3, 'Updated', 8],
    ]);
    expect(sink.rows.length - before).toBe(1);
  });
});
