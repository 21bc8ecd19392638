/**
 * The run's HTML report: the story of the run, then the four shipped workbooks rendered from the local
 * workspace by the local KQL engine. One self-contained file (inline CSS and SVG, no script, no network).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKBOOKS } from '../../analytics/workbooks/index.js';
import { parseConfig } from '../../pipeline/config/config.js';
import type { SensorPlacements } from '../../pipeline/enrich/sensorPlacement.js';
import { parseJsonText } from '../../pipeline/util/jsonText.js';
import type { OfflineSummary } from '../../playbooks/outbox.js';
import type { RunSummary } from '../summary.js';
import type { KqlTable, RunQuery } from './engine.js';
import { escapeHtml } from './html.js';
import { incidentsHtml } from './incidents.js';
import { page } from './page.js';
import { alertTimes, compressionHtml, deadLettersHtml } from './story.js';
import { type SentinelTables, watchlistsOf } from './twinTables.js';
import type { RenderedWorkbook } from './workbooks/model.js';
import { workbookHtml } from './workbooks/render.js';
import { runWorkbook } from './workbooks/run.js';
import { type Row, readNdjson, readTwin, type TwinOutput, workspaceContext } from './workspace.js';

export { escapeHtml } from './html.js';

export interface ReportData {
  summary: RunSummary;
  generatedAt: Date;
  /** OTAlerts_CL rows as the local workspace stored them. */
  rows: Row[];
  /** Dead letters as stored (deadletter.ndjson). */
  letters: Row[];
  /** When each parsed sensor alert of the input happened (ms since epoch). */
  alertTimes: number[];
  twin: TwinOutput;
  playbooks?: OfflineSummary;
  workbooks: RenderedWorkbook[];
  /** Per Sentinel table, the columns the twin does not compute (null in the workbooks' queries). */
  nullColumns: Record<string, string[]>;
}

/** The shipped workbooks/ folder: beside the package.json above this file (from dist/ or from the sources). */
function workbooksDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'workbooks'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the workbooks/ folder of the ot-soc package');
    dir = up;
  }
  return join(dir, 'workbooks');
}

/** Runs every shipped workbook (workbooks/*.json, in WORKBOOKS order) over the rows. */
export function renderWorkbooks(
  rows: readonly Row[],
  now: Date,
  run: RunQuery,
  watchlists: Record<string, KqlTable> = {},
  sentinel: Record<string, KqlTable> = {},
): RenderedWorkbook[] {
  const ctx = workspaceContext(rows, now, watchlists, sentinel);
  return WORKBOOKS.map((w) => {
    const json: unknown = JSON.parse(readFileSync(join(workbooksDir(), w.file), 'utf8'));
    return runWorkbook(w.file, w.displayName, json, ctx, run);
  });
}

export function renderReport(d: ReportData): string {
  const s = d.summary;
  const ids = d.workbooks.map((w) => `wb-${w.file.replace(/\.json$/, '')}`);
  const toc = `<nav class="toc" aria-label="Contents"><ol><li><a href="#story">The run</a></li>${d.workbooks
    .map((w, i) => `<li><a href="#${escapeHtml(ids[i])}">${escapeHtml(w.title)}</a></li>`)
    .join('')}</ol></nav>`;
  const body = `<header><h1>ot-soc: what reached Sentinel</h1>
<p class="muted">Input ${escapeHtml(s.input)} · generated ${escapeHtml(d.generatedAt.toISOString())} · pipeline ${escapeHtml(s.elapsedMs)} ms · the workbooks below ran on the local KQL engine over this run's OTAlerts_CL rows</p></header>
${toc}
<main>
<section id="story" aria-labelledby="story-h"><h2 id="story-h">The run</h2>
${compressionHtml(s, d.rows, d.alertTimes)}
${incidentsHtml(d.twin, d.playbooks, d.rows, s.groups)}
${deadLettersHtml(d.letters)}
</section>
${d.workbooks.map((w, i) => workbookHtml(w, ids[i]!, d.nullColumns)).join('\n')}
</main>`;
  return page('ot-soc report', body);
}

export interface WriteReportOptions {
  out: string;
  input: string;
  /** The run's ot-soc config: its CSV inventory is the OTAssetInventory watchlist. */
  config?: string;
  summary: RunSummary;
  playbooks?: OfflineSummary;
  /** SecurityAlert / SecurityIncident as the local Sentinel twin computed them (twinTables.ts). */
  sentinel?: SentinelTables;
  run: RunQuery;
  now?: Date;
}

/** The run's sensor placements (their syslog time zones), from its config file: validated, the inventory not read. */
async function sensorsOf(configFile: string | undefined): Promise<SensorPlacements> {
  if (!configFile) return {};
  return parseConfig(parseJsonText(await readFile(configFile, 'utf8')), configFile).enrichment.sensors;
}

/** Reads what the run wrote under `out`, renders the report to `out/report.html` and returns its path. */
export async function writeReport(o: WriteReportOptions): Promise<string> {
  const now = o.now ?? new Date();
  const rows = readNdjson(join(o.out, 'OTAlerts_CL.ndjson'));
  const data: ReportData = {
    summary: o.summary,
    generatedAt: now,
    rows,
    letters: readNdjson(join(o.out, 'deadletter.ndjson')),
    alertTimes: alertTimes(await readFile(o.input, 'utf8'), basename(o.input), await sensorsOf(o.config)),
    twin: readTwin(o.out),
    ...(o.playbooks ? { playbooks: o.playbooks } : {}),
    workbooks: renderWorkbooks(rows, now, o.run, await watchlistsOf(o.config), o.sentinel?.tables),
    nullColumns: o.sentinel?.nullColumns ?? {},
  };
  const file = join(o.out, 'report.html');
  await mkdir(o.out, { recursive: true });
  await writeFile(file, renderReport(data));
  return file;
}
