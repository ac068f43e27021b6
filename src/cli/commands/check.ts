import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { formatReport, runChecks, type CheckedSystem } from '../../check/run-checks.js';
import { hasMailchimp, hasSage300 } from '../../config/index.js';

const NAMES: Record<CheckedSystem, string> = { sage300: 'Sage 300', mailchimp: 'Mailchimp' };

export const command: Command = {
  summary:
    'Try Sage 300 and Mailchimp with small reads and explain any failure (the simulators, while `start` runs the sandbox).',
  usage: 'ml-connector check [--json] [--only sage300|mailchimp]',
  async run(argv, ctx) {
    const { values } = parseCommandArgs(argv, { json: { type: 'boolean' }, only: { type: 'string' } });
    let systems: CheckedSystem[] | undefined;
    if (values.only !== undefined) {
      if (values.only !== 'sage300' && values.only !== 'mailchimp') {
        throw new UsageError('--only takes sage300 or mailchimp');
      }
      systems = [values.only];
    }
    const config = await ctx.config();
    const sandbox = ctx.sandbox?.();
    const report = await runChecks(config, { systems, logger: ctx.logger() });
    if (values.json) {
      ctx.out(JSON.stringify({ ...report, ...(sandbox ? { sandbox: sandbox.sides } : {}) }, null, 2));
      return report.ok ? 0 : 1;
    }
    if (sandbox)
      ctx.out(
        `Sandbox: ${sandbox.sides.map((s) => NAMES[s]).join(' and ')} not configured, so these are the ` +
          `simulators that \`start\` runs (${sandbox.file}).`,
      );
    for (const line of formatReport(report)) ctx.out(line);
    if (!sandbox && !hasSage300(config) && !hasMailchimp(config))
      ctx.out(
        'Nothing is configured: `npm start` runs the sandbox (simulators of both), and `check` tries them while it runs.',
      );
    return report.ok ? 0 : 1;
  },
};
