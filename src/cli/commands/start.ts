import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { runMainJob } from '../../starter/main-job.js';
import { formatReport, runChecks } from '../../check/run-checks.js';

export const command: Command = {
  summary:
    'The main job: Temporal (embedded unless TEMPORAL_ADDRESS is set), the worker, schedules; the sandbox when nothing is configured.',
  usage: 'ml-connector start [--no-first-sync]',
  async run(argv, ctx) {
    const { values } = parseCommandArgs(argv, { 'no-first-sync': { type: 'boolean' } });
    const logger = ctx.logger();
    return runMainJob({
      config: await ctx.config(),
      logger,
      out: ctx.out,
      firstSync: !values['no-first-sync'],
      preflight: async (config) => {
        const report = await runChecks(config, { logger });
        // The failed checks with what to try; not the report's closing line.
        return report.ok
          ? []
          : formatReport({ ...report, results: report.results.filter((r) => !r.ok) }).slice(0, -1);
      },
    });
  },
};
