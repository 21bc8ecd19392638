import { describe, expect, it } from 'vitest';
import { applyMember, applyUpdate, emissionFor, markEmitted } from '../../../pipeline/dedup/grouper.js';
import { groupKey } from '../../../pipeline/dedup/groupKey.js';
import type { GroupState } from '../../../pipeline/dedup/groupState.js';
import { DEFAULT_KEY_SPEC, type KeySpec, keyVersion } from '../../../pipeline/dedup/keySpec.js';
import type { EnrichedAlert } from '../../../pipeline/enrich/enriched.js';
import { at, enriched, origin } from '../../helpers/alerts.js';

const spec = DEFAULT_KEY_SPEC;
const version = keyVersion(spec);
const key = (a: EnrichedAlert, s: KeySpec = spec) => groupKey(a, s, keyVersion(s), 'u');

/** Applies alerts in order to one key's head and returns the head and the outcomes. */
function run(alerts: EnrichedAlert[], s: KeySpec = spec) {
  let head: GroupState | undefined;
  const outcomes: string[] = [];
  const superseded: GroupState[] = [];
  alerts.forEach((a, i) => {
    const step = applyMember(
      head,
      { alert: a, origin: origin(i), key: key(alerts[0]!, s) },
      s,
      keyVersion(s),
    );
    head = step.head;
    outcomes.push(step.outcome);
    if (step.superseded) superseded.push(step.superseded);
  });
  return { head: head!, outcomes, superseded };
}

describe('group key (Defender for IoT unified-alert rule)', () => {
  const base = enriched();
  it.each([
    ['another sensor in the same zone', { sensor: 'rtm-pkg-sensor-02' }, true],
    ['title case and spacing', { title: '  unauthorized  PLC programming ' }, true],
    [
      'source and destination swapped (same device set)',
      { source: { ip: '10.10.2.21' }, destination: { ip: '10.10.1.66' } },
      true,
    ],
    ['another zone', { zone: 'Utilities' }, false],
    ['same zone name at another site', { site: 'Lyon' }, false],
    ['another title', { title: 'Controller Stop' }, false],
    ['another protocol', { protocol: 'Modbus' }, false],
    ['another device', { destination: { ip: '10.10.2.22' } }, false],
    ['arrives already closed', { status: 'Closed' as const }, false],
  ])('%s → same key: %s', (_name, over, same) => {
    expect(key(enriched(over as Partial<EnrichedAlert>)) === key(base)).toBe(same);
  });

  it('uses the sensor as scope when no zone is known', () => {
    const a = enriched({ zone: undefined, site: undefined });
    expect(key(a)).toBe(key(enriched({ zone: undefined, site: undefined })));
    expect(key(a)).not.toBe(key(enriched({ zone: undefined, site: undefined, sensor: 'other' })));
  });

  it('never groups alerts missing a key field when missing = never', () => {
    const s: KeySpec = { ...spec, missing: 'never' };
    const a = enriched({ protocol: undefined });
    expect(groupKey(a, s, keyVersion(s), 'x')).not.toBe(groupKey(a, s, keyVersion(s), 'y'));
    expect(groupKey(enriched(), s, keyVersion(s), 'x')).toBe(groupKey(enriched(), s, keyVersion(s), 'y'));
  });

  it('changes KeyVersion when a membership setting changes, not when the update interval does', () => {
    expect(keyVersion({ ...spec, windowMinutes: 15 })).not.toBe(version);
    expect(keyVersion({ ...spec, fields: ['scope', 'title'] })).not.toBe(version);
    expect(keyVersion({ ...spec, updateIntervalMinutes: 1 })).toBe(version);
  });
});

