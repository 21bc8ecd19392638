import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GroupStore } from '../pipeline/dedup/groupState.js';
import { type PlaybookConfig, type PlaybookConfigInput, parsePlaybookConfig } from './config.js';
import { staticDirectory } from './directory.js';
import { handlePlaybook } from './handler.js';
import { MemoryIncidents } from './offline/memoryIncidents.js';
import { incidentTriggerSchema } from './payload.js';
import type { D4IoTAlertClient } from './sentinel/d4iotAlert.js';
import { memoryNotifyState } from './state/playbookState.js';
import { memoryTicketMap } from './state/ticketMap.js';
import type { TeamsMessage } from './teams/card.js';
import type { TicketSystem } from './tickets/fields.js';
import { recordingTicketSystem } from './tickets/recording.js';
import { PLAYBOOK_NAMES, type PlaybookDeps, type PlaybookName, type PlaybookOutcome } from './types.js';

export { syntheticIncident } from './offline/synthetic.js';

/** Auto-close first (a benign incident then pages no one), then reassignment, the card, the ticket. */
const OFFLINE_ORDER: readonly PlaybookName[] = ['auto-close', 'reassign-ot', 'notify-teams', 'create-ticket'];

export interface OfflineRun {
  playbook: PlaybookName;
  status: number;
  result?: PlaybookOutcome['result'];
  actions: string[];
  reason?: string;
  error?: string;
}

export interface OfflineSummary {
  outboxDir: string;
  incidents: number;
  invalid: number;
  cards: number;
  tickets: number;
  closed: number;
  reassigned: number;
  incidentUpdates: number;
  comments: number;
  defenderStatusChanges: number;
  /** Per incident (by number), each playbook's HTTP status and outcome. */
  perIncident: { incidentNumber?: number; title?: string; runs: OfflineRun[] }[];
  files: string[];
}

export interface OfflineOptions {
  /** The dedup group store of the run, so auto-close closes groups as in Azure. */
  groups?: GroupStore;
  now?: () => Date;
  /** Run only these playbooks (default: all four). */
  playbooks?: readonly PlaybookName[];
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80);

/**
 * Runs the four playbooks against in-memory stand-ins (Sentinel, Teams, ServiceNow/Jira, Defender for IoT)
 * and writes what they would have sent to `outboxDir`: `teams/` cards (the exact webhook bodies), `tickets/`
 * (the ServiceNow/Jira requests), `incidents/` (incident PUT bodies, comments, Defender for IoT PATCHes), and
 * `summary.json`. Secrets are never needed: nothing leaves the process.
 */
