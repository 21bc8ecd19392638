/**
 * HTTP playbook functions, one per playbook, called by the Logic App shim (infra/playbook-shim.json) with the
 * Sentinel incident-trigger body. Registration and a thin adapter only: the contract lives in
 * playbooks/handler.ts. Only `app` and types come from @azure/functions (its classes fail under native ESM).
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import type { HttpResult } from '../playbooks/handler.js';
import type { PlaybookRuntime } from '../playbooks/runtime.js';
import { PLAYBOOK_NAMES, type PlaybookName } from '../playbooks/types.js';
import { lazy } from './lazy.js';

// The playbook cores (zod, jose, Table Storage, the incident client) load on first use: see functions/index.ts.
const handlerModule = lazy(() => import('../playbooks/handler.js'));
const runtimeModule = lazy(() => import('../playbooks/runtime.js'));

export function makePlaybookHandler(name: PlaybookName, runtime: () => Promise<PlaybookRuntime>) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const { errorResult, handlePlaybook, MAX_PLAYBOOK_BODY_BYTES, tooLargeResult, unauthorized } =
      await handlerModule();
    let rt: PlaybookRuntime;
    try {
      rt = await runtime();
    } catch (e) {
      const result = errorResult(name, e);
      // The answer's message is redacted (a URL's query, a credential): log that, not the raw error.
      context.error(`playbook ${name}: ${(result.jsonBody as { message: string }).message}`);
      return result;
    }
    const maxBodyBytes = rt.maxBodyBytes ?? MAX_PLAYBOOK_BODY_BYTES;
    // Token first, before a byte of the body is read; then the size: a declared length over the limit is
    // refused at once, a chunked body is read only up to the limit.
    const denied = await unauthorized(request.headers.get('authorization'), rt.validateToken);
    let result: HttpResult;
    if (denied) result = denied;
    else {
      const declared = Number(request.headers.get('content-length'));
      const body =
        request.headers.has('content-length') && Number.isFinite(declared) && declared > maxBodyBytes
          ? undefined
          : await readLimited(request, maxBodyBytes);
      result =
        body === undefined
          ? tooLargeResult(maxBodyBytes)
          : await handlePlaybook(name, { body }, rt.deps, undefined, maxBodyBytes);
    }
    // Outcome and error codes only: no alert payloads or secrets in the logs.
    const body = result.jsonBody as {
      result?: string;
      error?: string;
      incidentNumber?: number;
      actions?: string[];
    };
    const line = `playbook ${name} status=${result.status} ${body.result ?? body.error ?? ''} incident=${body.incidentNumber ?? '?'} actions=${body.actions?.length ?? 0} state=${rt.stateKind}`;
    if (result.status >= 500) context.error(line);
    else if (result.status >= 400) context.warn(line);
    else context.log(line);
    return result;
  };
}

/**
 * The body as text, or undefined as soon as it passes `maxBytes` (the rest is never read or buffered: a 5 MB
 * chunked upload costs at most the limit).
 */
export async function readLimited(request: HttpRequest, maxBytes: number): Promise<string | undefined> {
  const stream = request.body as ReadableStream<Uint8Array> | null;
  if (!stream) return '';
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// One runtime per instance, built on first use; a failure (bad settings) is retried on the next request.
// Shared with the defender-status timer (functions/defenderStatus.ts).
export const playbookRuntime = lazy(async () => (await runtimeModule()).playbookRuntimeFromEnv(process.env));
const runtime = playbookRuntime;

/** Loads the playbook modules in the background (the entry calls it once registration is done). */
export function preloadPlaybooks(): void {
  handlerModule().catch(() => {});
  // Configuration problems show at start-up, naming the setting (requests answer 500 with the same text).
  runtimeModule()
    .then((m) => {
      const problems = m.playbookSettingsProblems(process.env);
      if (problems.length)
        console.error(`ot-soc playbooks: invalid configuration:\n  ${problems.join('\n  ')}`);
    })
    .catch(() => {});
}

for (const name of PLAYBOOK_NAMES) {
  app.http(`playbook-${name}`, {
    route: `playbooks/${name}`,
    methods: ['POST'],
    authLevel: 'function',
    handler: makePlaybookHandler(name, runtime),
  });
}
