import { cancellationSignal } from '@temporalio/activity';
import type { AppConfig } from '../config/index.js';
import { SyncConfigurationError } from './errors.js';

/** A worker set up for one Sage company refuses another company's jobs (not fixed by retrying). */
export function checkCompany(config: AppConfig, company: string): void {
  const configured = config.sage300.company;
  if (configured && configured.toUpperCase() !== company.toUpperCase()) {
    throw new SyncConfigurationError(
      `job is for company ${company} but this worker is configured for ${configured} (SAGE300_COMPANY)`,
    );
  }
}

/** Between steps: a cancelled activity stops before its next read or write. */
export function throwIfCancelled(): void {
  const signal = cancellationSignal();
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('activity cancelled');
}
