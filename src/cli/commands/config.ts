import { existsSync } from 'node:fs';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { allSettings } from '../../config/index.js';
import { maskSecret } from '../../logging/redact.js';
import { defaultMasterKeyFilePath } from '../../security/master-key.js';
import { dotEnvNote } from '../../starter/start-console.js';

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
    const loaded = await ctx.config();
    const config = loaded as unknown as Record<string, Record<string, unknown>>;
    const sandbox = ctx.sandbox?.();
    if (sandbox)
      ctx.out(
        `(the ${sandbox.sides.join(' and ')} values are the simulators' of the sandbox that start runs: ${sandbox.file})`,
      );
    // The key a command uses when neither variable is set: say so, instead of a bare "(not set)".
    const keyFile = defaultMasterKeyFilePath(loaded);
    const keyFromFile = !loaded.security.masterKey && !loaded.security.masterKeyFile;
    for (const s of allSettings()) {
      const value = config[s.section]?.[s.key];
      let shown = s.secret ? maskSecret(value as string | undefined) : JSON.stringify(value ?? null);
      if (s.variable === 'ML_CONNECTOR_MASTER_KEY' && keyFromFile)
        shown += existsSync(keyFile)
          ? `  (the key in ${keyFile} is used)`
          : `  (${keyFile} is made on first use)`;
      ctx.out(`${s.variable.padEnd(32)} ${shown}`);
    }
    for (const line of dotEnvNote()) ctx.out(line.trim());
    ctx.out('configuration is valid');
    return 0;
  },
};
