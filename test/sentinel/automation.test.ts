/**
 * Automation rules from ARM: the shipped deployments as infra/deploy.sh makes them, and the engine's documented
 * behaviour (order, Created and Updated triggers, state-change conditions, ModifyProperties, RunPlaybook through
 * the shim) on templates written here.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../analytics/content.js';
import { parsePlaybookConfig } from '../../playbooks/config.js';
import { PLAYBOOK_NAMES } from '../../playbooks/types.js';
import { type Deployment, loadAutomation, shippedDeployments } from '../../sentinel/automation/deployment.js';
import { ruleArmId } from '../../sentinel/incidents.js';
import { runTwin, TWIN_WORKSPACE } from '../../sentinel/twin.js';
import { tempDirSync } from '../helpers/tempDirs.js';
import { min, row, rule, T0, workspace } from './helpers.js';

const CTX = { ...TWIN_WORKSPACE, workspaceName: TWIN_WORKSPACE.workspace };

describe('the shipped automation', () => {
  const automation = loadAutomation(shippedDeployments(CTX, packageRoot()), CTX);

  it('deploys a shim per playbook whose automation rules all run a shipped shim with the incident trigger', () => {
    expect(new Set(automation.apps.map((a) => a.playbook))).toEqual(new Set(PLAYBOOK_NAMES));
    for (const app of automation.apps) expect(app.incidentTrigger).toBe(true);
    const apps = new Set(automation.apps.map((a) => a.resourceId.toLowerCase()));
    expect(automation.rules.length).toBeGreaterThanOrEqual(PLAYBOOK_NAMES.length);
    for (const r of automation.rules)
      for (const a of r.properties.actions.filter((x) => x.actionType === 'RunPlaybook'))
        expect(apps.has(String(a.actionConfiguration?.logicAppResourceId).toLowerCase())).toBe(true);
  });
});

/** A template with automation rules and one shim, written to a temp dir. */
function deployment(rules: Record<string, unknown>[]): Deployment {
  const dir = tempDirSync('twin-arm-');
  const file = join(dir, 'automation.json');
  const shim = (pb: string) => ({
    type: 'Microsoft.Logic/workflows',
    name: `shim-${pb}`,
    properties: {
      definition: {
        triggers: {
          Microsoft_Sentinel_incident: {
            type: 'ApiConnectionWebhook',
            inputs: { path: '/incident-creation' },
          },
        },
        actions: {
          Forward: {
            type: 'Http',
            inputs: {
              method: 'POST',
              uri: `https://fn/api/playbooks/${pb}`,
              body: '@triggerBody()',
              retryPolicy: { type: 'exponential', count: 2 },
            },
          },
        },
      },
    },
  });
  writeFileSync(
    file,
    JSON.stringify({
      parameters: { workspaceName: { type: 'string' } },
      resources: [
        shim('reassign-ot'),
        shim('notify-teams'),
        ...rules.map((r, i) => ({
          type: 'Microsoft.SecurityInsights/automationRules',
          name: `rule-${i}`,
          properties: r,
        })),
      ],
    }),
  );
  return { template: file, label: 'automation.json', parameters: {} };
}

const runPlaybook = (pb: string) => ({
  order: 1,
  actionType: 'RunPlaybook',
  actionConfiguration: {
    logicAppResourceId: `[resourceId('Microsoft.Logic/workflows', 'shim-${pb}')]`,
    tenantId: 't',
  },
});

const PLAYBOOKS = parsePlaybookConfig({
  sites: {
    Rotterdam: { otTeam: { groupId: '6b1c3e4a-9d5f-4a71-8c8d-3e4f5a6b7c8d', groupName: 'OT-Rotterdam' } },
  },
});

