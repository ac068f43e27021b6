import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { allSettings } from '../../config/index.js';
import { maskSecret } from '../../logging/redact.js';

export const command: Command = {
  summary: 'Validate the configuration and show every setting (secrets masked), or list them as Markdown.',
  usage: 'ml-connector config [--docs]',
  async run(argv, ctx) {
    const { values } = parseCommandArgs(argv, { docs: { type: 'boolean' } });
    if (values.docs) {
      ctx.out('| Variable | Default | Meaning |\n| --- | --- | --- |');
      for (const s of allSettings()) {
        const parsed = s.schema.safeParse(undefined);
        const def = parsed.success && parsed.data !== undefined ? `\`${String(parsed.data)}\`` : '';
        ctx.out(`| \`${s.variable}\` | ${def} | ${s.doc} |`);
      }
      return 0;
    }
    const config = (await ctx.config()) as unknown as Record<string, Record<string, unknown>>;
    for (const s of allSettings()) {
      const value = config[s.section]?.[s.key];
      ctx.out(
        `${s.variable.padEnd(32)} ${s.secret ? maskSecret(value as string | undefined) : JSON.stringify(value ?? null)}`,
      );
    }
    ctx.out('configuration is valid');
    return 0;
  },
};
