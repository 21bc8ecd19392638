/**
 * Hostile and malformed incident-trigger payloads against the playbook HTTP handler (issue 11), with the real
 * clients wired to the fakes (test/helpers/playbookFixtures.ts).
 *
 * - Invalid payloads (random JSON, missing/extra fields, wrong types, huge strings, `__proto__` keys) get a 400
 *   with the reason and change nothing; no payload ever gets a 500 or makes the handler throw.
 * - Valid payloads whose incident title, alert titles, device names, owners, sites and links carry hostile text:
 *   the Teams card renders no HTML or Markdown from them and links only to the allowed hosts; ServiceNow and
 *   Jira fields start no spreadsheet formula and hold no raw HTML.
 *
 * Seeds are random: fast-check prints the seed and the shrunk payload of a failure, for `{ seed, path }`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlePlaybook } from '../../playbooks/handler.js';
import { parseIncidentTrigger } from '../../playbooks/payload.js';
import type { AdaptiveCard, TeamsMessage } from '../../playbooks/teams/card.js';
import { LINK_HOSTS } from '../../playbooks/teams/escape.js';
import type { AdfDoc } from '../../playbooks/tickets/adf.js';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../playbooks/types.js';
import {
  harness as fixtureHarness,
  incidentOf,
  lyonRow,
  nativeD4IoTIncident,
  ROTTERDAM_GROUP,
  rotterdamRow,
} from '../helpers/playbookFixtures.js';
import {
  expectNoPollution,
  FORMULA_TEXTS,
  formulaText,
  HTML_TEXTS,
  hostileText,
  jsonText,
  MARKDOWN_TEXTS,
  PROTO_KEYS,
  prototypeSnapshot,
} from './arbitraries.js';

let pristine: string;
beforeAll(() => {
  pristine = prototypeSnapshot();
});
afterAll(() => expectNoPollution(pristine));

type Json = Record<string, unknown>;
const playbook = fc.constantFrom<PlaybookName>(...PLAYBOOK_NAMES);

/**
 * The fixtures' harness, with a directory fake that looks names up in a Map: the shared `fakeDirectory` indexes a
 * plain object, so an OT team named `constructor` (hostile inventory text) would "resolve" to Object's
 * constructor there, a fake's artefact (the Graph directory caches in a Map and returns Graph's ids).
 */
function harness() {
  const h = fixtureHarness();
  const groups = new Map([['ot-rotterdam', ROTTERDAM_GROUP]]);
  h.deps.directory = { groupIdByName: async (name) => groups.get(name.toLowerCase()) };
  return h;
}
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

// ---------------------------------------------------------------------------------------------------------
// Invalid payloads

/** A path into the payload and what to do there. */
type Edit = { path: string[]; op: 'delete' | 'set' | 'proto'; value?: unknown };

const PATHS: string[][] = [
  [],
  ['object'],
  ['object', 'id'],
  ['object', 'properties'],
  ['object', 'properties', 'incidentNumber'],
  ['object', 'properties', 'title'],
  ['object', 'properties', 'severity'],
  ['object', 'properties', 'status'],
  ['object', 'properties', 'incidentUrl'],
  ['object', 'properties', 'labels'],
  ['object', 'properties', 'labels', '0'],
  ['object', 'properties', 'owner'],
  ['object', 'properties', 'Alerts'],
  ['object', 'properties', 'Alerts', '0'],
  ['object', 'properties', 'Alerts', '0', 'properties'],
  ['object', 'properties', 'Alerts', '0', 'properties', 'additionalData'],
  ['object', 'properties', 'Alerts', '0', 'properties', 'tactics'],
  ['object', 'properties', 'relatedEntities'],
  ['object', 'properties', 'relatedEntities', '0'],
  ['object', 'properties', 'relatedEntities', '0', 'kind'],
  ['object', 'properties', 'additionalData'],
  ['workspaceInfo'],
  ['workspaceInfo', 'WorkspaceName'],
  ['incidentArmId'],
];

