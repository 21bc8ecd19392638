/**
 * The automation rules as shipped: infra/playbook-shim.json is evaluated as ARM would deploy it (one
 * deployment per playbook, scripts/armEval.ts) and its rules are matched, as Sentinel does
 * (playbooks/automation/automationRules.ts), against incidents of every analytics rule that
 * infra/sentinel-content.json deploys. Nothing here comes from constants in code: a rule id, a title prefix or
 * an order that does not fit what ships fails.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type AutomationRule,
  type IncidentEvent,
  type IncidentView,
  matchingRules,
  playbooksOf,
} from '../../playbooks/automation/automationRules.js';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../playbooks/types.js';
import { TemplateEvaluator } from '../../scripts/armEval.js';
import { renderShimTemplate } from '../../scripts/playbookShim.js';

const read = (file: string) =>
  JSON.parse(readFileSync(new URL(`../../infra/${file}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
const shim = read('playbook-shim.json');
const content = read('sentinel-content.json');
const ctx = {
  subscriptionId: '00000000-0000-0000-0000-00000000aaaa',
  resourceGroup: 'rg-sentinel',
  tenantId: '11111111-1111-1111-1111-111111111111',
};
const WS = 'ws-ot';
const wsId = `/subscriptions/${ctx.subscriptionId}/resourceGroups/${ctx.resourceGroup}/providers/Microsoft.OperationalInsights/workspaces/${WS}`;

/** What deploying infra/sentinel-content.json creates: the analytics rules' resource ids and names. */
const shippedRules = new TemplateEvaluator(content, { ...ctx, parameters: { workspace: WS } })
  .resourcesOfType('Microsoft.OperationalInsights/workspaces/providers/alertRules')
  .map((r) => {
    const [ws, provider, id] = String(r.name).split('/');
    expect([ws, provider]).toEqual([WS, 'Microsoft.SecurityInsights']);
    return {
      id: `${wsId}/providers/Microsoft.SecurityInsights/alertRules/${id}`,
      name: String((r.properties as { displayName: string }).displayName),
      titleFormat: String(
        (r.properties as { alertDetailsOverride?: { alertDisplayNameFormat?: string } }).alertDetailsOverride
          ?.alertDisplayNameFormat ?? '',
      ),
    };
  });

/** What deploying the shim for one playbook creates (deploy.sh's parameters). */
function deployShim(playbook: PlaybookName, extra: Record<string, unknown> = {}) {
  const ev = new TemplateEvaluator(shim, {
    ...ctx,
    parameters: {
      playbook,
      workspaceName: WS,
      functionAppName: 'ot-soc-func',
      keyVaultName: 'ot-soc-kv',
      sentinelServicePrincipalObjectId: '22222222-2222-2222-2222-222222222222',
      ...extra,
    },
  });
  const rules = ev.resourcesOfType(
    'Microsoft.SecurityInsights/automationRules',
  ) as unknown as AutomationRule[];
  const logicApp = `/subscriptions/${ctx.subscriptionId}/resourceGroups/${ctx.resourceGroup}/providers/Microsoft.Logic/workflows/ot-soc-${playbook}`;
  return { rules, logicApp };
}

const deployed = PLAYBOOK_NAMES.map((pb) => ({ playbook: pb, ...deployShim(pb) }));
const allRules = deployed.flatMap((d) => d.rules);
const playbookOf = new Map(deployed.map((d) => [d.logicApp.toLowerCase(), d.playbook]));
/** The playbooks an event starts, in Sentinel's order. */
const run = (event: IncidentEvent): string[] =>
  matchingRules(allRules, event).flatMap((r) =>
    playbooksOf(r).map((la) => playbookOf.get(la.toLowerCase()) ?? la),
  );

/** An incident one shipped rule raises: its title is the formatted alert name, never a configured prefix. */
const incidentOf = (rule: (typeof shippedRules)[number], over: Partial<IncidentView> = {}): IncidentView => ({
  title: rule.titleFormat.replace(/\{\{(\w+)\}\}/g, 'x') || rule.name,
  severity: 'High',
  status: 'New',
  relatedAnalyticRuleIds: [rule.id],
  ...over,
});

