import type { DataConverter } from '@temporalio/common';
import type { AppConfig } from '../config/index.js';

/**
 * The data converter shared by every client and worker of the connector. Payload encryption
 * plugs in here, so nothing else has to know about it.
 */
export async function createDataConverter(_config: AppConfig): Promise<DataConverter | undefined> {
  return undefined;
}
