import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';

export interface ActivityDeps {
  config: AppConfig;
  logger: Logger;
  version: string;
  /** A Temporal client for activities that talk to other workflows (watermarks, audit reads). */
  temporalClient?: Client;
}