const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    0,
    -1,
    1.5,
    2 ** 53,
    true,
    '',
    ' ',
    [],
    {},
    [null],
    'High',
    'Closed',
    'javascript:alert(1)',
    'http://portal.azure.com/x',
    '/subscriptions/x/resourceGroups/y/providers/Microsoft.OperationalInsights/workspaces/z/providers/Microsoft.SecurityInsights/Incidents/../..',
    '/subscriptions/x?y/resourceGroups/y/providers/Microsoft.OperationalInsights/workspaces/z/providers/Microsoft.SecurityInsights/Incidents/1',
  ),
  hostileText,
  jsonText.map((t) => JSON.parse(t) as unknown),
  fc.integer({ min: 300_000, max: 600_000 }).map((n) => 'A'.repeat(n)),
);

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ path: fc.constantFrom(...PATHS), op: fc.constant<'delete'>('delete') }),
  fc.record({ path: fc.constantFrom(...PATHS), op: fc.constant<'set'>('set'), value: oddValue }),
  fc.record({ path: fc.constantFrom(...PATHS), op: fc.constant<'proto'>('proto'), value: oddValue }),
);

const basePayload = fc.constantFrom<() => Json>(
  () => incidentOf([lyonRow()]),
  () => incidentOf([rotterdamRow()]),
  () => nativeD4IoTIncident(),
);

/** Applies the edits and serialises; `proto` edits write a real `"__proto__"` key into the JSON text. */
function applyEdits(base: Json, edits: Edit[]): string {
  const payload = clone(base);
  const protoMarks: { marker: string; key: string; value: unknown }[] = [];
  for (const [i, e] of edits.entries()) {
    let parent: unknown = payload;
    for (const k of e.path.slice(0, -1)) parent = (parent as Json | undefined)?.[k];
    const last = e.path.at(-1);
    if (e.op === 'proto') {
      const target = e.path.length ? (parent as Json | undefined)?.[last!] : payload;
      if (target && typeof target === 'object' && !Array.isArray(target)) {
        const marker = `__fuzz_proto_${i}__`;
        (target as Json)[marker] = null;
        protoMarks.push({ marker, key: PROTO_KEYS[i % PROTO_KEYS.length]!, value: e.value });
      }
      continue;
    }
    if (!parent || typeof parent !== 'object' || last === undefined) continue;
    if (e.op === 'delete') delete (parent as Json)[last];
    else (parent as Json)[last] = e.value;
  }
  let text = JSON.stringify(payload);
  for (const m of protoMarks)
    text = text.replace(
      `"${m.marker}":null`,
      () => `${JSON.stringify(m.key)}:${JSON.stringify(m.value ?? null)}`,
    );
  return text;
}

interface ErrorBody {
  error?: string;
  message?: string;
  issues?: { path: string; message: string }[];
}

describe('invalid incident payloads: 400 with the reason, never a 500', () => {
  it('bodies that are not JSON, or JSON that is not an incident trigger', async () => {
    const body = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      jsonText,
      fc.constantFrom('', ' ', 'null', '[]', '{}', '"x"', '{"object":null}', '{"__proto__":{"object":{}}}'),
    );
    await fc.assert(
      fc.asyncProperty(playbook, body, async (name, text) => {
        const h = harness();
        const r = await runRaw(h, name, text);
        let parsed: unknown;
        let isJson = true;
        try {
          parsed = JSON.parse(text);
        } catch {
          isJson = false;
        }
        if (isJson && parseIncidentTrigger(parsed).ok) return; // astronomically unlikely; other tests cover it
        expect(r.status).toBe(400);
        const b = r.jsonBody as ErrorBody;
        expect(b.error).toBe(isJson ? 'invalid-payload' : 'invalid-json');
        expect(b.message?.trim()).toBeTruthy();
        if (isJson) {
          expect(b.issues?.length).toBeGreaterThan(0);
          for (const i of b.issues!) expect(typeof i.path === 'string' && i.message.trim() !== '').toBe(true);
        }
        expect(h.writes()).toEqual([]);
        expect(h.teams.posts).toEqual([]);
      }),
      { numRuns: 200 },
    );
    expectNoPollution(pristine);
  });

  it('a real trigger with fields deleted, retyped, oversized or given `__proto__` keys', async () => {
    await fc.assert(
      fc.asyncProperty(
        playbook,
        basePayload,
        fc.array(edit, { minLength: 1, maxLength: 4 }),
        async (name, base, edits) => {
          const h = harness();
          const original = base();
          h.sentinel.seed(original as never);
          const text = applyEdits(original, edits);
          const r = await runRaw(h, name, text);
          expect(r.status, JSON.stringify(r.jsonBody)).not.toBe(500);
          expect([200, 400, 403, 409, 413, 424, 503]).toContain(r.status);
          const b = r.jsonBody as ErrorBody;
          const valid = parseIncidentTrigger(JSON.parse(text)).ok;
          if (!valid) {
            expect([400, 413]).toContain(r.status);
            if (r.status === 400) {
              expect(b.error).toBe('invalid-payload');
              expect(b.message).toMatch(/^not a Sentinel incident trigger: \S/);
              expect(b.issues?.length).toBeGreaterThan(0);
            }
            expect(h.writes()).toEqual([]);
          } else if (r.status >= 400) {
            // A valid trigger the downstream refused (e.g. its id names no incident): said why, not a crash.
            expect(b.message?.trim()).toBeTruthy();
          }
          expectNoPollution(pristine);
        },
      ),
      { numRuns: 250 },
    );
  });

  it('`__proto__` in the payload never reaches the objects the playbooks read', () => {
    const base = incidentOf([lyonRow()]);
    const text = JSON.stringify(base).replace(
      '"properties":{',
      '"properties":{"__proto__":{"incidentUrl":"https://evil.example/","polluted":"yes"},',
    );
    const parsed = parseIncidentTrigger(JSON.parse(text));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const p = parsed.trigger.object.properties as Json;
    expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
    expect(p.polluted).toBeUndefined();
    expect(p.incidentUrl).toMatch(/^https:\/\/portal\.azure\.com\//);
    expectNoPollution(pristine);
  });
});

