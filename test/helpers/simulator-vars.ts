import type { Sage300Simulator } from '../../simulators/sage300/index.js';
import type { MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { simulatorConnection } from '../../bench/stack.js';

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
    ...simulatorConnection(sage, mc, listId),
    SAGE300_TIMEOUT_MS: String(timeoutMs),
    MAILCHIMP_TIMEOUT_MS: String(timeoutMs),
  };
}
