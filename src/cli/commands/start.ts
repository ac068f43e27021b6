import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { runMainJob } from '../../starter/main-job.js';

export const command: Command = {
  summary:
    'The main job: Temporal (embedded unless TEMPORAL_ADDRESS is set), the worker, schedules; the sandbox when nothing is configured.',
  usage: 'ml-connector start [--no-first-sync]',
  async run(argv, ctx) {
    const { values } = parseCommandArgs(argv, { 'no-first-sync': { type: 'boolean' } });
    return runMainJob({
      config: await ctx.config(),
      logger: ctx.logger(),
      out: ctx.out,
      firstSync: !values['no-first-sync'],
    });
  },
};
