export { MailchimpClient, type MailchimpClientOptions } from './client.js';
export { AudienceSnapshot } from './audience-snapshot.js';
export * from './errors.js';
export { normalizeEmail, subscriberHash } from './hash.js';
export { memberAction } from './members.js';
export type * from './types.js';
export {
  memberUpsertOperations,
  type BatchOperation,
  type BatchOperationResult,
  type MailchimpBatch,
} from './batches.js';