describe('automation rules on the twin incidents', () => {
  const r = rule({
    customDetails: {
      AlertId: 'AlertId',
      AlertTitle: 'AlertTitle',
      Site: 'Site',
      Zone: 'Zone',
      Tactics: 'Tactics',
    },
  });
  const ruleCondition = {
    conditionType: 'Property',
    conditionProperties: {
      propertyName: 'IncidentRelatedAnalyticRuleIds',
      operator: 'Contains',
      propertyValues: [ruleArmId(TWIN_WORKSPACE, r.id)],
    },
  };
  const ws = () => workspace({ row: row({ TimeGenerated: new Date(T0 + min(2)).toISOString() }) });

  it('runs matching rules in order; a ModifyProperties is visible to later rules; playbooks get the shim body', async () => {
    const automation = loadAutomation(
      [
        deployment([
          {
            displayName: 'teams',
            order: 20,
            triggeringLogic: {
              isEnabled: true,
              triggersOn: 'Incidents',
              triggersWhen: 'Created',
              conditions: [
                ruleCondition,
                {
                  conditionType: 'Property',
                  conditionProperties: {
                    propertyName: 'IncidentLabel',
                    operator: 'Equals',
                    propertyValues: ['OT'],
                  },
                },
              ],
            },
            actions: [runPlaybook('notify-teams')],
          },
          {
            displayName: 'label',
            order: 10,
            triggeringLogic: {
              isEnabled: true,
              triggersOn: 'Incidents',
              triggersWhen: 'Created',
              conditions: [ruleCondition],
            },
            actions: [
              {
                order: 1,
                actionType: 'ModifyProperties',
                actionConfiguration: { labels: [{ labelName: 'OT' }] },
              },
            ],
          },
          {
            displayName: 'never',
            order: 5,
            triggeringLogic: {
              isEnabled: true,
              triggersOn: 'Incidents',
              triggersWhen: 'Created',
              conditions: [
                {
                  conditionType: 'Property',
                  conditionProperties: {
                    propertyName: 'IncidentTitle',
                    operator: 'StartsWith',
                    propertyValues: ['OT-SOC'],
                  },
                },
              ],
            },
            actions: [runPlaybook('reassign-ot')],
          },
        ]),
      ],
      CTX,
    );
    const out = await runTwin({
      rules: [r],
      workspace: ws(),
      automation,
      playbookConfig: PLAYBOOKS,
      start: T0,
      end: T0 + min(10),
    });
    expect(out.automationRuns.map((x) => [x.rule, x.event])).toEqual([
      ['label', 'Created'],
      ['teams', 'Created'],
    ]);
    expect(out.playbookRuns.map((p) => [p.playbook, p.trigger, p.status])).toEqual([
      ['notify-teams', 'Create', 200],
    ]);
    expect(out.playbookRuns[0]!.requests.some((q) => q.service === 'teams')).toBe(true);
  });

  it('"incident updated" rules run on playbook updates, with state-change conditions', async () => {
    const automation = loadAutomation(
      [
        deployment([
          {
            displayName: 'reassign',
            order: 10,
            triggeringLogic: {
              isEnabled: true,
              triggersOn: 'Incidents',
              triggersWhen: 'Created',
              conditions: [ruleCondition],
            },
            actions: [runPlaybook('reassign-ot')],
          },
          {
            displayName: 'on owner change',
            order: 20,
            triggeringLogic: {
              isEnabled: true,
              triggersOn: 'Incidents',
              triggersWhen: 'Updated',
              conditions: [
                ruleCondition,
                {
                  conditionType: 'PropertyChanged',
                  conditionProperties: {
                    propertyName: 'IncidentOwner',
                    changeType: 'ChangedTo',
                    operator: 'Equals',
                    propertyValues: [],
                  },
                },
              ],
            },
            actions: [runPlaybook('notify-teams')],
          },
        ]),
      ],
      CTX,
    );
    const out = await runTwin({
      rules: [r],
      workspace: ws(),
      automation,
      playbookConfig: PLAYBOOKS,
      start: T0,
      end: T0 + min(10),
    });
    expect(out.playbookRuns.map((p) => [p.playbook, p.trigger])).toEqual([
      ['reassign-ot', 'Create'],
      ['notify-teams', 'Update'],
    ]);
    expect(out.incidents[0]!.owner.objectId).toBe('6b1c3e4a-9d5f-4a71-8c8d-3e4f5a6b7c8d');
  });

  it('refuses an alert-triggered automation rule instead of never running it', async () => {
    const automation = loadAutomation(
      [
        deployment([
          {
            displayName: 'on alerts',
            order: 1,
            triggeringLogic: {
              isEnabled: true,
              triggersOn: 'Alerts',
              triggersWhen: 'Created',
              conditions: [],
            },
            actions: [runPlaybook('notify-teams')],
          },
        ]),
      ],
      CTX,
    );
    await expect(
      runTwin({ rules: [r], workspace: ws(), automation, start: T0, end: T0 + min(10) }),
    ).rejects.toThrow(/triggers on Alerts; the twin models incident triggers only/);
  });
});
