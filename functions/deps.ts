import { join } from 'node:path';
import { keySpecOf } from '../pipeline/config/config.js';
import { FileDeadLetterStore, MemoryDeadLetterStore } from '../pipeline/deadletter/deadLetterStore.js';
import { MemoryGroupStore } from '../pipeline/dedup/memoryGroupStore.js';
import { createEnricher } from '../pipeline/enrich/enricher.js';
import type { PipelineDeps } from '../pipeline/pipeline.js';
import { createLocalWorkspace } from '../pipeline/sink/localWorkspace.js';
import { localCredential } from '../pipeline/sink/localCredential.js';
import { createLogsIngestionSink, defaultCredential } from '../pipeline/sink/logsIngestionSink.js';
import { readSettings } from './settings.js';

/** Builds the pipeline's dependencies from app settings (validated once per instance). */
export async function depsFromEnv(env: NodeJS.ProcessEnv): Promise<PipelineDeps> {
  const s = readSettings(env);
  const spec = keySpecOf(s.config);
  const enrich = createEnricher(s.config.enrichment);
  const local = s.OTSOC_LOCAL_WORKSPACE_DIR ? createLocalWorkspace({ dir: s.OTSOC_LOCAL_WORKSPACE_DIR }) : undefined;
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
        credential: await defaultCredential(),
        deadlineMs: s.OTSOC_SINK_DEADLINE_MS,
      });
  const deadLetters = s.OTSOC_DEADLETTER_DIR
    ? new FileDeadLetterStore(join(s.OTSOC_DEADLETTER_DIR, 'deadletter.ndjson'))
    : new MemoryDeadLetterStore();
  return { enrich, spec, sink, store: new MemoryGroupStore(), deadLetters };
}

/** One set of deps per instance, built on first use; a failure is retried on the next invocation. */
export function lazyDeps(build: () => Promise<PipelineDeps>): () => Promise<PipelineDeps> {
  let pending: Promise<PipelineDeps> | undefined;
  return () => {
    pending ??= build().catch((e: unknown) => {
      pending = undefined;
      throw e;
    });
    return pending;
  };
}