export async function runPlaybooksOffline(
  incidents: readonly unknown[],
  config: PlaybookConfig | PlaybookConfigInput | unknown,
  outboxDir: string,
  options: OfflineOptions = {},
): Promise<OfflineSummary> {
  const cfg = parsePlaybookConfig(config ?? {}, 'playbook config');
  const sentinel = new MemoryIncidents();
  const cards: { site?: string; message: TeamsMessage; incidentNumber?: number }[] = [];
  const tickets: { system: string; request: unknown; key: string }[] = [];
  const patches: { path: string; body: unknown }[] = [];
  const d4iot: D4IoTAlertClient = {
    async setStatus(alert, status) {
      patches.push({ path: alert.path, body: { properties: { status } } });
      return { changed: true };
    },
  };
  const systems = new Map<string, TicketSystem>();
  let current: number | undefined;
  const deps: PlaybookDeps = {
    config: cfg,
    incidents: sentinel,
    teams: {
      post: async (site, message) =>
        void cards.push({ ...(site ? { site } : {}), message, incidentNumber: current }),
    },
    notifyState: memoryNotifyState(),
    ticketMap: memoryTicketMap(),
    ticketSystem: (name) => {
      let s = systems.get(name);
      if (!s) {
        const c = cfg.ticketSystems[name];
        if (!c) throw new Error(`no ticketSystems entry named "${name}"`);
        s = recordingTicketSystem(name, c, (r) =>
          tickets.push({
            system: r.system,
            key: r.key,
            request: { method: r.method, url: r.url, body: r.body },
          }),
        );
        systems.set(name, s);
      }
      return s;
    },
    directory: staticDirectory(cfg.groupIds),
    d4iot,
    ...(options.groups ? { groups: options.groups } : {}),
    ...(options.now ? { now: options.now } : {}),
  };

  const order = OFFLINE_ORDER.filter((p) => (options.playbooks ?? PLAYBOOK_NAMES).includes(p));
  const perIncident: OfflineSummary['perIncident'] = [];
  let invalid = 0;
  for (const incident of incidents) {
    const parsed = incidentTriggerSchema.safeParse(incident);
    if (parsed.success) sentinel.seed(parsed.data);
    else invalid++;
    current = parsed.success ? parsed.data.object.properties.incidentNumber : undefined;
    const runs: OfflineRun[] = [];
    for (const name of order) {
      const res = await handlePlaybook(name, { body: JSON.stringify(incident) }, deps);
      const body = res.jsonBody as Partial<PlaybookOutcome> & { message?: string };
      runs.push({
        playbook: name,
        status: res.status,
        ...(body.result ? { result: body.result } : {}),
        actions: body.actions ?? [],
        ...(body.reason ? { reason: body.reason } : {}),
        ...(res.status >= 400 ? { error: body.message ?? 'failed' } : {}),
      });
      if (res.status === 400) break; // the same payload fails every playbook the same way
    }
    perIncident.push({
      ...(current !== undefined ? { incidentNumber: current } : {}),
      ...(parsed.success ? { title: parsed.data.object.properties.title } : {}),
      runs,
    });
  }

  const files: string[] = [];
  const write = async (rel: string, value: unknown) => {
    const file = join(outboxDir, rel);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
    files.push(rel);
  };
  const perCard = new Map<string, number>();
  for (const c of cards) {
    const k = String(c.incidentNumber ?? 'x');
    perCard.set(k, (perCard.get(k) ?? 0) + 1);
    await write(join('teams', `incident-${k}-card-${perCard.get(k)}.json`), {
      site: c.site,
      webhookBody: c.message,
    });
  }
  for (const t of tickets)
    await write(join('tickets', `${slug(t.key)}.json`), { system: t.system, ...(t.request as object) });
  let seq = 0;
  for (const w of sentinel.writes)
    await write(
      join(
        'incidents',
        `incident-${w.incidentNumber ?? 'x'}-${String(++seq).padStart(3, '0')}-${w.kind}.json`,
      ),
      {
        method: 'PUT',
        incident: w.incidentArmId,
        body: w.body,
      },
    );
  for (const p of patches)
    await write(
      join(
        'incidents',
        `defender-iot-${String(++seq).padStart(3, '0')}-${slug(p.path.split('/').pop() ?? 'alert')}.json`,
      ),
      {
        method: 'PATCH',
        path: p.path,
        body: p.body,
      },
    );

  const updates = sentinel.writes.filter((w) => w.kind === 'update');
  const props = (w: (typeof updates)[number]) =>
    (w.body as { properties?: { status?: string; owner?: { ownerType?: string } } }).properties;
  const summary: OfflineSummary = {
    outboxDir,
    incidents: incidents.length,
    invalid,
    cards: cards.length,
    tickets: tickets.length,
    closed: perIncident.filter((i) => i.runs.some((r) => r.playbook === 'auto-close' && r.result === 'done'))
      .length,
    reassigned: new Set(
      updates.filter((w) => props(w)?.owner?.ownerType === 'Group').map((w) => w.incidentArmId),
    ).size,
    incidentUpdates: updates.length,
    comments: sentinel.writes.length - updates.length,
    defenderStatusChanges: patches.length,
    perIncident,
    files,
  };
  await write('summary.json', summary);
  return summary;
}
