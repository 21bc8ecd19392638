import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, keySpecOf } from '../pipeline/config/config.js';
import type { DeadLetterStore } from '../pipeline/deadletter/deadLetterStore.js';
import { FileDeadLetterStore } from '../pipeline/deadletter/fileDeadLetterStore.js';
import { MemoryDeadLetterStore } from '../pipeline/deadletter/memoryDeadLetterStore.js';
import { CachingGroupStore } from '../pipeline/dedup/cachingGroupStore.js';
import type { GroupStore } from '../pipeline/dedup/groupState.js';
import type { KeySpec } from '../pipeline/dedup/keySpec.js';
import { MemoryGroupStore } from '../pipeline/dedup/memoryGroupStore.js';
import { TableGroupStore } from '../pipeline/dedup/tableGroupStore.js';
import { createEnricher, loadEnrichment } from '../pipeline/enrich/enricher.js';
import { WallClockSensors } from '../pipeline/enrich/wallClockSensors.js';
import type { PipelineDeps } from '../pipeline/pipeline.js';
import { localCredential } from '../pipeline/sink/localCredential.js';
import { createLocalWorkspace } from '../pipeline/sink/localWorkspace.js';
import { createLogsIngestionSink, defaultCredential } from '../pipeline/sink/logsIngestionSink.js';
import { packageRoot } from '../pipeline/util/packageRoot.js';
import { readSettings, type Settings } from './settings.js';

/** What one Function instance builds once: validated settings and the pipeline's dependencies. */
export interface FunctionRuntime {
  settings: Settings;
  deps: PipelineDeps;
  /** Sensors whose syslog times this instance read as UTC, and the offset their rules look set to. */
  wallClock: WallClockSensors;
}

/** Builds the pipeline's dependencies from app settings (validated once per instance). */
export async function runtimeFromEnv(env: NodeJS.ProcessEnv): Promise<FunctionRuntime> {
  const s = readSettings(env);
  const spec = keySpecOf(s.config);
  // An inventory file named in OTSOC_CONFIG is read once, relative to the app root (deploy.sh --inventory packages
  // it there), found from this module rather than the worker's working directory.
  const wallClock = new WallClockSensors();
  const enrich = wallClock.watch(createEnricher(await loadEnrichment(s.config.enrichment, packageRoot())));
  const local = s.OTSOC_LOCAL_WORKSPACE_DIR
    ? createLocalWorkspace({ dir: s.OTSOC_LOCAL_WORKSPACE_DIR })
    : undefined;
  const sink = local
    ? createLogsIngestionSink({
        endpoint: local.endpoint,
        dcrId: local.dcrId,
        credential: localCredential(),
        httpClient: local.httpClient,
        deadlineMs: s.OTSOC_SINK_DEADLINE_MS,
      })
    : createLogsIngestionSink({
        endpoint: s.OTSOC_LOGS_ENDPOINT!,
        dcrId: s.OTSOC_DCR_ID!,
        stream: s.OTSOC_STREAM,
        credential: defaultCredential(),
        deadlineMs: s.OTSOC_SINK_DEADLINE_MS,
        retryDelayInMs: s.OTSOC_SINK_RETRY_DELAY_MS,
        ...(s.OTSOC_LOGS_CA_FILE ? { tlsCa: await readCa(s.OTSOC_LOGS_CA_FILE) } : {}),
      });
  return {
    settings: s,
    wallClock,
    deps: {
      enrich,
      spec,
      sink,
      store: await groupStoreFrom(s, spec),
      deadLetters: await deadLetterStoreFrom(s),
    },
  };
}

/** Blob Storage when configured (durable, redriven by the timer), a local file, or memory for one process. */
async function deadLetterStoreFrom(s: Settings): Promise<DeadLetterStore> {
  if (s.OTSOC_DEADLETTER_BLOB_URL || s.OTSOC_DEADLETTER_CONNECTION) {
    const { BlobServiceClient } = await import('@azure/storage-blob');
    const service = s.OTSOC_DEADLETTER_BLOB_URL
      ? new BlobServiceClient(s.OTSOC_DEADLETTER_BLOB_URL, defaultCredential())
      : BlobServiceClient.fromConnectionString(s.OTSOC_DEADLETTER_CONNECTION!);
    const { BlobDeadLetterStore } = await import('../pipeline/deadletter/blobDeadLetterStore.js');
    return new BlobDeadLetterStore(service.getContainerClient(s.OTSOC_DEADLETTER_CONTAINER));
  }
  if (s.OTSOC_DEADLETTER_DIR)
    return new FileDeadLetterStore(join(s.OTSOC_DEADLETTER_DIR, 'deadletter.ndjson'));
  return new MemoryDeadLetterStore();
}

async function readCa(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError('app settings', [
      `OTSOC_LOGS_CA_FILE: cannot read ${file}: ${(e as NodeJS.ErrnoException).code}`,
    ]);
  }
}

/**
 * Table Storage when configured (what a fleet of instances needs), else one process's memory. The key spec lets
 * the store migrate state of the previous Table layout once (tableMigration.ts).
 */
async function groupStoreFrom(s: Settings, spec: KeySpec): Promise<GroupStore> {
  if (!s.OTSOC_GROUP_TABLE_URL && !s.OTSOC_GROUP_TABLE_CONNECTION) return new MemoryGroupStore();
  const { TableClient } = await import('@azure/data-tables');
  const table = s.OTSOC_GROUP_TABLE_URL
    ? new TableClient(s.OTSOC_GROUP_TABLE_URL, s.OTSOC_GROUP_TABLE_NAME, defaultCredential(), {
        allowInsecureConnection: s.OTSOC_GROUP_TABLE_URL.startsWith('http:'),
      })
    : TableClient.fromConnectionString(s.OTSOC_GROUP_TABLE_CONNECTION!, s.OTSOC_GROUP_TABLE_NAME, {
        allowInsecureConnection: true,
      });
  // An instance-local cache of heads validated by ETag: a batch reads only what it has not seen (or lost a race on).
  const store = await new TableGroupStore(table).init({ spec });
  return s.OTSOC_GROUP_CACHE_ENTRIES ? new CachingGroupStore(store, s.OTSOC_GROUP_CACHE_ENTRIES) : store;
}