describe('automation rules of infra/playbook-shim.json against the rules of infra/sentinel-content.json', () => {
  it('is the generated file (scripts/playbookShim.ts with the shipped rule ids): regenerate with node dist/scripts/gen-infra.js', () => {
    expect(readFileSync(new URL('../../infra/playbook-shim.json', import.meta.url), 'utf8')).toBe(
      renderShimTemplate(),
    );
  });

  it('ships at least one analytics rule and binds every automation rule to rule ids, never to a title', () => {
    expect(shippedRules.length).toBeGreaterThan(10);
    for (const r of allRules)
      expect(JSON.stringify(r.properties.triggeringLogic.conditions)).not.toContain('IncidentTitle');
  });

  it('every shipped rule: a new incident starts auto-close, reassign-ot, create-ticket, notify-teams in that order', () => {
    for (const rule of shippedRules)
      expect(run({ kind: 'Created', incident: incidentOf(rule) }), rule.name).toEqual([
        'auto-close',
        'reassign-ot',
        'create-ticket',
        'notify-teams',
      ]);
  });

  it('every shipped rule: alerts added re-run the four; a severity change re-runs ticket and card; a status change syncs and re-runs the card', () => {
    for (const rule of shippedRules) {
      const previous = incidentOf(rule, { severity: 'Low' });
      expect(run({ kind: 'Updated', incident: previous, previous, added: { Alerts: 2 } }), rule.name).toEqual(
        ['auto-close', 'reassign-ot', 'create-ticket', 'notify-teams'],
      );
      expect(run({ kind: 'Updated', incident: incidentOf(rule, { severity: 'High' }), previous })).toEqual([
        'create-ticket',
        'notify-teams',
      ]);
      // The card: a channel that had one hears of the close (and of a reopen); sync-status carries the status.
      expect(
        run({ kind: 'Updated', incident: incidentOf(rule, { severity: 'Low', status: 'Closed' }), previous }),
      ).toEqual(['notify-teams', 'sync-status']);
      expect(
        run({ kind: 'Updated', incident: incidentOf(rule, { severity: 'Low', status: 'Active' }), previous }),
      ).toEqual(['notify-teams', 'sync-status']);
      // A comment or a label alone changes nothing the playbooks act on.
      expect(
        run({ kind: 'Updated', incident: previous, previous, added: { Comments: 1, Labels: 1 } }),
      ).toEqual([]);
    }
  });

  it('no automation rule can never match: each one matches an incident of some shipped rule', () => {
    const events: IncidentEvent[] = shippedRules.flatMap((rule) => {
      const prev = incidentOf(rule, { severity: 'Low' });
      return [
        { kind: 'Created', incident: incidentOf(rule) },
        { kind: 'Updated', incident: prev, previous: prev, added: { Alerts: 1 } },
        { kind: 'Updated', incident: incidentOf(rule, { severity: 'High' }), previous: prev },
        {
          kind: 'Updated',
          incident: incidentOf(rule, { severity: 'Low', status: 'Closed' }),
          previous: prev,
        },
      ] satisfies IncidentEvent[];
    });
    const matched = new Set(events.flatMap((e) => matchingRules(allRules, e).map((r) => r.name)));
    for (const r of allRules) expect(matched.has(r.name), r.properties.displayName).toBe(true);
    expect(allRules).toHaveLength(9);
  });

  it('incidents of other rules (another product, another workspace) run nothing, unless named in extraAnalyticRuleIds', () => {
    const other = `${wsId}/providers/Microsoft.SecurityInsights/alertRules/f5217b4c-3f1f-4d89-b4f3-5d7581da1c1c`;
    const foreign = {
      title: 'OT: Excessive Login Attempts in Lyon/Cell',
      severity: 'High',
      status: 'New',
      relatedAnalyticRuleIds: [other],
    };
    expect(run({ kind: 'Created', incident: foreign })).toEqual([]);
    const otherWs = shippedRules[0]!.id.replace(`/workspaces/${WS}/`, '/workspaces/ws-it/');
    expect(run({ kind: 'Created', incident: { ...foreign, relatedAnalyticRuleIds: [otherWs] } })).toEqual([]);
    const { rules } = deployShim('notify-teams', { extraAnalyticRuleIds: [other] });
    expect(matchingRules(rules, { kind: 'Created', incident: foreign })).toHaveLength(1);
  });

  it('keeps the created rule name of earlier versions (a redeploy replaces the old title-prefix rule)', () => {
    const created = deployShim('notify-teams').rules.filter(
      (r) => r.properties.triggeringLogic.triggersWhen === 'Created',
    );
    expect(created).toHaveLength(1);
    const names = new Set(deployed.flatMap((d) => d.rules.map((r) => r.name)));
    expect(names.size).toBe(allRules.length);
    const disabled = deployShim('auto-close', { createAutomationRule: false }).rules;
    expect(disabled).toEqual([]);
  });
});
