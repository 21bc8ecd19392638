import { inject } from 'vitest';

/**
 * The URL of the Azurite the integration project started (test/globalSetup.ts). A test file that uses Azurite is
 * put in that project by vitest.config.ts when its text mentions Azurite; one that reaches it only through another
 * helper gets this error instead of a connection refused.
 */
export function azuriteUrl(service: 'azuriteTableUrl' | 'azuriteBlobUrl'): string {
  const url = inject(service);
  if (!url) {
    throw new Error(
      `${service} is not provided: this test file needs the "integration" vitest project (Azurite). ` +
        'Mention Azurite in the file (e.g. import a test/helpers/azurite*.ts helper) or add it to INTEGRATION in vitest.config.ts.',
    );
  }
  return url;
}