const runRaw = (h: ReturnType<typeof harness>, name: PlaybookName, body: string) =>
  handlePlaybook(name, { body }, h.deps);

// ---------------------------------------------------------------------------------------------------------
// Valid payloads with hostile text

const hostileUrl = fc.constantFrom(
  'https://evil.example/phish',
  'https://portal.azure.com.evil.example/',
  'https://portal.azure.com@evil.example/',
  'https://user:pw@portal.azure.com/x',
  'https://evil.example/?next=https://portal.azure.com/',
  'https://portal.azure.com/<script>alert(1)</script>',
  'https://portal.azure.com/#"><img src=x onerror=alert(1)>',
  'https://xn--prtal-esa.azure.com/',
  'https://attack.mitre.org.evil.example/T0843',
);
const anyLink = fc.oneof(
  hostileUrl,
  fc.constantFrom(
    'javascript:alert(1)',
    'data:text/html,<b>x</b>',
    'http://portal.azure.com/x',
    '//evil.example',
  ),
  hostileText,
);

const hostile = fc.oneof(
  { weight: 4, arbitrary: hostileText },
  { weight: 2, arbitrary: formulaText },
  { weight: 2, arbitrary: fc.constantFrom(...HTML_TEXTS, ...MARKDOWN_TEXTS, ...FORMULA_TEXTS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 2_000, maxLength: 20_000 }) },
);

interface HostileIncident {
  payload: Json;
  site: string;
}

const site = fc.oneof(fc.constantFrom('Lyon', 'Rotterdam'), hostile);

/** An ot-soc incident (custom details from OTAlerts_CL columns) with hostile text in every text column. */
const otIncident: fc.Arbitrary<HostileIncident> = fc
  .record({
    base: fc.constantFrom(lyonRow, rotterdamRow),
    site,
    title: hostile,
    description: hostile,
    alertTitle: hostile,
    names: fc.array(hostile, { minLength: 6, maxLength: 6 }),
    url: hostileUrl,
    firstSeen: fc.oneof(hostile, fc.constant('2026-11-18T02:10:00.000Z')),
  })
  .map(({ base, site, title, description, alertTitle, names, url, firstSeen }) => {
    const [srcName, dstName, owner, team, zone, escalation] = names as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const row = base({
      AlertTitle: alertTitle,
      Site: site,
      Zone: zone,
      SourceName: srcName,
      SourceIP: srcName,
      DestinationAssetName: dstName,
      DestinationAssetType: `PLC ${dstName}`,
      AssetOwner: owner,
      AssetCriticality: owner,
      OTTeam: team,
      FirstSeen: firstSeen,
      Escalations: [{ rule: escalation, reason: escalation }, escalation],
      Techniques: ['T0843', `${escalation} T0836`],
    });
    const payload = incidentOf([row]) as { object: { properties: Json } };
    payload.object.properties.title = title.trim() ? title : `${title}x`;
    payload.object.properties.description = description;
    payload.object.properties.incidentUrl = url;
    return { payload: payload as unknown as Json, site };
  });

