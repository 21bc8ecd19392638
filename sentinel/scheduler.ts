/**
 * The rule scheduler on a simulated clock (docs/local-sentinel.md, "Scheduling"):
 * - a Scheduled rule first runs when the twin starts, then every queryFrequency. A run scheduled at `s` executes
 *   at `s + 5 min` (Sentinel's documented delay) over TimeGenerated in (s - queryPeriod, s], seeing only rows the
 *   workspace had accepted by then; `now()` in the query is `s`, the end of its window;
 * - an NRT rule runs every minute, two minutes late, over the rows ingested in the minute before that;
 * - after a run that raised an alert, a rule with suppression does not run for suppressionDuration.
 * Runs execute in time order across rules; each run's alerts become incidents before the next run.
 */
import { alertsOfRun, type TwinAlert } from './alerts.js';
import { defaultRunner, type KqlTable, type QueryRunner } from './engine.js';
import type { IncidentEvent, IncidentStore } from './incidents.js';
import { MINUTE, type TwinRule } from './rules.js';
import type { TwinWorkspace } from './workspace.js';

/** "Microsoft Sentinel runs scheduled analytics rules on a five-minute delay from their scheduled time." */
export const SCHEDULED_DELAY_MS = 5 * MINUTE;
/** "NRT rules run on just a two-minute delay", over events ingested in the preceding minute. */
export const NRT_DELAY_MS = 2 * MINUTE;

export interface RuleRun {
  ruleId: string;
  ruleName: string;
  kind: 'Scheduled' | 'NRT';
  /** The scheduled time (Scheduled) or the end of the ingestion minute (NRT): the query's now(). */
  scheduledAt: string;
  executedAt: string;
  results: number;
  alerts: number;
  suppressed?: boolean;
}

export class RuleRunError extends Error {
  override name = 'RuleRunError';
  constructor(
    readonly rule: TwinRule,
    readonly reason: unknown,
  ) {
    super(`${rule.file}: rule "${rule.name}" failed to run: ${(reason as Error)?.message ?? String(reason)}`);
  }
}

export interface ScheduleOptions {
  /** When the rules are enabled (first runs). Default: the first row's acceptance, to the minute. */
  start?: number;
  /** No run executes after this. Default: the last acceptance + the longest frequency + the delay. */
  end?: number;
  runner?: QueryRunner;
  /** `_GetWatchlist(alias)` tables. */
  watchlists?: Record<string, KqlTable>;
  /** Timers (the defender-status Function) run every `everyMs` from the start, in time order with the rules. */
  timers?: readonly ScheduledTimer[];
}

export interface ScheduledTimer {
  everyMs: number;
  run(at: number): Promise<void>;
}

interface PlannedRun {
  rule: TwinRule;
  order: number;
  scheduledAt: number;
  executedAt: number;
}

const floorMinute = (t: number) => Math.floor(t / MINUTE) * MINUTE;

/** The runs of `rules` between start and end, in execution order (ties: the rules' order). */
export function planRuns(rules: readonly TwinRule[], start: number, end: number): PlannedRun[] {
  const runs: PlannedRun[] = [];
  rules.forEach((rule, order) => {
    if (!rule.enabled) return;
    const delay = rule.kind === 'NRT' ? NRT_DELAY_MS : SCHEDULED_DELAY_MS;
    for (let s = start; s + delay <= end; s += rule.frequencyMs)
      runs.push({ rule, order, scheduledAt: s, executedAt: s + delay });
  });
  return runs.sort((a, b) => a.executedAt - b.executedAt || a.order - b.order);
}

export interface ScheduleResult {
  runs: RuleRun[];
  alerts: TwinAlert[];
  start: number;
  end: number;
}

/**
 * Runs every rule over the workspace on the simulated clock; `onEvents` gets each run's incident events (the
 * automation rules) before the next run starts.
 */
export async function runSchedule(
  rules: readonly TwinRule[],
  workspace: TwinWorkspace,
  store: IncidentStore,
  onEvents: (events: IncidentEvent[], at: number) => Promise<void>,
  o: ScheduleOptions = {},
): Promise<ScheduleResult> {
  const span = workspace.ingestionSpan();
  const start = o.start ?? floorMinute(span?.first ?? Date.now());
  const longest = Math.max(MINUTE, ...rules.map((r) => r.frequencyMs));
  const end = o.end ?? (span?.last ?? start) + longest + SCHEDULED_DELAY_MS;
  const runner = o.runner ?? defaultRunner;
  const runs: RuleRun[] = [];
  const alerts: TwinAlert[] = [];
  const suppressedUntil = new Map<string, number>();
  const ticks = (o.timers ?? [])
    .flatMap((t) => {
      const at: { at: number; timer: ScheduledTimer }[] = [];
      for (let x = start + t.everyMs; x <= end; x += t.everyMs) at.push({ at: x, timer: t });
      return at;
    })
    .sort((a, b) => a.at - b.at);
  const runTicksUntil = async (t: number) => {
    while (ticks.length && ticks[0]!.at <= t) {
      const tick = ticks.shift()!;
      await tick.timer.run(tick.at);
    }
  };
  for (const p of planRuns(rules, start, end)) {
    const { rule, scheduledAt: s, executedAt: e } = p;
    await runTicksUntil(e - 1);
    const base = {
      ruleId: rule.id,
      ruleName: rule.name,
      kind: rule.kind,
      scheduledAt: new Date(s).toISOString(),
      executedAt: new Date(e).toISOString(),
    };
    if ((suppressedUntil.get(rule.id) ?? Number.NEGATIVE_INFINITY) > e) {
      runs.push({ ...base, results: 0, alerts: 0, suppressed: true });
      continue;
    }
    // Scheduled: the TimeGenerated window ending at the scheduled time; NRT: the minute of ingestion before it.
    const window = rule.kind === 'NRT' ? { start: s - MINUTE, end: s } : { start: s - rule.periodMs, end: s };
    const table = workspace.view(e, (r) =>
      rule.kind === 'NRT'
        ? r.ingestedAt > window.start && r.ingestedAt <= window.end
        : r.timeGenerated > window.start && r.timeGenerated <= window.end,
    );
    let rows: ReturnType<QueryRunner>['rows'];
    try {
      rows = runner(rule.query, {
        tables: { [workspace.table]: table },
        now: new Date(s),
        ingestionTimeOf: workspace.ingestionTimeOf,
        ...(o.watchlists ? { watchlists: o.watchlists } : {}),
      }).rows;
    } catch (err) {
      throw new RuleRunError(rule, err);
    }
    const raised = alertsOfRun(rule, rows, { executedAt: e, ...window });
    runs.push({ ...base, results: rows.length, alerts: raised.length });
    if (!raised.length) continue;
    alerts.push(...raised);
    if (rule.suppressionMs) suppressedUntil.set(rule.id, e + rule.suppressionMs);
    await onEvents(store.addAlerts(rule, raised, e), e);
  }
  await runTicksUntil(end);
  return { runs, alerts, start, end };
}
