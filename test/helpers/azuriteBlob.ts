import { BlobServiceClient, type ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../cli/azurite.js';
import { azuriteUrl } from './azuriteUrl.js';

let n = 0;

/** The Blob service of the Azurite the test run started (test/globalSetup.ts), with the dev account. */
export function azuriteBlobService(): BlobServiceClient {
  return new BlobServiceClient(
    azuriteUrl('azuriteBlobUrl'),
    new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
  );
}

/** A fresh (not yet created) container on that Azurite: lowercase letters, digits and single hyphens. */
export function azuriteContainer(prefix = 'deadletters'): ContainerClient {
  const name = `${prefix}-${process.pid}-${Date.now().toString(36)}-${n++}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '')
    .replace(/-+/g, '-')
    .slice(0, 63);
  return azuriteBlobService().getContainerClient(name);
}
