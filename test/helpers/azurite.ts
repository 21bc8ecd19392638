import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../cli/azurite.js';
import { azuriteUrl } from './azuriteUrl.js';

let n = 0;

/** A fresh table on the Azurite the test run started (test/globalSetup.ts). */
export function azuriteTable(prefix = 'groups'): TableClient {
  const name = `${prefix}${process.pid}x${Date.now().toString(36)}x${n++}`.replace(/[^A-Za-z0-9]/g, '');
  return new TableClient(
    azuriteUrl('azuriteTableUrl'),
    name,
    new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    {
      allowInsecureConnection: true,
    },
  );
}
