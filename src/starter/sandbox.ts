import { hasMailchimp, hasSage300, type AppConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';

export interface Sandbox {
  /** The configuration pointed at the simulators (only the parts that were not configured). */
  config: AppConfig;
  notes: string[];
  stop(): Promise<void>;
}

/**
 * With no Sage 300 or no Mailchimp configured, `start` runs the missing side as a local simulator
 * with seeded data (Sage: messy customers, orders, items; Mailchimp: an empty audience), so a first
 * run shows the whole connector working without any account. Simulator state lives in memory and
 * is gone when `start` stops.
 */
export async function startSandbox(config: AppConfig, logger: Logger): Promise<Sandbox | undefined> {
  const needSage = !hasSage300(config);
  const needMailchimp = !hasMailchimp(config);
  if (!needSage && !needMailchimp) return undefined;
  const stops: Array<() => Promise<void>> = [];
  const notes: string[] = [];
  let effective = config;
  try {
    if (needSage) {
      const { startSage300Simulator } = await import('../../simulators/sage300/index.js');
      const sage = await startSage300Simulator({
        company: config.sage300.company ?? 'SAMINC',
        pageSize: 1000,
      });
      stops.push(() => sage.stop());
      effective = {
        ...effective,
        sage300: {
          ...effective.sage300,
          baseUrl: sage.baseUrl,
          company: sage.company,
          username: sage.username,
          password: sage.password,
          preservePasswordCase: false,
        },
      };
      notes.push(
        `Sage 300 simulator: ${sage.baseUrl} (company ${sage.company}, ${sage.data.customers().length} customers)`,
      );
    }
    if (needMailchimp) {
      const { startMailchimpSimulator } = await import('../../simulators/mailchimp/index.js');
      const mc = await startMailchimpSimulator({});
      stops.push(() => mc.stop());
      const listId = mc.state.createList({ name: 'Sandbox customers' });
      effective = {
        ...effective,
        mailchimp: {
          ...effective.mailchimp,
          apiKey: mc.apiKey,
          oauthToken: undefined,
          apiUrl: mc.apiUrl,
          listId,
        },
      };
      notes.push(`Mailchimp simulator: ${mc.apiUrl} (audience ${listId})`);
    }
    logger.info({ sage300: needSage, mailchimp: needMailchimp }, 'sandbox simulators started');
  } catch (err) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw err;
  }
  return {
    config: effective,
    notes,
    async stop() {
      for (const stop of stops.reverse())
        await stop().catch((err) => logger.warn({ err }, 'sandbox stop failed'));
    },
  };
}