describe('windows, repeats and overflow', () => {
  it('merges within 10 minutes of first detection and opens a new group at exactly 10:00', () => {
    const r = run([
      enriched({ firstSeen: at('02:00:00'), lastSeen: at('02:00:00') }),
      enriched({ firstSeen: at('02:09:59'), lastSeen: at('02:09:59') }),
      enriched({ firstSeen: at('02:10:00'), lastSeen: at('02:10:00') }),
    ]);
    expect(r.outcomes).toEqual(['new-group', 'merged', 'new-group']);
    expect(r.head.seq).toBe(2);
    expect(r.head.count).toBe(1);
    expect(r.superseded[0]!.count).toBe(2);
    expect(r.head.previousAlertId).toBe(r.superseded[0]!.alertId);
  });

  it('slides the window from the last detection in sliding mode', () => {
    const s: KeySpec = { ...spec, windowMode: 'sliding' };
    const times = ['02:00:00', '02:09:00', '02:18:00', '02:27:59'];
    const r = run(
      times.map((t) => enriched({ firstSeen: at(t), lastSeen: at(t) })),
      s,
    );
    expect(r.outcomes).toEqual(['new-group', 'merged', 'merged', 'merged']);
    expect(r.head.count).toBe(4);
  });

  it('an update of a member (applyUpdate, routed by id) moves its status forward, raises last seen, never counts', () => {
    const first = enriched({ id: 'A1', firstSeen: at('02:00:00'), lastSeen: at('02:00:00') });
    const { head } = run([first]);
    const m = (a: EnrichedAlert) => ({ alert: a, origin: origin(9), key: head.key });
    const active = enriched({
      id: 'A1',
      firstSeen: at('02:00:00'),
      lastSeen: at('02:04:00'),
      status: 'Active',
    });
    expect(applyUpdate(head, m(active), 'New')).toEqual({ changed: true, status: 'Active' });
    expect(head).toMatchObject({ count: 1, status: 'Active', urgent: true, dirty: true });
    expect(new Date(head.lastSeen).toISOString()).toBe(at('02:04:00'));
    // A copy of an older record (New) changes nothing: status only moves New → Active → Closed.
    const copy = { ...head, dirty: false, urgent: false };
    expect(applyUpdate(copy, m(first), 'Active')).toEqual({ changed: false, status: 'Active' });
    expect(copy).toMatchObject({ count: 1, status: 'Active', dirty: false });
  });

  it('a group from before identity (no member counters) still recognises the ids it lists', () => {
    const { head } = run([enriched({ id: 'A1' })]);
    const legacy = { ...head, closedMembers: undefined, activeMembers: undefined };
    const step = applyMember(
      legacy,
      { alert: enriched({ id: 'A1', status: 'Closed' }), origin: origin(2), key: head.key },
      spec,
      version,
    );
    expect(step.outcome).toBe('update');
    expect(step.head).toMatchObject({ count: 1, status: 'Closed' });
  });

  it('overflows into a linked group at maxGroupSize', () => {
    const s: KeySpec = { ...spec, maxGroupSize: 3 };
    const r = run(
      Array.from({ length: 7 }, () => enriched()),
      s,
    );
    expect(r.outcomes.filter((o) => o === 'new-group')).toHaveLength(3);
    expect(r.superseded.map((g) => g.count)).toEqual([3, 3]);
    expect(r.head.count).toBe(1);
    expect(r.head.previousAlertId).toBe(r.superseded[1]!.alertId);
  });

  it('after a close, recurrence opens a new group (newGroup) or reopens the closed one (reopen)', () => {
    const closed = (s: KeySpec) => {
      const { head } = run([enriched({ id: 'A1' })], s);
      applyUpdate(
        head,
        { alert: enriched({ id: 'A1', status: 'Closed' }), origin: origin(1), key: head.key },
        'New',
      );
      return head;
    };
    const recurrence = enriched({ id: 'A2', firstSeen: at('02:02:00'), lastSeen: at('02:02:00') });
    const m = (h: GroupState) => ({ alert: recurrence, origin: origin(2), key: h.key });
    const h1 = closed(spec);
    expect(h1.status).toBe('Closed');
    expect(applyMember(h1, m(h1), spec, version).outcome).toBe('new-group');
    const reopen = { ...spec, closePolicy: 'reopen' as const };
    const h2 = closed(reopen);
    const reopened = applyMember(h2, m(h2), reopen, keyVersion(reopen));
    expect(reopened.outcome).toBe('merged');
    expect(reopened.head).toMatchObject({ status: 'New', count: 2 });
  });

  it('ignores an event redelivered from the same partition and sequence number', () => {
    const a = enriched();
    const k = key(a);
    const first = applyMember(undefined, { alert: a, origin: origin(5), key: k }, spec, version).head;
    const again = applyMember(first, { alert: a, origin: origin(5), key: k }, spec, version);
    const older = applyMember(first, { alert: a, origin: origin(4), key: k }, spec, version);
    const otherPartition = applyMember(first, { alert: a, origin: origin(5, 0, '1'), key: k }, spec, version);
    expect(again.outcome).toBe('duplicate');
    expect(older.outcome).toBe('duplicate');
    expect(otherPartition.outcome).toBe('merged');
  });

  it('keeps the highest severity of the group', () => {
    const r = run([enriched({ severity: 'High' }), enriched({ severity: 'Low' })]);
    expect(r.head.latest.severity).toBe('High');
  });
});

describe('noise control', () => {
  it('writes on creation, then at most once per update interval, then a final row', () => {
    const times = ['02:00:00', '02:01:00', '02:04:59', '02:05:00', '02:06:00'];
    let head: GroupState | undefined;
    const reasons: (string | undefined)[] = [];
    const a0 = enriched();
    times.forEach((t, i) => {
      head = applyMember(
        head,
        { alert: enriched({ firstSeen: at(t), lastSeen: at(t) }), origin: origin(i), key: key(a0) },
        spec,
        version,
      ).head;
      const reason = emissionFor(head, spec, Date.parse(at(t)));
      reasons.push(reason);
      if (reason) head = markEmitted(head, reason);
    });
    expect(reasons).toEqual(['Created', undefined, undefined, 'Updated', undefined]);
    expect(emissionFor(head!, spec, Date.parse(at('02:10:00')))).toBe('Final');
    expect(markEmitted(head!, 'Final').finalized).toBe(true);
    expect(head!.revision).toBe(2);
  });
});
