import { ConfigError, hasMailchimp, hasSage300, type AppConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import {
  pointAtSimulators,
  removeSandboxSettings,
  writeSandboxSettings,
  type SandboxSide,
  type SimulatedSides,
} from './sandbox-settings.js';

export interface Sandbox {
  /** The configuration pointed at the simulators (only the parts that were not configured). */
  config: AppConfig;
  sides: SandboxSide[];
  /** Where the other commands find the simulators (mode 0600, removed when the sandbox stops). */
  settingsFile: string;
  /** The simulators, one line each, for `start` to print. */
  notes: string[];
  stop(): Promise<void>;
}

/** The embedded Temporal keeps the sandbox's jobs, schedules and watermarks in a database of their own. */
export const SANDBOX_DB_FILE = 'sandbox.sqlite';

const SAGE_REQUIRED = [
  ['SAGE300_BASE_URL', 'baseUrl'],
  ['SAGE300_COMPANY', 'company'],
  ['SAGE300_USERNAME', 'username'],
] as const;

/**
 * A simulated side must never feed or read a real one where it leaves a trace: the simulator's
 * made-up customers in a real audience, or the sandbox's watermarks in a shared Temporal, where a
 * real company of the same ID would start from them.
 */
function refuseUnsafeSandbox(config: AppConfig, needSage: boolean, needMailchimp: boolean): void {
  if (needSage && !needMailchimp) {
    const missing = SAGE_REQUIRED.filter(([, key]) => !config.sage300[key]).map(([variable]) => variable);
    throw new ConfigError([
      `${missing.join(', ')}: not set, while Mailchimp is configured (audience ${config.mailchimp.listId}): ` +
        "start would sync the sandbox's made-up customers into that audience. Set the Sage 300 settings " +
        '(docs/configuration.md), or unset MAILCHIMP_LIST_ID to try the sandbox',
    ]);
  }
  if (config.temporal.address) {
    const simulated = [needSage && 'Sage 300', needMailchimp && 'Mailchimp'].filter(Boolean).join(' and ');
    throw new ConfigError([
      `TEMPORAL_ADDRESS: set, while ${simulated} ${needSage && needMailchimp ? 'are' : 'is'} not configured: ` +
        'the sandbox runs on the embedded Temporal only, so that its jobs and watermarks never reach a shared one. Configure both, or unset TEMPORAL_ADDRESS to try the sandbox',
    ]);
  }
}

/**
 * With no Sage 300 or no Mailchimp configured, `start` runs the missing side as a local simulator
 * with seeded data (Sage: messy customers, orders, items; Mailchimp: an empty audience), so a first
 * run shows the whole connector working without any account. Simulator state lives in memory and
 * is gone when `start` stops. Their settings go to a file that the commands of a second terminal
 * read (sandbox-settings.ts); a `start` with both sides configured removes a stale one.
 */
export async function startSandbox(config: AppConfig, logger: Logger): Promise<Sandbox | undefined> {
  const needSage = !hasSage300(config);
  const needMailchimp = !hasMailchimp(config);
  const { dataDir } = config.app;
  if (!needSage && !needMailchimp) {
    removeSandboxSettings(dataDir);
    return undefined;
  }
  refuseUnsafeSandbox(config, needSage, needMailchimp);
  const stops: Array<() => Promise<void>> = [];
  const notes: string[] = [];
  const sim: SimulatedSides = {};
  try {
    if (needSage) {
      const { startSage300Simulator } = await import('../../simulators/sage300/index.js');
      const sage = await startSage300Simulator({
        company: config.sage300.company ?? 'SAMINC',
        pageSize: 1000,
      });
      stops.push(() => sage.stop());
      sim.sage300 = {
        baseUrl: sage.baseUrl,
        company: sage.company,
        username: sage.username,
        password: sage.password,
      };
      notes.push(
        `Sage 300 simulator   ${sage.baseUrl}  company ${sage.company}, ${sage.data.customers().length} customers and their orders`,
      );
    }
    if (needMailchimp) {
      const { startMailchimpSimulator } = await import('../../simulators/mailchimp/index.js');
      const mc = await startMailchimpSimulator({});
      stops.push(() => mc.stop());
      const listId = mc.state.createList({ name: 'Sandbox customers' });
      sim.mailchimp = { apiUrl: mc.apiUrl, apiKey: mc.apiKey, listId };
      notes.push(`Mailchimp simulator  ${mc.apiUrl}  audience ${listId} (empty at each start)`);
    }
    const settingsFile = await writeSandboxSettings(dataDir, sim);
    stops.push(async () => removeSandboxSettings(dataDir));
    logger.debug({ sage300: needSage, mailchimp: needMailchimp }, 'sandbox simulators started');
    const sides: SandboxSide[] = [];
    if (needSage) sides.push('sage300');
    if (needMailchimp) sides.push('mailchimp');
    return {
      config: pointAtSimulators(config, sim),
      sides,
      settingsFile,
      notes,
      async stop() {
        for (const stop of stops.reverse())
          await stop().catch((err) => logger.warn({ err }, 'sandbox stop failed'));
      },
    };
  } catch (err) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw err;
  }
}