/** A native Defender for IoT incident with hostile alert names, device names and device-page links. */
const nativeIncident: fc.Arbitrary<HostileIncident> = fc
  .record({
    site,
    title: hostile,
    names: fc.array(hostile, { minLength: 4, maxLength: 4 }),
    link: anyLink,
  })
  .map(({ site, title, names, link }) => {
    const [alertName, device, type, sensor] = names as [string, string, string, string];
    const payload = nativeD4IoTIncident() as {
      object: { properties: { title: string; Alerts: Json[]; relatedEntities: Json[] } };
    };
    const p = payload.object.properties;
    p.title = title.trim() ? title : `${title}x`;
    const alert = p.Alerts[0]!.properties as Json;
    alert.alertDisplayName = alertName;
    (alert.additionalData as Json).SensorId = sensor;
    (alert.additionalData as Json).SourceDeviceAddress = device;
    const entity = p.relatedEntities[0]!.properties as Json;
    entity.deviceName = device;
    entity.deviceType = type;
    entity.site = site;
    entity.zone = type;
    (entity.additionalData as Json).DevicePageLink = link;
    p.relatedEntities.push({
      kind: 'IoTDevice',
      properties: { deviceName: `${device}-2`, devicePageLink: link, ipAddress: device },
    });
    return { payload: payload as unknown as Json, site };
  });

const hostileIncident = fc.oneof(otIncident, nativeIncident);

const hostOf = (url: string) => new URL(url).hostname.toLowerCase();
const allowedHost = (url: string) =>
  LINK_HOSTS.some((h) => hostOf(url) === h || hostOf(url).endsWith(`.${h}`));

/** Texts of the card as Teams renders them: TextBlocks, FactSet titles/values, action titles. */
function cardTexts(card: AdaptiveCard): string[] {
  const out: string[] = [];
  for (const el of card.body) {
    if (el.type === 'TextBlock') out.push(el.text);
    else for (const f of el.facts) out.push(f.title, f.value);
  }
  for (const a of card.actions ?? []) out.push(a.title);
  return out;
}

