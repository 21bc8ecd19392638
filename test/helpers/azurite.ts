import {
  createHttpHeaders,
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import type { TableClient } from '@azure/data-tables';
import { azuriteTableClient } from '../../cli/state/azuriteTable.js';
import { azuriteUrl } from './azuriteUrl.js';

let n = 0;

/** A fresh table on the Azurite the test run started (test/globalSetup.ts). */
export function azuriteTable(prefix = 'groups'): TableClient {
  const name = `${prefix}${process.pid}x${Date.now().toString(36)}x${n++}`.replace(/[^A-Za-z0-9]/g, '');
  return azuriteTableClient(azuriteUrl('azuriteTableUrl'), name);
}

/**
 * A client whose pipeline keeps each request it is given and answers `answer(request)` (default: 202, no body)
 * without sending it: what a request builder sends, signed by the client's own policies.
 */
export function capturingTable(
  url: string,
  answer: (request: PipelineRequest) => Partial<PipelineResponse> = () => ({ status: 202 }),
): { table: TableClient; sent: PipelineRequest[] } {
  const sent: PipelineRequest[] = [];
  const policy: PipelinePolicy = {
    name: 'capture',
    async sendRequest(request) {
      sent.push(request);
      return { request, status: 202, headers: createHttpHeaders(), bodyAsText: '', ...answer(request) };
    },
  };
  const table = azuriteTableClient(url, 'otsocgroups', {
    additionalPolicies: [{ policy, position: 'perRetry' }],
  });
  return { table, sent };
}
