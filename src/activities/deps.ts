import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import type { Sage300Client } from '../sage300/client.js';
import type { MailchimpClient } from '../mailchimp/client.js';

export interface ActivityDeps {
  config: AppConfig;
  logger: Logger;
  version: string;
  /** A Temporal client for activities that talk to other workflows (watermarks, audit reads). */
  temporalClient?: Client;
  /**
   * The Sage 300 client, created on first use (the worker starts even when Sage is unreachable).
   * Absent: built from `config.sage300` (see lazyClients in ./clients.ts).
   */
  sage300?: () => Sage300Client;
  /** The Mailchimp client, created on first use (resolving the data center is a request). */
  mailchimp?: () => Promise<MailchimpClient>;
  /**
   * false: every member is written with its own PUT, never created in bulk. For tests that compare
   * the bulk path with the PUT path; both give the same outcomes, so no operator needs it.
   */
  bulkCreate?: boolean;
}
