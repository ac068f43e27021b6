import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MailchimpApi } from './api.js';
import type { Audience, WebhookEventType } from './audience.js';
import { BatchRunner } from './batches.js';
import type { SimContext } from './context.js';
import { registerEcommerceRoutes, EcommerceState } from './ecommerce.js';
import type { SimSettings } from './settings.js';
import type { Json } from './validate.js';
import { registerWebhookRoutes, WebhookEmitter, type WebhookDelivery } from './webhooks.js';
import { applyUserEvent } from './user-events.js';

/** Wires the larger feature areas (webhooks, batches, e-commerce) onto the API. */
export function installExtensions(api: MailchimpApi, ctx: SimContext, settings: SimSettings) {
  const emitter = new WebhookEmitter(ctx, settings);
  registerWebhookRoutes(api.router, ctx, emitter);
  const batches = new BatchRunner(api, settings);
  batches.register(api.router);
  const ecommerce = new EcommerceState();
  registerEcommerceRoutes(api.router, ctx, ecommerce);

  return {
    setBaseUrl(url: string) {
      batches.baseUrl = url;
    },
    async serveExtra(_req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
      return batches.serveArchive(res, url);
    },
    /** A change made by the person or an admin in Mailchimp: applied to the audience, then delivered. */
    async fireWebhookEvent(aud: Audience, type: WebhookEventType, data: Json): Promise<void> {
      applyUserEvent(aud, type, data);
      await emitter.fire(aud, type, data, (w) => w.sources.user || w.sources.admin);
    },
    webhookDeliveries(): WebhookDelivery[] {
      return emitter.deliveries;
    },
    orders(storeId: string): Json[] {
      return ecommerce.orderList(storeId);
    },
    orderCreations(storeId: string): ReadonlyMap<string, number> {
      return new Map(ecommerce.orderCreations.get(storeId));
    },
    stop() {
      emitter.stop();
      batches.stop();
    },
  };
}
