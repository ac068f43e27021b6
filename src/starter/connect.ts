import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config/index.js';
import { connectClient } from '../temporal/connection.js';
import { createDataConverter } from '../temporal/data-converter.js';

/**
 * A client for the CLI commands: TEMPORAL_ADDRESS, or the embedded dev server that
 * `ml-connector start` runs on this machine when it is unset.
 */
export async function connectCommandClient(config: AppConfig): Promise<Client> {
  const address = config.temporal.address ?? `127.0.0.1:${config.temporal.devServerPort}`;
  const effective = { ...config, temporal: { ...config.temporal, address } };
  const setting = config.temporal.address
    ? 'TEMPORAL_ADDRESS'
    : 'TEMPORAL_DEV_SERVER_PORT of the embedded Temporal: is `ml-connector start` running?';
  return connectClient(effective.temporal, await createDataConverter(config), setting);
}

export function requireCompany(config: AppConfig): string {
  const company = config.sage300.company;
  if (!company) throw new Error('SAGE300_COMPANY is not set: which Sage 300 company should be synced?');
  return company;
}
