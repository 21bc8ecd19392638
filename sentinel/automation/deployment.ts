/**
 * The automation rules and Logic App shims as `infra/deploy.sh --playbooks all` deploys them: every infra template
 * that holds `Microsoft.SecurityInsights/automationRules`, evaluated as ARM would (scripts/armEval.ts); the playbook
 * shim once per playbook (its `playbook` parameter, as the script passes it). Read from the shipped files each
 * time, so a change to the ARM is what the twin runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../analytics/content.js';
import type { AutomationRule } from '../../playbooks/automation/automationRules.js';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../playbooks/types.js';
import { TemplateEvaluator } from '../../scripts/armEval.js';

/** A Logic App an automation rule can run, reduced to what the twin needs to act as it. */
export interface ShimApp {
  resourceId: string;
  /** The ot-soc playbook function it forwards to. */
  playbook: PlaybookName;
  /** It starts with the Microsoft Sentinel incident trigger (automation rules can run no other kind). */
  incidentTrigger: boolean;
  /** Retries of the forwarding HTTP action's policy (Logic Apps retries 408, 429 and 5xx). */
  retries: number;
  source: string;
}

export interface TwinAutomationRule extends AutomationRule {
  /** Template (and playbook) it came from, for messages. */
  source: string;
}

export interface ShippedAutomation {
  rules: TwinAutomationRule[];
  apps: ShimApp[];
}

export interface Deployment {
  template: string;
  label: string;
  parameters: Record<string, unknown>;
}

export interface TwinArmContext {
  subscriptionId: string;
  resourceGroup: string;
  tenantId: string;
  location: string;
  workspaceName: string;
}

/** The deployments deploy.sh makes of the templates that carry automation rules. */
export function shippedDeployments(ctx: TwinArmContext, root = packageRoot()): Deployment[] {
  const infra = join(root, 'infra');
  const common = {
    workspaceName: ctx.workspaceName,
    workspace: ctx.workspaceName,
    functionAppName: 'ot-soc-func',
    keyVaultName: 'ot-soc-kv',
  };
  const out: Deployment[] = [];
  for (const f of readdirSync(infra)
    .filter((x) => x.endsWith('.json'))
    .sort()) {
    const file = join(infra, f);
    if (!readFileSync(file, 'utf8').includes('Microsoft.SecurityInsights/automationRules')) continue;
    if (f === 'playbook-shim.json')
      for (const pb of PLAYBOOK_NAMES)
        out.push({ template: file, label: `${f} (${pb})`, parameters: { ...common, playbook: pb } });
    else out.push({ template: file, label: f, parameters: { ...common } });
  }
  return out;
}

type Obj = Record<string, unknown>;

function playbookRoute(v: unknown): PlaybookName | undefined {
  if (typeof v === 'string') {
    const m = /\/api\/playbooks\/([a-z-]+)/.exec(v);
    return m && (PLAYBOOK_NAMES as readonly string[]).includes(m[1]!) ? (m[1] as PlaybookName) : undefined;
  }
  if (Array.isArray(v)) return v.map(playbookRoute).find(Boolean);
  if (v && typeof v === 'object') return Object.values(v).map(playbookRoute).find(Boolean);
  return undefined;
}

function retriesOf(v: unknown): number {
  if (Array.isArray(v)) return Math.max(0, ...v.map(retriesOf));
  if (!v || typeof v !== 'object') return 0;
  const rp = (v as Obj).retryPolicy as Obj | undefined;
  const own = rp && typeof rp.count === 'number' ? rp.count : 0;
  return Math.max(own, ...Object.values(v).map(retriesOf));
}

/** Only the parameters a template declares (deploy.sh's companion_params does the same). */
function declared(template: Obj, params: Record<string, unknown>): Record<string, unknown> {
  const names = Object.keys((template.parameters ?? {}) as Obj);
  return Object.fromEntries(Object.entries(params).filter(([k]) => names.includes(k)));
}

/** Evaluates the deployments: their automation rules and the Logic Apps that forward to a playbook. */
export function loadAutomation(deployments: readonly Deployment[], ctx: TwinArmContext): ShippedAutomation {
  const rules: TwinAutomationRule[] = [];
  const apps: ShimApp[] = [];
  for (const d of deployments) {
    const template = JSON.parse(readFileSync(d.template, 'utf8')) as Obj;
    const arm = new TemplateEvaluator(template, { ...ctx, parameters: declared(template, d.parameters) });
    for (const r of arm.resourcesOfType('Microsoft.SecurityInsights/automationRules'))
      rules.push({ ...(r as unknown as AutomationRule), source: d.label });
    for (const la of arm.resourcesOfType('Microsoft.Logic/workflows')) {
      const definition = ((la.properties ?? {}) as Obj).definition as Obj | undefined;
      const playbook = playbookRoute(definition?.actions);
      if (!playbook) continue;
      apps.push({
        resourceId: `/subscriptions/${ctx.subscriptionId}/resourceGroups/${ctx.resourceGroup}/providers/Microsoft.Logic/workflows/${String(la.name)}`,
        playbook,
        incidentTrigger: /"path":"\/incident-creation"/.test(JSON.stringify(definition?.triggers ?? {})),
        retries: retriesOf(definition?.actions),
        source: d.label,
      });
    }
  }
  return { rules, apps };
}
