import { AzureNamedKeyCredential, TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../azurite.js';

/**
 * A TableClient on an Azurite Table service (`tableUrl`, as AzuriteHandle gives it), signed with its development
 * account, over plain HTTP. Kept apart from cli/azurite.ts, which the early start loads before anything heavy.
 */
export function azuriteTableClient(
  tableUrl: string,
  name: string,
  options: TableServiceClientOptions = {},
): TableClient {
  return new TableClient(tableUrl, name, new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY), {
    allowInsecureConnection: true,
    ...options,
  });
}
