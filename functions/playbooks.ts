/**
 * HTTP playbook functions, one per playbook, called by the Logic App shim (infra/playbook-shim.json) with the
 * Sentinel incident-trigger body. Registration and a thin adapter only: the contract lives in
 * playbooks/handler.ts. Only `app` and types come from @azure/functions (its classes fail under native ESM).
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import type { PlaybookRuntime } from '../playbooks/runtime.js';
import { PLAYBOOK_NAMES, type PlaybookName } from '../playbooks/types.js';
import { lazy } from './lazy.js';

// The playbook cores (zod, jose, Table Storage, the incident client) load on first use: see functions/index.ts.
const handlerModule = lazy(() => import('../playbooks/handler.js'));
const runtimeModule = lazy(() => import('../playbooks/runtime.js'));

export function makePlaybookHandler(name: PlaybookName, runtime: () => Promise<PlaybookRuntime>) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const { errorResult, handlePlaybook, MAX_PLAYBOOK_BODY_BYTES, tooLargeResult } = await handlerModule();
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
    // A declared length over the limit is refused before the body is read; handlePlaybook checks the real one.
    const declared = Number(request.headers.get('content-length'));
    const result =
      Number.isFinite(declared) && declared > maxBodyBytes
        ? tooLargeResult(maxBodyBytes)
        : await handlePlaybook(
            name,
            { body: await request.text(), authorization: request.headers.get('authorization') },
            rt.deps,
            rt.validateToken,
            maxBodyBytes,
          );
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

// One runtime per instance, built on first use; a failure (bad settings) is retried on the next request.
const runtime = lazy(async () => (await runtimeModule()).playbookRuntimeFromEnv(process.env));

/** Loads the playbook modules in the background (the entry calls it once registration is done). */
export function preloadPlaybooks(): void {
  handlerModule().catch(() => {});
  runtimeModule().catch(() => {});
}

for (const name of PLAYBOOK_NAMES) {
  app.http(`playbook-${name}`, {
    route: `playbooks/${name}`,
    methods: ['POST'],
    authLevel: 'function',
    handler: makePlaybookHandler(name, runtime),
  });
}
