import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
import { inject } from 'vitest';

/** Azurite's published development account (documented by Microsoft for the emulator; not a secret). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

let n = 0;

/** A fresh table on the Azurite the test run started (test/globalSetup.ts). */
export function azuriteTable(prefix = 'groups'): TableClient {
  const name = `${prefix}${process.pid}x${Date.now().toString(36)}x${n++}`.replace(/[^A-Za-z0-9]/g, '');
  return new TableClient(inject('azuriteTableUrl'), name, new AzureNamedKeyCredential(DEV_ACCOUNT, DEV_KEY), {
    allowInsecureConnection: true,
  });
}
