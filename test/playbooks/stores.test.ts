import { describe, expect, it } from 'vitest';
import {
  type IncidentStore,
  MemoryIncidentStore,
  TableIncidentStore,
} from '../../playbooks/state/jsonStore.js';
import { memoryNotifyState, tableNotifyState } from '../../playbooks/state/playbookState.js';
import { memoryTicketMap, type TicketRecord, tableTicketMap } from '../../playbooks/state/ticketMap.js';
import { azuriteTable } from '../helpers/azurite.js';

const ARM_ID =
  '/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws/providers/Microsoft.SecurityInsights/Incidents/1a2b';

const record = (state: TicketRecord['state'], key?: string): TicketRecord => ({
  incidentArmId: ARM_ID,
  state,
  since: '2026-11-18T09:00:00.000Z',
  ...(key ? { key } : {}),
});

/** The contract every IncidentStore passes: conditional insert, replace and delete by ETag. */
function contract(name: string, make: () => IncidentStore<TicketRecord>) {
  describe(name, () => {
    it('inserts once, replaces and deletes only with the current ETag', async () => {
      const store = make();
      expect(await store.get(ARM_ID)).toBeUndefined();
      const first = await store.put(ARM_ID, record('pending'), undefined);
      expect(first.ok).toBe(true);
      expect(await store.put(ARM_ID, record('pending'), undefined)).toEqual({
        ok: false,
        reason: 'conflict',
      });
      const read = await store.get(ARM_ID);
      expect(read?.value).toEqual(record('pending'));
      // Ids differing only in case are the same incident (ARM ids are case-insensitive).
      expect((await store.get(ARM_ID.toUpperCase()))?.value.state).toBe('pending');
      const second = await store.put(ARM_ID, record('created', 'INC1'), read!.etag);
      expect(second.ok).toBe(true);
      expect(await store.put(ARM_ID, record('created', 'INC2'), read!.etag)).toEqual({
        ok: false,
        reason: 'conflict',
      });
      expect(await store.delete(ARM_ID, read!.etag)).toBe(false);
      expect((await store.get(ARM_ID))?.value.key).toBe('INC1');
      expect(await store.delete(ARM_ID, (second as { etag: string }).etag)).toBe(true);
      expect(await store.get(ARM_ID)).toBeUndefined();
    });

    it('one of two racing inserts wins', async () => {
      const store = make();
      const results = await Promise.all([
        store.put(ARM_ID, record('pending', 'a'), undefined),
        store.put(ARM_ID, record('pending', 'b'), undefined),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
    });
  });
}

contract('TicketMap in memory', () => memoryTicketMap());
contract('TicketMap on Table Storage (Azurite)', () => tableTicketMap(azuriteTable('ticketmap')));
contract('generic store in memory', () => new MemoryIncidentStore<TicketRecord>());
contract(
  'generic store on Table Storage (Azurite)',
  () => new TableIncidentStore<TicketRecord>(azuriteTable('pbstate'), 'x'),
);

describe('PlaybookState (notify-teams throttle)', () => {
  for (const [name, make] of [
    ['memory', () => memoryNotifyState()],
    ['Table Storage', () => tableNotifyState(azuriteTable('PlaybookState'))],
  ] as const) {
    it(`round-trips on ${name}`, async () => {
      const store = make();
      const state = {
        cards: 2,
        severity: 'High' as const,
        countLevel: 100,
        lastCount: 140,
        lastSentAt: '2026-11-18T09:00:00.000Z',
      };
      const put = await store.put(ARM_ID, state, undefined);
      expect(put.ok).toBe(true);
      expect((await store.get(ARM_ID))?.value).toEqual(state);
    });
  }
});
