import type { TableClient } from '@azure/data-tables';
import { azuriteTableClient } from '../../cli/state/azuriteTable.js';
import { azuriteUrl } from './azuriteUrl.js';

let n = 0;

/** A fresh table on the Azurite the test run started (test/globalSetup.ts). */
export function azuriteTable(prefix = 'groups'): TableClient {
  const name = `${prefix}${process.pid}x${Date.now().toString(36)}x${n++}`.replace(/[^A-Za-z0-9]/g, '');
  return azuriteTableClient(azuriteUrl('azuriteTableUrl'), name);
}
