import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { formatReport, runChecks, type CheckedSystem } from '../../check/run-checks.js';

export const command: Command = {
  summary: 'Try the configured Sage 300 and Mailchimp with small reads and explain any failure.',
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
    const report = await runChecks(await ctx.config(), { systems, logger: ctx.logger() });
    if (values.json) ctx.out(JSON.stringify(report, null, 2));
    else for (const line of formatReport(report)) ctx.out(line);
    return report.ok ? 0 : 1;
  },
};
