import type { TestProject } from 'vitest/node';
import { type AzuriteHandle, startAzurite } from '../cli/azurite.js';

declare module 'vitest' {
  export interface ProvidedContext {
    azuriteTableUrl: string;
    azuriteBlobUrl: string;
  }
}

let azurite: AzuriteHandle | undefined;

/**
 * Starts Azurite (in memory, loopback only) once for the whole test run and stops it afterwards: the
 * durable stores are tested against real ETag/412 semantics with nothing to install.
 */
export async function setup(project: TestProject): Promise<void> {
  azurite = await startAzurite({ blob: true });
  project.provide('azuriteTableUrl', azurite.tableUrl);
  project.provide('azuriteBlobUrl', azurite.blobUrl!);
}

export async function teardown(): Promise<void> {
  await azurite?.stop();
}
