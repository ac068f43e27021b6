import { WEBHOOK_EVENT_TYPES, type Audience, type WebhookEventType, type WebhookRecord } from './audience.js';
import type { SimContext } from './context.js';
import { ApiProblem, notFound } from './problems.js';
import type { Router } from './router.js';
import type { SimSettings } from './settings.js';
import { FieldChecker, hexId, objectBody, type Json } from './validate.js';

export interface WebhookDelivery {
  url: string;
  type: WebhookEventType;
  attempt: number;
  status: number | 'error';
  at: number;
}

/** `YYYY-MM-DD HH:MM:SS` (UTC), the only timestamp format Mailchimp webhooks use. */
export function firedAt(ms = Date.now()): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** PHP-style bracket keys, as Mailchimp posts them: `data[merges][FNAME]=Ann`. */
export function phpForm(fields: Json): URLSearchParams {
  const form = new URLSearchParams();
  const walk = (prefix: string, v: unknown) => {
    if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v as Json)) walk(prefix ? `${prefix}[${k}]` : k, child);
    } else form.append(prefix, v === undefined || v === null ? '' : String(v));
  };
  walk('', fields);
  return form;
}

const sleep = (ms: number, timers: Set<NodeJS.Timeout>) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      timers.delete(t);
      resolve();
    }, ms);
    timers.add(t);
  });

/** Registers list webhooks (validating the URL with a GET first) and delivers events with retries. */
export class WebhookEmitter {
  readonly deliveries: WebhookDelivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly ctx: SimContext,
    private readonly settings: SimSettings,
  ) {
    ctx.emitApiEvent = (aud, type, data) => {
      void this.fire(aud, type, data, (w) => w.sources.api);
    };
  }

  /** Delivers to every hook of the audience subscribed to `type` (and passing `filter`); settles when all are done. */
  async fire(
    aud: Audience,
    type: WebhookEventType,
    data: Json,
    filter: (w: WebhookRecord) => boolean = () => true,
  ) {
    if (aud.webhooks.size === 0) return;
    const hooks = [...aud.webhooks.values()].filter((w) => w.events[type] && filter(w));
    if (hooks.length === 0) return;
    const payload = phpForm({ type, fired_at: firedAt(), data: { list_id: aud.id, ...data } }).toString();
    await Promise.all(hooks.map((w) => this.deliver(w.url, type, payload)));
  }

  private async deliver(url: string, type: WebhookEventType, payload: string): Promise<void> {
    const delays = this.settings.webhookRetryDelaysMs;
    for (let attempt = 1; attempt <= delays.length + 1 && !this.stopped; attempt++) {
      let status: number | 'error' = 'error';
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'MailChimp.com' },
          body: payload,
          signal: AbortSignal.timeout(this.settings.webhookTimeoutMs),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
      } catch {
        status = 'error';
      }
      this.deliveries.push({ url, type, attempt, status, at: Date.now() });
      if (typeof status === 'number' && status >= 200 && status < 300) return;
      const wait = delays[attempt - 1];
      if (wait === undefined) return;
      await sleep(wait, this.timers);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  async validateUrl(url: string): Promise<void> {
    let status: number | string;
    try {
      const res = await fetch(url, {
        method: 'GET',
        headers: { 'User-Agent': 'MailChimp.com WebHook Validator' },
        signal: AbortSignal.timeout(this.settings.webhookTimeoutMs),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      status = (err as Error).name === 'TimeoutError' ? 'timeout' : 'unreachable';
    }
    if (status !== 200) {
      throw new ApiProblem(
        400,
        'Invalid Resource',
        "The resource submitted could not be validated. For field-specific details, see the 'errors' array.",
        [
          {
            field: 'url',
            message: `We couldn't verify the URL is working. Please double check and try again. HTTP Code: ${status}`,
          },
        ],
      );
    }
  }
}

function flags<K extends string>(
  keys: readonly K[],
  given: unknown,
  defaults: Record<K, boolean>,
): Record<K, boolean> {
  const src = given && typeof given === 'object' ? (given as Json) : {};
  const out = {} as Record<K, boolean>;
  for (const k of keys) out[k] = typeof src[k] === 'boolean' ? (src[k] as boolean) : defaults[k];
  return out;
}

const ALL_EVENTS = Object.fromEntries(WEBHOOK_EVENT_TYPES.map((t) => [t, true])) as Record<
  WebhookEventType,
  boolean
>;
const SOURCE_KEYS = ['user', 'admin', 'api'] as const;

export function registerWebhookRoutes(router: Router, ctx: SimContext, emitter: WebhookEmitter): void {
  const base = '/lists/:list_id/webhooks';
  const hook = (aud: Audience, id: string | undefined) => {
    const w = id === undefined ? undefined : aud.webhooks.get(id);
    if (!w) throw notFound();
    return w;
  };
  const checkBody = (b: Json, requireUrl: boolean) => {
    const c = new FieldChecker(b).type('url', 'string').type('events', 'object').type('sources', 'object');
    if (requireUrl) c.required('url');
    if (typeof b.url === 'string' && !/^https?:\/\/[^\s/]+/i.test(b.url)) {
      c.errors.push({ field: 'url', message: 'Please enter a valid URL.' });
    }
    c.throwIfAny();
  };

  router.on('POST', base, async (req) => {
    const aud = ctx.list(req.params.list_id);
    const b = objectBody(req.body);
    checkBody(b, true);
    const url = b.url as string;
    if ([...aud.webhooks.values()].some((w) => w.url === url)) {
      throw new ApiProblem(400, 'Invalid Resource', "Sorry, you can't use the same webhook URL twice.");
    }
    await emitter.validateUrl(url);
    const w: WebhookRecord = {
      id: hexId(5),
      url,
      events: flags(WEBHOOK_EVENT_TYPES, b.events, ALL_EVENTS),
      sources: flags(SOURCE_KEYS, b.sources, { user: true, admin: true, api: false }),
    };
    aud.webhooks.set(w.id, w);
    return { status: 200, body: aud.webhookJson(w) };
  });

  router.on('GET', base, (req) => {
    const aud = ctx.list(req.params.list_id);
    const all = [...aud.webhooks.values()];
    return {
      status: 200,
      body: {
        webhooks: all.map((w) => aud.webhookJson(w)),
        list_id: aud.id,
        total_items: all.length,
        _links: [],
      },
    };
  });

  router.on('GET', `${base}/:webhook_id`, (req) => {
    const aud = ctx.list(req.params.list_id);
    return { status: 200, body: aud.webhookJson(hook(aud, req.params.webhook_id)) };
  });

  router.on('PATCH', `${base}/:webhook_id`, async (req) => {
    const aud = ctx.list(req.params.list_id);
    const w = hook(aud, req.params.webhook_id);
    const b = objectBody(req.body);
    checkBody(b, false);
    if (typeof b.url === 'string' && b.url !== w.url) {
      await emitter.validateUrl(b.url);
      w.url = b.url;
    }
    if (b.events) w.events = flags(WEBHOOK_EVENT_TYPES, b.events, w.events);
    if (b.sources) w.sources = flags(SOURCE_KEYS, b.sources, w.sources);
    return { status: 200, body: aud.webhookJson(w) };
  });

  router.on('DELETE', `${base}/:webhook_id`, (req) => {
    const aud = ctx.list(req.params.list_id);
    aud.webhooks.delete(hook(aud, req.params.webhook_id).id);
    return { status: 204 };
  });
}
