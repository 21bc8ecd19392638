/**
 * The seam rule → incident → shim → playbook, over the real HTTP clients and the contract fakes: OTAlerts_CL rows
 * like the pipeline writes them run through the SHIPPED analytics rules in the twin; the trigger body of each
 * incident (what the Logic App shim forwards) goes to every playbook handler wired to the real Sentinel, Teams,
 * ServiceNow/Jira and Defender for IoT clients, each talking to its contract fake. A field the playbooks need that
 * the rules do not surface, or a request that breaks a contract, fails here.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../analytics/content.js';
import { PLAYBOOK_NAMES } from '../../playbooks/types.js';
import { incidentTrigger } from '../../sentinel/automation/payload.js';
import { loadTwinRules } from '../../sentinel/rules.js';
import { runTwin, TWIN_WORKSPACE } from '../../sentinel/twin.js';
import { ASSET_WATCHLIST, watchlistTable } from '../../sentinel/watchlists.js';
import { harness, lyonRow, rotterdamRow } from '../helpers/playbookFixtures.js';
import { at, min, T0, workspace } from './helpers.js';

/** A fixture row as the pipeline posts it: a created group, committed a minute before the rules start. */
const posted = (r: Record<string, unknown>) => ({
  TimeGenerated: at(-min(1)).toISOString(),
  Revision: 1,
  RowReason: 'Created',
  Status: 'New',
  Engine: 'Policy violation',
  ...r,
});

describe('shipped rules → twin incidents → shim body → playbooks over the contract fakes', () => {
  it('every playbook accepts every incident the twin raises, and the fakes accept every request', async () => {
    const root = packageRoot();
    const inventory = join(root, 'samples', 'inventory.csv');
    const out = await runTwin({
      rules: loadTwinRules(root),
      workspace: workspace(
        { row: posted(lyonRow({ Category: 'Programming' })) },
        { row: posted(rotterdamRow({ Category: 'Illegal commands' })) },
      ),
      watchlists: { [ASSET_WATCHLIST]: watchlistTable(readFileSync(inventory, 'utf8'), inventory) },
      start: T0,
      end: T0 + min(5),
    });
    expect(out.incidents.length).toBeGreaterThan(0);
    const h = harness();
    for (const inc of out.incidents) {
      const body = incidentTrigger(TWIN_WORKSPACE, inc, 'Create');
      h.sentinel.seed(body);
      for (const pb of PLAYBOOK_NAMES) {
        const res = await h.run(pb, body);
        expect([inc.number, pb, res.status]).toEqual([inc.number, pb, 200]);
      }
    }
    // The real clients wrote through the fakes: incident updates, cards, tickets.
    expect(h.writes().some((r) => r.url.includes('/incidents/'))).toBe(true);
    expect(h.teams.posts.length).toBeGreaterThan(0);
  });
});
