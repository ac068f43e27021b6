import type { AppConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import type { SandboxUse } from '../starter/sandbox-settings.js';

export interface CliContext {
  /** Reads and validates the configuration (environment, config file, credentials store). */
  config(): Promise<AppConfig>;
  /** Once `config()` has run: the running sandbox it was completed with, if any. */
  sandbox?(): SandboxUse | undefined;
  logger(): Logger;
  /** Human output; logs go to the logger. */
  out(line: string): void;
}

export interface Command {
  summary: string;
  usage: string;
  /** Its arguments go to another program as they are, `--help` included. */
  passThrough?: boolean;
  /** Returns the process exit code. */
  run(argv: string[], ctx: CliContext): Promise<number>;
}

/** Thrown for bad command-line usage: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
