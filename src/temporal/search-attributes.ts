import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes that make jobs findable in the Temporal UI and with
 * `temporal workflow list --query`. Never put emails or names here: search attributes are not encrypted.
 */
export const SA = {
  stream: defineSearchAttributeKey('SyncStream', SearchAttributeType.KEYWORD),
  company: defineSearchAttributeKey('SageCompany', SearchAttributeType.KEYWORD),
  trigger: defineSearchAttributeKey('SyncTrigger', SearchAttributeType.KEYWORD),
  replayOf: defineSearchAttributeKey('ReplayOfJobId', SearchAttributeType.KEYWORD),
  recordsRead: defineSearchAttributeKey('RecordsRead', SearchAttributeType.INT),
  recordsWritten: defineSearchAttributeKey('RecordsWritten', SearchAttributeType.INT),
  recordsFailed: defineSearchAttributeKey('RecordsFailed', SearchAttributeType.INT),
  eventType: defineSearchAttributeKey('WebhookEventType', SearchAttributeType.KEYWORD),
  listId: defineSearchAttributeKey('MailchimpListId', SearchAttributeType.KEYWORD),
} as const;

export const ALL_SEARCH_ATTRIBUTES = Object.values(SA);

/** `Name=Type` pairs for `temporal server start-dev --search-attribute`. */
export function devServerSearchAttributeFlags(): string[] {
  const cliType: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int' };
  return ALL_SEARCH_ATTRIBUTES.flatMap((k) => [
    '--search-attribute',
    `${k.name}=${cliType[k.type] ?? 'Keyword'}`,
  ]);
}
