import { describe, expect, it } from 'vitest';
import { parsePlaybookConfig } from '../../playbooks/config.js';
import { aggregateFacts, alertFactsFromRecord } from '../../playbooks/facts.js';
import { parseIncidentTrigger } from '../../playbooks/payload.js';
import { buildIncidentCard, MAX_CARD_BYTES } from '../../playbooks/teams/card.js';
import { cardText, safeLink } from '../../playbooks/teams/escape.js';
import { countLevel, decideNotification } from '../../playbooks/teams/throttle.js';
import { harness, incidentOf, lyonRow } from '../helpers/playbookFixtures.js';

/** No Markdown link, emphasis, heading, list, HTML tag, template or clickable scheme survives. */
function inert(s: string): void {
  expect(s).not.toMatch(/[<>[\]*`#|\\{}]/);
  expect(s).not.toMatch(/\]\(/);
  expect(s).not.toMatch(/(javascript|data|vbscript|https?):/i);
  expect(s).not.toMatch(/^\s*([-+]|\d+[.)])\s/);
  expect(s).not.toMatch(/[\u200b-\u200f\u202a-\u202e\u2066-\u2069]/);
}

const parseOk = (payload: unknown) => {
  const parsed = parseIncidentTrigger(payload);
  if (!parsed.ok) throw new Error('fixture');
  return parsed.trigger;
};

describe('card text neutralisation', () => {
  it.each([
    ['<script>alert(1)</script>', '‹script›alert(1)‹/script›'],
    ['[click me](javascript:alert(1))', '［click me］(javascript：alert(1))'],
    ['**URGENT** _call_ me', '∗∗URGENT∗∗ ＿call＿ me'],
    ['- list item', '‐ list item'],
    ['1. ordered', '1． ordered'],
    ['# heading', '＃ heading'],
    ['see https://evil.example/login now', 'see https：//evil.example/login now'],
    ['visit www.evil.example', 'visit www․evil.example'],
    // A scheme glued to a word used to pass as the scheme `A+https` and stay clickable.
    ['A+https://evil.example x-javascript:alert(1)', 'A+https：//evil.example x-javascript：alert(1)'],
    ['{{DATE(2017-02-14T06:08:39Z, SHORT)}}', '｛｛DATE(2017-02-14T06:08:39Z, SHORT)｝｝'],
    ['![img](https://x/y.png)', '!［img］(https：//x/y.png)'],
    ['a\u202eb\u200bc', 'abc'],
    ['LYN_PLC_01 stays readable', 'LYN_PLC_01 stays readable'],
    // The first underscore of a pair used to consume the edge of the second: `＿_x＿_` still rendered _x＿_.
    ['__bold__ and ___both___', '＿＿bold＿＿ and ＿＿＿both＿＿＿'],
    ['line one\n\n- two', 'line one ‐ two'],
  ])('%s', (hostile, expected) => {
    const out = cardText(hostile);
    expect(out).toBe(expected.replace('‐ two', '- two'));
    inert(out.replace('- two', ''));
  });

  it('full-width look-alikes in the input are normalised first, then neutralised', () => {
    inert(cardText('［x］（javascript：alert(1)）'));
  });

  it('a title of invisible characters only still gives Teams a non-empty TextBlock', () => {
    const card = buildIncidentCard({
      incidentNumber: 1,
      title: '\u0000\u200b\u202e',
      severity: 'High',
      status: 'New',
      facts: { ...aggregateFacts(parseOk(incidentOf([lyonRow()])), []), assets: [], techniques: [] },
    });
    expect(card.body[1]).toMatchObject({ type: 'TextBlock', text: '(no title)' });
  });

  it('caps length', () => {
    expect(cardText('x'.repeat(1000), 50)).toHaveLength(50);
  });

  it('links only to https on allowed hosts', () => {
    expect(safeLink('https://portal.azure.com/#asset/x')).toBe('https://portal.azure.com/#asset/x');
    expect(safeLink('https://security.microsoft.com/incidents/1')).toBeDefined();
    expect(safeLink('javascript:alert(1)')).toBeUndefined();
    expect(safeLink('http://portal.azure.com/x')).toBeUndefined();
    expect(safeLink('https://portal.azure.com.evil.example/x')).toBeUndefined();
    expect(safeLink('https://user:pw@portal.azure.com/x')).toBeUndefined();
  });
});

describe('the card of a hostile incident', () => {
  const hostileRow = lyonRow({
    AlertTitle: '<script>alert(1)</script> [x](javascript:alert(document.cookie))',
    DestinationAssetName: '**PLC** <img src=x onerror=alert(1)>',
    SourceName: '[evil](https://evil.example)',
    Site: '# Lyon',
    Zone: '- Filling',
    Techniques: ['T0843', 'T9999](javascript:alert(1))'],
  });

  it('reaches Teams with every alert-derived string inert (the fake accepts it as a valid card)', async () => {
    const h = harness();
    const payload = incidentOf([hostileRow]);
    (payload as { object: { properties: { title: string } } }).object.properties.title =
      hostileRow.AlertTitle as string;
    h.sentinel.seed(payload as never);
    const res = await h.run('notify-teams', payload);
    expect(res.status).toBe(200);
    const card = (
      h.teams.posts[0]!.body as {
        attachments: { content: { body: { type: string; text?: string; facts?: { value: string }[] }[] } }[];
      }
    ).attachments[0]!.content;
    const texts = card.body.flatMap((e) => (e.type === 'FactSet' ? e.facts!.map((f) => f.value) : [e.text!]));
    for (const t of texts) {
      if (t === 'High severity · OT incident #42') continue; // ours: enum + integer
      // Technique lines are our own links: the only Markdown on the card, to attack.mitre.org.
      if (t.startsWith('[T0')) {
        expect(t).toMatch(/^\[T0\d{3} [^[\]]+\]\(https:\/\/attack\.mitre\.org\/techniques\/T0\d{3}\)$/);
        continue;
      }
      inert(t);
    }
    expect(JSON.stringify(card)).not.toContain('T9999');
    expect(JSON.stringify(card)).not.toContain('<script>');
    expect(JSON.stringify(card)).not.toContain('](javascript');
  });

  it('stays under the Teams size limit with hundreds of assets and long names', () => {
    const parsed = parseIncidentTrigger(incidentOf([lyonRow()]));
    if (!parsed.ok) throw new Error('fixture');
    const alerts = Array.from({ length: 300 }, (_, i) =>
      alertFactsFromRecord({
        SourceName: `${'N'.repeat(250)}-${i}`,
        SourceIP: `10.0.${i >> 8}.${i & 255}`,
        Techniques: ['T0843'],
      }),
    );
    const card = buildIncidentCard({
      incidentNumber: 1,
      title: 'T'.repeat(5000),
      severity: 'High',
      status: 'New',
      facts: aggregateFacts(parsed.trigger, alerts),
    });
    expect(JSON.stringify(card).length).toBeLessThanOrEqual(MAX_CARD_BYTES);
  });
});

describe('notification throttle', () => {
  const teams = parsePlaybookConfig({}).teams;
  const now = new Date('2026-11-18T09:00:00Z');

  it('levels', () => {
    expect(countLevel(undefined, [10, 100])).toBe(0);
    expect(countLevel(9, [10, 100])).toBe(0);
    expect(countLevel(10, [10, 100])).toBe(10);
    expect(countLevel(5000, [100, 10, 1000])).toBe(1000);
  });

  it.each([
    [undefined, 'Medium', 3, true, 'first'],
    [{ cards: 1, severity: 'Medium', countLevel: 0, lastSentAt: '' }, 'Medium', 9, false, 'unchanged'],
    [{ cards: 1, severity: 'Medium', countLevel: 0, lastSentAt: '' }, 'Medium', 10, true, 'count-threshold'],
    [{ cards: 1, severity: 'Medium', countLevel: 10, lastSentAt: '' }, 'Low', 99, false, 'unchanged'],
    [{ cards: 2, severity: 'Medium', countLevel: 10, lastSentAt: '' }, 'High', 11, true, 'severity-raised'],
  ] as const)('%j + %s/%d → send %s (%s)', (prev, severity, count, send, reason) => {
    const d = decideNotification(prev as never, { severity, count, status: 'New' }, teams, now);
    expect(d.send).toBe(send);
    expect(d.reason).toBe(reason);
  });

  const sent = { cards: 1, severity: 'High', countLevel: 0, lastSentAt: '' } as const;
  it.each([
    [undefined, 'Closed', false, 'closed'],
    [sent, 'Active', false, 'unchanged'],
    [sent, 'Closed', true, 'closed'],
    [{ ...sent, closed: true }, 'Closed', false, 'closed'],
    [{ ...sent, closed: true }, 'Active', true, 'reopened'],
    [{ ...sent, closed: true }, 'New', true, 'reopened'],
  ] as const)('%j, now %s → send %s (%s)', (prev, status, send, reason) => {
    const d = decideNotification(prev, { severity: 'High', count: 3, status }, teams, now);
    expect(d).toMatchObject({ send, reason });
    if (d.send) expect(d.next.closed ?? false).toBe(status === 'Closed');
  });

  it("an attack chain's new step is an update; steps already shown, a closed incident and older state are not", () => {
    const first = decideNotification(
      undefined,
      { severity: 'High', status: 'New', steps: ['reconnaissance'] },
      teams,
      now,
    );
    expect(first).toMatchObject({ send: true, reason: 'first', next: { steps: ['reconnaissance'] } });
    const prev = first.send ? first.next : sent;
    const on = decideNotification(
      prev,
      { severity: 'High', status: 'New', steps: ['reconnaissance', 'change', 'stop or restart'] },
      teams,
      now,
    );
    expect(on).toMatchObject({
      send: true,
      reason: 'attack-step',
      summary: 'Update: The attack went on: change → stop or restart',
      next: { cards: 2, steps: ['reconnaissance', 'change', 'stop or restart'] },
    });
    // The same steps again (an alert of a step already shown), in another order, or none: nothing new.
    const same = on.send ? on.next : sent;
    for (const steps of [['change', 'reconnaissance'], [], undefined])
      expect(
        decideNotification(
          same,
          { severity: 'High', status: 'New', ...(steps ? { steps } : {}) },
          teams,
          now,
        ),
      ).toEqual({ send: false, reason: 'unchanged' });
    // Closed: no step card. State written before steps were recorded: what its cards showed is unknown.
    expect(
      decideNotification(
        prev,
        { severity: 'High', status: 'Closed', steps: ['change'] },
        { ...teams, notifyOnClose: false },
        now,
      ),
    ).toEqual({ send: false, reason: 'closed' });
    expect(
      decideNotification(sent, { severity: 'High', status: 'New', steps: ['change'] }, teams, now),
    ).toEqual({
      send: false,
      reason: 'unchanged',
    });
    // With a severity raised at the same time, one card says both.
    const both = decideNotification(
      { ...prev, severity: 'Medium' },
      { severity: 'High', status: 'New', steps: ['reconnaissance', 'stop or restart'] },
      teams,
      now,
    );
    expect(both).toMatchObject({
      reason: 'severity-raised',
      summary: 'Update: Severity raised from Medium to High; The attack went on: stop or restart',
    });
  });

  it('announced maintenance that auto-close left open goes on as maintenance, not as an attack', () => {
    const first = decideNotification(
      undefined,
      { severity: 'High', status: 'New', steps: ['change'], maintenance: true },
      teams,
      now,
    );
    const on = decideNotification(
      first.send ? first.next : sent,
      { severity: 'High', status: 'New', steps: ['change', 'stop or restart'], maintenance: true },
      teams,
      now,
    );
    expect(on).toMatchObject({
      reason: 'attack-step',
      summary: 'Update: The maintenance went on: stop or restart',
    });
  });

  it('a closed incident gets no other update (its severity or count may still change)', () => {
    const d = decideNotification(
      { ...sent, closed: true },
      { severity: 'High', count: 500, status: 'Closed' },
      teams,
      now,
    );
    expect(d).toEqual({ send: false, reason: 'closed' });
    // With notifyOnClose off, the close is not announced either.
    const off = { ...teams, notifyOnClose: false };
    expect(decideNotification(sent, { severity: 'High', status: 'Closed' }, off, now)).toEqual({
      send: false,
      reason: 'closed',
    });
  });

  it('a reopen card also carries a severity raised with it', () => {
    const d = decideNotification(
      { ...sent, severity: 'Medium', closed: true },
      { severity: 'High', status: 'Active' },
      teams,
      now,
    );
    expect(d).toMatchObject({
      send: true,
      reason: 'reopened',
      summary: 'Reopened: the incident is Active again; Severity raised from Medium to High',
      next: { cards: 2, severity: 'High' },
    });
  });
});
