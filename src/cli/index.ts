import { ConfigError } from '../config/index.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { UsageError, type CliContext, type Command } from './command.js';
import { loadCommandConfig } from './load-config.js';
import type { SandboxUse } from '../starter/sandbox-settings.js';

// Commands load lazily: `ml-connector check` should not pay for bundling workflows or starting servers.
const commands: Record<string, () => Promise<{ command: Command }>> = {
  start: () => import('./commands/start.js'),
  worker: () => import('./commands/worker.js'),
  config: () => import('./commands/config.js'),
  credentials: () => import('./commands/credentials.js'),
  'codec-server': () => import('./commands/codec-server.js'),
  check: () => import('./commands/check.js'),
  webhooks: () => import('./commands/webhooks.js'),
  sync: () => import('./commands/sync.js'),
  schedule: () => import('./commands/schedule.js'),
  audit: () => import('./commands/audit.js'),
  replay: () => import('./commands/replay.js'),
  reconcile: () => import('./commands/reconcile.js'),
  sandbox: () => import('./commands/sandbox.js'),
  temporal: () => import('./commands/temporal.js'),
};

async function help(out: (l: string) => void): Promise<void> {
  out('Usage: ml-connector <command> [options]\n');
  for (const [name, load] of Object.entries(commands)) {
    try {
      const { command } = await load();
      out(`  ${name.padEnd(14)} ${command.summary}`);
    } catch {
      // A command whose module is missing from this build is simply not listed.
    }
  }
  out('\nRun `ml-connector <command> --help` for its options.');
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  // `ml-connector ... | head`: the reader is gone, which ends the command, without a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    await help(out);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`ml-connector: unknown command "${name}". Run ml-connector --help.\n`);
    return 2;
  }
  const { command } = await load();
  return runCommand(name, command, rest);
}

/** Runs one command with the CLI's context and its exit-code conventions (also used by `npm run bench`). */
export async function runCommand(name: string, command: Command, rest: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  let logger: Logger | undefined;
  let sandbox: SandboxUse | undefined;
  const ctx: CliContext = {
    // `start` runs the sandbox; every other command joins the one it runs.
    config: async () => {
      const loaded = await loadCommandConfig(process.env, { sandbox: name !== 'start' });
      sandbox = loaded.sandbox;
      return loaded.config;
    },
    sandbox: () => sandbox,
    logger: () => (logger ??= createLogger({ level: process.env.LOG_LEVEL })),
    out,
  };
  if (!command.passThrough && (rest.includes('--help') || rest.includes('-h'))) {
    out(`${command.summary}\n\nUsage: ${command.usage}`);
    return 0;
  }
  try {
    return await command.run(rest, ctx);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`ml-connector: ${err.message}\n`);
      return 78; // EX_CONFIG
    }
    if (err instanceof UsageError) {
      process.stderr.write(`ml-connector ${name}: ${err.message}\nUsage: ${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`ml-connector ${name}: ${(err as Error).message}\n`);
    if (process.env.LOG_LEVEL === 'debug') process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}
