import type { Sage300Simulator } from '../../simulators/sage300/index.js';
import type { MailchimpSimulator } from '../../simulators/mailchimp/index.js';

/**
 * The connector settings that point it at both simulators, as a user's environment would. Short
 * timeouts: a simulator answers at once unless a test injects a fault.
 */
export function simulatorVars(
  sage: Sage300Simulator,
  mc: MailchimpSimulator,
  listId: string,
  timeoutMs: number,
): Record<string, string> {
  return {
    SAGE300_BASE_URL: sage.baseUrl,
    SAGE300_COMPANY: sage.company,
    SAGE300_USERNAME: sage.username,
    SAGE300_PASSWORD: sage.password,
    SAGE300_TIMEOUT_MS: String(timeoutMs),
    MAILCHIMP_API_KEY: mc.apiKey,
    MAILCHIMP_API_URL: mc.apiUrl,
    MAILCHIMP_LIST_ID: listId,
    MAILCHIMP_TIMEOUT_MS: String(timeoutMs),
  };
}
