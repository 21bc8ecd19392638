/**
 * A Teams Workflows webhook ("When a Teams webhook request is received"), docs/contracts.md#teams: POST
 * with the `sig` query parameter, body `{type:'message', attachments:[{contentType:
 * 'application/vnd.microsoft.card.adaptive', content: AdaptiveCard}]}`; Adaptive Cards only (no MessageCard),
 * Action.Submit unsupported, ~28 KB message limit; answers 202 Accepted, 400 on a bad card, 401 without sig,
 * 429 with Retry-After when throttled.
 */
import { type FakeRequest, type FakeService, json, Throttle } from './fakeFetch.js';

export const TEAMS_WEBHOOK_URL =
  'https://prod-42.westeurope.logic.azure.com:443/workflows/0f1e2d3c/triggers/manual/paths/invoke?api-version=2016-06-01&sig=fake-signature';

const TEXT_ELEMENTS = new Set(['TextBlock', 'RichTextBlock']);
const CONTAINERS = new Set(['Container', 'ColumnSet', 'Column']);

function cardProblem(card: unknown): string | undefined {
  const c = card as { type?: unknown; version?: unknown; body?: unknown; actions?: unknown };
  if (c?.type !== 'AdaptiveCard') return 'content.type must be AdaptiveCard';
  if (typeof c.version !== 'string' || !/^1\.[0-6]$/.test(c.version))
    return 'content.version must be 1.0–1.6';
  if (!Array.isArray(c.body) || !c.body.length) return 'content.body must be a non-empty array';
  const element = (e: Record<string, unknown>, at: string): string | undefined => {
    if (TEXT_ELEMENTS.has(String(e.type)))
      return typeof e.text === 'string' && e.text ? undefined : `${at}.text must be a non-empty string`;
    if (e.type === 'FactSet') {
      const facts = e.facts as { title?: unknown; value?: unknown }[] | undefined;
      if (!Array.isArray(facts)) return `${at}.facts must be an array`;
      const bad = facts.findIndex((f) => typeof f.title !== 'string' || typeof f.value !== 'string');
      return bad >= 0 ? `${at}.facts[${bad}] needs string title and value` : undefined;
    }
    if (CONTAINERS.has(String(e.type))) return undefined;
    if (e.type === 'Image') return typeof e.url === 'string' ? undefined : `${at}.url required`;
    return `${at}: unknown element type ${String(e.type)}`;
  };
  for (const [i, e] of (c.body as Record<string, unknown>[]).entries()) {
    const p = element(e, `body[${i}]`);
    if (p) return p;
  }
  if (c.actions !== undefined) {
    if (!Array.isArray(c.actions)) return 'actions must be an array';
    for (const [i, a] of (c.actions as Record<string, unknown>[]).entries()) {
      if (a.type === 'Action.Submit')
        return `actions[${i}]: Action.Submit is not supported by Workflows webhooks`;
      if (a.type !== 'Action.OpenUrl' && a.type !== 'Action.ShowCard' && a.type !== 'Action.ToggleVisibility')
        return `actions[${i}]: unknown action ${String(a.type)}`;
      if (a.type === 'Action.OpenUrl' && (typeof a.url !== 'string' || !/^https:\/\//.test(a.url)))
        return `actions[${i}].url must be https`;
    }
  }
  return undefined;
}

export class FakeTeamsWebhook implements FakeService {
  readonly posts: { body: unknown }[] = [];
  readonly throttle = new Throttle();
  /** The workflow owner turned it off / deleted it. */
  disabled = false;
  /** Every card the workflow accepted (202), delivered or not. */
  readonly accepted: { body: unknown }[] = [];
  /** The next N cards are accepted (202) but the flow's post step fails: they never reach the channel. */
  flowFailsAfterAccept = 0;
  /** The next N cards reach the channel, then the answer is lost: 502 from the gateway (ambiguous). */
  failAfterPost = 0;

  handles(url: URL): boolean {
    return url.hostname.endsWith('.logic.azure.com');
  }

  handle(req: FakeRequest): Response {
    if (req.method !== 'POST') return json(405, { error: { code: 'MethodNotAllowed' } });
    if (!req.url.searchParams.get('sig'))
      return json(401, { error: { code: 'DirectApiAuthorizationRequired', message: 'sig is required' } });
    if (this.disabled)
      return json(404, {
        error: { code: 'WorkflowNotFound', message: 'The workflow was not found or is disabled.' },
      });
    const throttled = this.throttle.take({
      error: { code: 'WorkflowRequestsThrottled', message: 'Rate limit is exceeded.' },
    });
    if (throttled) return throttled;
    if (Buffer.byteLength(req.body) > 28 * 1024)
      return json(413, { error: { code: 'MessageTooLarge', message: 'over 28 KB' } });
    let body: { type?: unknown; attachments?: { contentType?: unknown; content?: unknown }[] };
    try {
      body = req.json();
    } catch {
      return json(400, {
        error: { code: 'InvalidRequestContent', message: 'The request content is not valid JSON.' },
      });
    }
    const problem =
      body.type !== 'message'
        ? 'type must be "message"'
        : !Array.isArray(body.attachments) || !body.attachments.length
          ? 'attachments must be a non-empty array'
          : body.attachments
              .map((a, i) =>
                a.contentType !== 'application/vnd.microsoft.card.adaptive'
                  ? `attachments[${i}].contentType must be application/vnd.microsoft.card.adaptive`
                  : cardProblem(a.content),
              )
              .find(Boolean);
    if (problem) return json(400, { error: { code: 'InvalidTemplate', message: problem } });
    this.accepted.push({ body });
    // Workflows answers 202 when the flow run is queued; a failing post step shows only in its run history.
    if (this.flowFailsAfterAccept > 0) {
      this.flowFailsAfterAccept--;
      return new Response(null, { status: 202 });
    }
    this.posts.push({ body });
    if (this.failAfterPost > 0) {
      this.failAfterPost--;
      return json(502, { error: { code: 'BadGateway', message: 'The gateway did not receive a response' } });
    }
    return new Response(null, { status: 202 });
  }
}
