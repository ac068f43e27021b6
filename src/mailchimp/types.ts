import { z } from 'zod';

export type StatusIfNew = 'subscribed' | 'unsubscribed' | 'pending' | 'transactional';

export interface MergeFieldSpec {
  tag: string;
  name: string;
  type:
    | 'text'
    | 'number'
    | 'address'
    | 'phone'
    | 'date'
    | 'url'
    | 'imageurl'
    | 'radio'
    | 'dropdown'
    | 'birthday'
    | 'zip';
  required?: boolean;
  public?: boolean;
}

export interface MemberInput {
  email: string;
  statusIfNew: StatusIfNew;
  mergeFields: Record<string, unknown>;
  tags?: string[];
  /**
   * Tags the connector owns (exact names and name prefixes): those the member carries but `tags`
   * no longer lists are set inactive. Any other tag, a marketer's, is never touched.
   */
  ownedTags?: { names: string[]; prefixes: string[] };
  language?: string;
  /**
   * The member to write when it is not the address's own (its subscriber hash): the customer's
   * member under its old address. Mailchimp moves that member to `email`, keeping its status, tags
   * and history, or answers `Member Exists` when another member has `email`.
   */
  memberId?: string;
}

export interface MemberWriteResult {
  action: 'created' | 'updated';
  id: string;
  status: string;
  tags: string[];
}

export interface OutcomeError {
  kind: 'permanent' | 'retryable';
  status?: number;
  title?: string;
  detail?: string;
}

export type MemberOutcome =
  | { ok: true; email: string; action: 'created' | 'updated'; id: string; status: string }
  | { ok: false; email: string; error: OutcomeError };

// Response schemas: only the fields the connector reads; Mailchimp adds fields over time, so unknown
// ones pass through untouched (loose) instead of failing a sync.

export const memberSchema = z
  .object({
    id: z.string(),
    email_address: z.string(),
    status: z.string(),
    merge_fields: z.record(z.string(), z.unknown()).optional(),
    tags: z.array(z.object({ id: z.number().optional(), name: z.string() }).loose()).optional(),
    timestamp_signup: z.string().optional(),
    timestamp_opt: z.string().optional(),
    last_changed: z.string().optional(),
    language: z.string().optional(),
  })
  .loose();
export type MailchimpMember = z.infer<typeof memberSchema>;

export const mergeFieldSchema = z
  .object({ merge_id: z.number(), tag: z.string(), name: z.string(), type: z.string() })
  .loose();
export const mergeFieldPageSchema = z
  .object({ merge_fields: z.array(mergeFieldSchema), total_items: z.number() })
  .loose();

export const listSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    stats: z.object({ member_count: z.number() }).loose().optional(),
  })
  .loose();
export type MailchimpList = z.infer<typeof listSchema>;

export const storeSchema = z
  .object({
    id: z.string(),
    list_id: z.string(),
    name: z.string(),
    currency_code: z.string(),
    is_syncing: z.boolean().optional(),
  })
  .loose();
export type MailchimpStore = z.infer<typeof storeSchema>;

export const orderSchema = z
  .object({
    id: z.string(),
    customer: z.object({ id: z.string() }).loose(),
    campaign_id: z.string().optional(),
    financial_status: z.string().optional(),
    fulfillment_status: z.string().optional(),
    order_total: z.number(),
    currency_code: z.string(),
    lines: z.array(z.object({ id: z.string() }).loose()).optional(),
  })
  .loose();
export type MailchimpOrder = z.infer<typeof orderSchema>;

/**
 * A store order as a listing with `fields=` returns it: only `id` is certain, the rest is what the
 * caller asked for (and what the order has).
 */
export const storeOrderSummarySchema = z
  .object({
    id: z.string(),
    currency_code: z.string().optional(),
    order_total: z.number().optional(),
    tax_total: z.number().optional(),
    financial_status: z.string().optional(),
    fulfillment_status: z.string().optional(),
    processed_at_foreign: z.string().optional(),
    cancelled_at_foreign: z.string().nullish(),
    lines: z.array(z.object({ id: z.string() }).loose()).optional(),
  })
  .loose();
export type StoreOrderSummary = z.infer<typeof storeOrderSummarySchema>;
export const storeOrderPageSchema = z
  .object({ orders: z.array(storeOrderSummarySchema), total_items: z.number() })
  .loose();

export const webhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    list_id: z.string().optional(),
    events: z.record(z.string(), z.boolean()).optional(),
    sources: z.record(z.string(), z.boolean()).optional(),
  })
  .loose();
export type MailchimpWebhook = z.infer<typeof webhookSchema>;

export interface StoreInput {
  id: string;
  listId: string;
  name: string;
  currencyCode: string;
  platform?: string;
  domain?: string;
  emailAddress?: string;
  moneyFormat?: string;
  primaryLocale?: string;
  timezone?: string;
}

// E-commerce inputs use Mailchimp's own field names: the mapping from Sage lives in one place (the
// sync), and what is sent is exactly what Mailchimp's documentation describes.

export interface EcommerceAddress {
  address1?: string;
  address2?: string;
  city?: string;
  province?: string;
  province_code?: string;
  postal_code?: string;
  country?: string;
  country_code?: string;
}

export interface ProductVariantInput {
  id: string;
  title: string;
  sku?: string;
  price?: number;
  inventory_quantity?: number;
  url?: string;
  image_url?: string;
}

export interface ProductInput {
  id: string;
  title: string;
  variants: ProductVariantInput[];
  description?: string;
  type?: string;
  vendor?: string;
  url?: string;
  image_url?: string;
  handle?: string;
}

export interface OrderLineInput {
  id: string;
  product_id: string;
  product_variant_id: string;
  quantity: number;
  price: number;
  discount?: number;
}

export interface OrderInput {
  id: string;
  customer: { id: string; email_address?: string; first_name?: string; last_name?: string; company?: string };
  currency_code: string;
  order_total: number;
  lines: OrderLineInput[];
  financial_status?: string;
  fulfillment_status?: string;
  tax_total?: number;
  shipping_total?: number;
  discount_total?: number;
  processed_at_foreign?: string;
  updated_at_foreign?: string;
  cancelled_at_foreign?: string;
  order_url?: string;
  billing_address?: EcommerceAddress & { name?: string; company?: string; phone?: string };
  shipping_address?: EcommerceAddress & { name?: string; company?: string; phone?: string };
  /** Attribution: sent on create only; an update never rewrites it. */
  campaign_id?: string;
  landing_site?: string;
  tracking_code?: 'prec';
}

/** An order PATCH: no attribution field, so an update cannot move revenue already credited to a campaign. */
export type OrderUpdate = Partial<
  Omit<OrderInput, 'customer' | 'campaign_id' | 'landing_site' | 'tracking_code'>
> & { customer?: { id: string } };

export interface WebhookInput {
  url: string;
  events?: Partial<
    Record<'subscribe' | 'unsubscribe' | 'profile' | 'cleaned' | 'upemail' | 'campaign', boolean>
  >;
  sources?: Partial<Record<'user' | 'admin' | 'api', boolean>>;
}
