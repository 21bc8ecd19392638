import { customDetails } from './facts.js';
import { firstString } from './factValues.js';
import type { TriggerAlert } from './payload.js';

/** Sentinel's incident titles are short lines in the queue: past this the steps are cut, with how many more. */
const MAX_TITLE = 250;

interface ChainAlert {
  name: string;
  step: string;
  start: string;
  work?: string;
}

/** The chain rule's `Work` of announced work (docs/content.md "Maintenance is never a step of an attack"). */
const MAINTENANCE = 'Expected maintenance';

/** An alert of the attack-chain rule: its `Step` and `Work` custom details (docs/content.md), its name and start. */
function chainAlert(alert: TriggerAlert): ChainAlert | undefined {
  const p = alert.properties;
  const details = customDetails(alert);
  const step = firstString(details.Step);
  if (!step || !p.alertDisplayName) return undefined;
  return { name: p.alertDisplayName, step, start: p.startTimeUtc ?? '', work: firstString(details.Work) };
}

/**
 * The part of an alert name before its first ": ": the chain rule's "OT attack on <controller> in <place>", the
 * malware rule's "OT malware in <place>".
 */
const prefixOf = (name: string): string | undefined => {
  const at = name.indexOf(': ');
  return at > 0 ? name.slice(0, at) : undefined;
};

export interface AttackChain {
  prefix: string;
  steps: string[];
  alerts: number;
  /** Every alert is announced work (`Work` "Expected maintenance"): its steps are the work's, not an attack's. */
  maintenance: boolean;
}

/**
 * The attack chain among an incident's alerts: the steps (`Step` custom detail of the chain rule, or of the malware
 * rule: each finding of a zone's outbreak, docs/content.md "One incident per outbreak") in the order they
 * began, each once, the alerts' shared name prefix and how many alerts carry a step. Undefined when none does, or
 * when they do not share one prefix (not one controller's chain).
 */
export function attackChain(alerts: readonly TriggerAlert[]): AttackChain | undefined {
  const chain = alerts.flatMap((a) => chainAlert(a) ?? []);
  const prefix = chain.length ? prefixOf(chain[0]!.name) : undefined;
  if (!prefix || chain.some((a) => prefixOf(a.name) !== prefix)) return undefined;
  const steps = [...new Set(chain.sort((a, b) => a.start.localeCompare(b.start)).map((a) => a.step))];
  const maintenance = chain.every((a) => a.work === MAINTENANCE);
  return { prefix, steps, alerts: chain.length, maintenance };
}

/**
 * The title of an attack-chain incident from the steps its alerts saw, in the order they began:
 * "OT attack on RTM-PKG-PLC-01 in Rotterdam/Packaging: reconnaissance → change → stop or restart (4 alerts)".
 * Sentinel names a grouped incident after its first alert and keeps that name as alerts join, so the queue
 * showed "…: Port Scan Detected" for an incident that went on to program and stop the controller.
 *
 * Undefined (leave the title) unless two or more of the incident's alerts carry a `Step` custom detail and share
 * one name prefix, and the title is still one Sentinel or this function gave it (an alert's name, or this
 * prefix's story): a title an analyst wrote is theirs.
 */
export function storyTitle(
  title: string,
  alerts: readonly TriggerAlert[],
  chain: AttackChain | undefined = attackChain(alerts),
): string | undefined {
  if (!chain || chain.alerts < 2) return undefined;
  const { prefix, steps } = chain;
  const given =
    alerts.some((a) => a.properties.alertDisplayName === title) ||
    (title.startsWith(`${prefix}: `) && / \(\d+ alerts\)$/.test(title));
  if (!given) return undefined;
  const tail = ` (${chain.alerts} alerts)`;
  let shown = steps.length;
  const build = (n: number) =>
    `${prefix}: ${steps.slice(0, n).join(' → ')}${n < steps.length ? ` → +${steps.length - n} more` : ''}${tail}`;
  while (shown > 1 && build(shown).length > MAX_TITLE) shown--;
  const story = build(shown);
  return story === title ? undefined : story;
}

/**
 * The title an incident has once reassign-ot has named its attack chain: playbooks that the same trigger starts
 * later (create-ticket, notify-teams) may read the incident before reassign-ot's update lands (Sentinel starts each
 * Logic App without waiting for the one before), and a rename starts no automation rule of its own.
 */
export const titleAfterStory = (
  title: string,
  alerts: readonly TriggerAlert[],
  chain: AttackChain | undefined = attackChain(alerts),
): string => storyTitle(title, alerts, chain) ?? title;