/** The ATT&CK links the card builds itself: `[T0843 Name](https://attack.mitre.org/techniques/T0843)`. */
const OUR_LINK = /^\[([^[\]()]+)\]\(https:\/\/attack\.mitre\.org\/techniques\/T0\d{3}\)$/;
/** Our fixed texts that legitimately use `#` or `&`. */
const OURS = [/^(High|Medium|Low|Informational) severity · OT incident #\d+$/, /^ATT&CK for ICS$/];

/** Markup Teams would render in a TextBlock (Markdown subset, auto-links) or that HTML would. */
function markupIn(text: string): string[] {
  const problems: string[] = [];
  const t = OUR_LINK.exec(text)?.[1] ?? text;
  if (OURS.some((re) => re.test(t))) return problems;
  if (/[<>[\]*`~|\\{}#&]/.test(t)) problems.push('markup character');
  // A `_` at a word edge can open or close emphasis. The one exception is the cap's cut (`dst_…`): every edge
  // underscore before it is neutralised, so nothing is left for it to close.
  if (/(^|[^\p{L}\p{N}])_|_($|[^\p{L}\p{N}])/u.test(t.replace(/_…$/, '…')))
    problems.push('emphasis underscore');
  if (/(https?|ftp|file|javascript|vbscript|data|mailto|tel|ms-[a-z-]+):/i.test(t))
    problems.push('link scheme');
  if (/\bwww\./i.test(t)) problems.push('www auto-link');
  if (/^\s*([-+]\s|\d+[.)]\s)/.test(t)) problems.push('list marker');
  if (
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/.test(
      t,
    )
  )
    problems.push('invisible or bidi character');
  if (/[\r\n]/.test(t)) problems.push('line break');
  return problems;
}

function expectSafeCard(card: AdaptiveCard): void {
  for (const text of cardTexts(card)) expect(markupIn(text), text).toEqual([]);
  for (const a of card.actions ?? []) {
    expect(a.url, a.title).toMatch(/^https:\/\//);
    expect(allowedHost(a.url), a.url).toBe(true);
    expect(new URL(a.url).username + new URL(a.url).password).toBe('');
  }
  expect(JSON.stringify(card).length).toBeLessThan(28 * 1024);
}

// Ticket fields

const FORMULA_START = /^[\s]*[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;
/** Our own link wrappers in a ServiceNow description: ` <https://allowed.host/…>`. */
const OUR_URL = /<(https:\/\/[^\s<>"'`]+)>/g;

function expectNoFormula(value: string, what: string): void {
  for (const line of value.split('\n'))
    expect(line.startsWith("'") || !FORMULA_START.test(line), `${what}: ${JSON.stringify(line)}`).toBe(true);
}

function expectNoHtml(value: string, what: string): void {
  const rest = value.replace(OUR_URL, (m, url: string) => (allowedHost(url) ? '' : m));
  expect(/<[a-zA-Z!/?]/.test(rest), `${what}: ${JSON.stringify(value.slice(0, 300))}`).toBe(false);
}

function adfTexts(doc: AdfDoc): { texts: string[]; hrefs: string[] } {
  const texts: string[] = [];
  const hrefs: string[] = [];
  const walk = (n: unknown) => {
    const node = n as {
      type?: string;
      text?: string;
      content?: unknown[];
      marks?: { attrs?: { href?: string } }[];
    };
    if (node.type === 'text' && typeof node.text === 'string') {
      texts.push(node.text);
      for (const m of node.marks ?? []) if (m.attrs?.href) hrefs.push(m.attrs.href);
    }
    for (const c of node.content ?? []) walk(c);
  };
  walk(doc);
  return { texts, hrefs };
}

describe('valid payloads with hostile text', () => {
  it('notify-teams: the card renders no HTML or Markdown from the payload and links only to allowed hosts', async () => {
    await fc.assert(
      fc.asyncProperty(hostileIncident, async ({ payload }) => {
        const h = harness();
        h.sentinel.seed(payload as never);
        const res = await h.run('notify-teams', payload);
        expect(res.status, JSON.stringify(res.jsonBody)).toBe(200);
        expect(h.teams.posts).toHaveLength(1);
        const card = (h.teams.posts[0]!.body as TeamsMessage).attachments[0]!.content;
        expectSafeCard(card);
        expectNoPollution(pristine);
      }),
      { numRuns: 150 },
    );
  });

  it('create-ticket: ServiceNow and Jira fields start no formula, hold no raw HTML, link only to allowed hosts', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileIncident.filter((i) => i.site === 'Lyon' || i.site === 'Rotterdam'),
        async ({ payload, site }) => {
          const h = harness();
          h.sentinel.seed(payload as never);
          const res = await h.run('create-ticket', payload);
          expect(res.status, JSON.stringify(res.jsonBody)).toBe(200);
          if (site === 'Lyon') {
            expect(h.snow.records).toHaveLength(1);
            const record = h.snow.records[0]!;
            for (const [field, value] of Object.entries(record)) {
              expectNoFormula(value, `ServiceNow ${field}`);
              expectNoHtml(value, `ServiceNow ${field}`);
            }
            for (const m of record.description!.matchAll(OUR_URL))
              expect(allowedHost(m[1]!), m[1]).toBe(true);
          } else {
            expect(h.jira.issues).toHaveLength(1);
            const fields = h.jira.issues[0]!.fields;
            expectNoFormula(String(fields.summary), 'Jira summary');
            expectNoHtml(String(fields.summary), 'Jira summary');
            const { texts, hrefs } = adfTexts(fields.description as AdfDoc);
            for (const t of texts) {
              expectNoFormula(t, 'Jira description');
              expectNoHtml(t, 'Jira description');
            }
            for (const href of hrefs) expect(allowedHost(href), href).toBe(true);
            for (const label of fields.labels) {
              expect(label).not.toMatch(/\s/);
              expectNoFormula(label, 'Jira label');
              expectNoHtml(label, 'Jira label');
            }
          }
          expectNoPollution(pristine);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reassign-ot and auto-close answer without a 500 on the same payloads', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileIncident,
        fc.constantFrom<PlaybookName>('reassign-ot', 'auto-close'),
        async (i, name) => {
          const h = harness();
          h.sentinel.seed(i.payload as never);
          const res = await h.run(name, i.payload);
          expect(res.status, JSON.stringify(res.jsonBody)).toBe(200);
          expectNoPollution(pristine);
        },
      ),
      { numRuns: 100 },
    );
  });
});
