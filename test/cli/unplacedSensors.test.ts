/**
 * The summary's "without a zone" detail: which sensors' alerts had no zone, and the `enrichment.sensors` entry to
 * add when the same sensor's other records (a webhook, the export) named one.
 */
import { describe, expect, it } from 'vitest';
import { unplacedLines, unplacedSensors } from '../../cli/unplacedSensors.js';

const row = (sensors: string[], count: number, site = '', zone = '') => ({
  Sensors: sensors,
  Count: count,
  ...(site ? { Site: site } : {}),
  ...(zone ? { Zone: zone } : {}),
});

describe('unplaced sensors', () => {
  it('counts the alerts of each sensor without a zone and the zones its other records named, most first', () => {
    const found = unplacedSensors([
      row(['cef-1'], 3),
      row(['cef-1'], 2),
      row(['cef-1'], 40, 'Hamburg', 'Presswerk'),
      row(['cef-1'], 1, 'Hamburg', 'Lackiererei'),
      row(['leef-2'], 9),
      row(['placed-3'], 7, 'Lyon', 'Filling'),
    ]);
    expect(found).toEqual([
      { sensor: 'leef-2', alerts: 9, namedIn: [] },
      {
        sensor: 'cef-1',
        alerts: 5,
        namedIn: [
          { site: 'Hamburg', zone: 'Presswerk' },
          { site: 'Hamburg', zone: 'Lackiererei' },
        ],
      },
    ]);
  });

  it('prints the entry to add when one zone was named, else says to place the sensor', () => {
    const lines = unplacedLines(
      unplacedSensors([
        row(['cef-1'], 1),
        row(['cef-1'], 4, 'Hamburg', 'Press "Line" 2'),
        row(['leef-2'], 2),
        row(['both-3'], 2),
        row(['both-3'], 1, 'A', 'X'),
        row(['both-3'], 1, 'A', 'Y'),
      ]),
    );
    expect(lines).toEqual([
      '      both-3: 2 alerts; its other records name A/X, A/Y: place it in enrichment.sensors',
      '      leef-2: 2 alerts; no record of it names a zone: place it in enrichment.sensors',
      '      cef-1: 1 alert; its other records name Hamburg/Press "Line" 2: add to enrichment.sensors "cef-1": {"site":"Hamburg","zone":"Press \\"Line\\" 2"}',
    ]);
    // The entry is JSON as printed.
    const entry = lines[2]!.split('enrichment.sensors ')[1]!;
    expect(JSON.parse(`{${entry}}`)).toEqual({ 'cef-1': { site: 'Hamburg', zone: 'Press "Line" 2' } });
  });

  it('lists eight sensors at most, then how many more', () => {
    const lines = unplacedLines(
      unplacedSensors(Array.from({ length: 10 }, (_, i) => row([`s-${i}`], 10 - i))),
    );
    expect(lines).toHaveLength(9);
    expect(lines[0]).toMatch(/^ {6}s-0: 10 alerts;/);
    expect(lines[8]).toBe('      and 2 more sensors');
  });
});
