import type { Command } from '../command.js';
import { UsageError } from '../command.js';

export const command: Command = {
  summary: 'Run a local Sage 300 or Mailchimp simulator (sandbox sage300 | sandbox mailchimp).',
  usage:
    'ml-connector sandbox sage300 --port N [--seed S --customers N --orders N]\n' +
    '       ml-connector sandbox mailchimp [options]  (see `ml-connector sandbox mailchimp --help`)',
  async run(argv, ctx) {
    const [which, ...rest] = argv;
    // Each simulator loads only when asked for.
    if (which === 'sage300') {
      const { runSage300Sandbox } = await import('./sandbox-sage300.js');
      return runSage300Sandbox(rest, ctx);
    }
    if (which === 'mailchimp') {
      const { runMailchimpSandbox } = await import('./sandbox-mailchimp.js');
      return runMailchimpSandbox(rest, ctx);
    }
    throw new UsageError(which ? `unknown sandbox "${which}"` : 'name a sandbox: sage300 or mailchimp');
  },
};
