import { describe, expect, it } from 'vitest';
import type { TriggerAlert } from '../../playbooks/payload.js';
import { attackChain, storyTitle } from '../../playbooks/storyTitle.js';

const PREFIX = 'OT attack on RTM-PKG-PLC-01 in Rotterdam/Packaging';

/** An alert as Sentinel hands it to a playbook: custom details as a JSON string of arrays. */
const alert = (title: string, step: string | undefined, start: string, prefix = PREFIX): TriggerAlert => ({
  properties: {
    alertDisplayName: `${prefix}: ${title}`,
    startTimeUtc: start,
    additionalData: {
      'Custom Details': JSON.stringify(
        step ? { Step: [step], Controller: ['RTM-PKG-PLC-01'] } : { Site: ['x'] },
      ),
    },
  },
});

const scan = alert('Port Scan Detected', 'reconnaissance', '2026-11-18T02:24:00Z');
const program = alert('Unauthorized PLC Programming', 'change', '2026-11-18T03:24:00Z');
const stop = alert('An S7 Stop PLC Command was Sent', 'stop or restart', '2026-11-18T03:31:00Z');
const firmware = alert('Firmware Version Changed', 'change', '2026-11-18T03:26:00Z');

describe('storyTitle: an attack chain named after its steps', () => {
  it('names the distinct steps in the order they began, whatever order the alerts are listed in', () => {
    expect(storyTitle(`${PREFIX}: Port Scan Detected`, [stop, firmware, scan, program])).toBe(
      `${PREFIX}: reconnaissance → change → stop or restart (4 alerts)`,
    );
  });

  it('updates its own title as alerts join, and says nothing when it is already right', () => {
    const two = storyTitle(`${PREFIX}: Port Scan Detected`, [scan, program])!;
    expect(two).toBe(`${PREFIX}: reconnaissance → change (2 alerts)`);
    expect(storyTitle(two, [scan, program, stop])).toBe(
      `${PREFIX}: reconnaissance → change → stop or restart (3 alerts)`,
    );
    expect(storyTitle(two, [scan, program])).toBeUndefined();
  });

  it('leaves an incident of one alert, a title an analyst wrote, and incidents of other rules alone', () => {
    expect(storyTitle(`${PREFIX}: Port Scan Detected`, [scan])).toBeUndefined();
    expect(storyTitle('Confirmed intrusion at Rotterdam packaging', [scan, program])).toBeUndefined();
    expect(storyTitle(`${PREFIX}: our own words`, [scan, program])).toBeUndefined();
    const family = [
      alert('Unauthorized SSH Access in Lyon/Brewhouse', undefined, '2026-11-18T03:00:00Z', 'OT'),
      alert('Unauthorized RDP Access in Lyon/Brewhouse', undefined, '2026-11-18T03:05:00Z', 'OT'),
    ];
    expect(storyTitle('OT: Unauthorized SSH Access in Lyon/Brewhouse', family)).toBeUndefined();
    // Two controllers' chains never share an incident; if they did, no prefix would name both.
    const other = alert('Controller Stop', 'stop or restart', '2026-11-18T03:40:00Z', 'OT attack on X in Y');
    expect(storyTitle(`${PREFIX}: Port Scan Detected`, [scan, other])).toBeUndefined();
  });

  it('stays a short line: steps past 250 characters are cut, with how many more', () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      alert(
        `Alert ${i}`,
        `step number ${i} of a long chain`,
        `2026-11-18T03:${String(i).padStart(2, '0')}:00Z`,
      ),
    );
    const title = storyTitle(`${PREFIX}: Alert 0`, many)!;
    expect(title.length).toBeLessThanOrEqual(250);
    expect(title).toMatch(
      /^OT attack on RTM-PKG-PLC-01 in Rotterdam\/Packaging: step number 0 of a long chain → /,
    );
    expect(title).toMatch(/ → \+\d+ more \(40 alerts\)$/);
  });
});

describe('attackChain: announced maintenance', () => {
  const work = (a: TriggerAlert, w: string): TriggerAlert => {
    const details = JSON.parse(a.properties.additionalData!['Custom Details'] as string) as object;
    const additionalData = { 'Custom Details': JSON.stringify({ ...details, Work: [w] }) };
    return { properties: { ...a.properties, additionalData } };
  };

  it("is maintenance only when every chain alert's Work is Expected maintenance", () => {
    const m = (a: TriggerAlert) => work(a, 'Expected maintenance');
    expect(attackChain([m(firmware), m(stop)])?.maintenance).toBe(true);
    expect(attackChain([m(firmware), work(stop, 'OT attack')])?.maintenance).toBe(false);
    // Alerts of a rule version before Work: an attack, as they were told.
    expect(attackChain([firmware, stop])?.maintenance).toBe(false);
  });
});
