import type { AppConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { Sage300Client } from '../sage300/client.js';
import { MailchimpClient } from '../mailchimp/client.js';

export interface LazyClients {
  sage300: () => Sage300Client;
  mailchimp: () => Promise<MailchimpClient>;
  close(): void;
}

/**
 * Clients built from the configuration the first time an activity needs them, then shared by every
 * activity of the worker (one connection pool per outside system, so its concurrency cap holds).
 */
export function lazyClients(config: AppConfig, logger: Logger): LazyClients {
  let sage: Sage300Client | undefined;
  let mailchimp: Promise<MailchimpClient> | undefined;
  return {
    sage300: () => (sage ??= Sage300Client.fromConfig(config.sage300, logger)),
    mailchimp: () => {
      mailchimp ??= MailchimpClient.create(config.mailchimp, { logger }).catch((err: unknown) => {
        mailchimp = undefined; // a failed data-center lookup is retried by the next activity attempt
        throw err;
      });
      return mailchimp;
    },
    close() {
      sage?.close();
    },
  };
}
