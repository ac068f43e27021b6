import type { MailchimpConfig, RawSettings } from '../../src/config/index.js';
import { MailchimpClient } from '../../src/mailchimp/client.js';
import type { MergeFieldSpec } from '../../src/mailchimp/types.js';
import type { MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { testConfig } from '../helpers/config.js';

/** Quick retries, so fault-injection tests take milliseconds per retry rather than seconds. */
export const FAST_RETRY = { maxAttempts: 8, baseDelayMs: 10, maxDelayMs: 200 };

export function simConfig(sim: MailchimpSimulator, vars: RawSettings = {}): MailchimpConfig {
  return testConfig({
    MAILCHIMP_API_KEY: sim.apiKey,
    MAILCHIMP_API_URL: sim.apiUrl,
    ...vars,
  }).mailchimp;
}

export function simClient(
  sim: MailchimpSimulator,
  vars: RawSettings = {},
  mergeFields?: MergeFieldSpec[],
): Promise<MailchimpClient> {
  return MailchimpClient.create(simConfig(sim, vars), { retry: FAST_RETRY, mergeFields });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Addresses on a real-looking domain: the simulator, like Mailchimp, rejects reserved TLDs as fake. */
export const email = (local: string) => `${local}@maplehardware.com`;
