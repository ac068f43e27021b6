import {
  DefaultLogger,
  Runtime,
  makeTelemetryFilterString,
  type LogEntry,
  type LogLevel,
} from '@temporalio/worker';
import type { Logger } from '../logging/logger.js';

// The SDK's INFO lines (worker state, the webpack bundle report, Nexus polling) describe its own
// machinery, not a job: an operator sees them with LOG_LEVEL=debug.
const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'debug',
  WARN: 'warn',
  ERROR: 'error',
};

let installed = false;

/**
 * Routes the SDK's and core's logs through our pino logger, so every line is JSON, carries the
 * workflow ID (the job ID) and goes through the same redaction. Must run before any Worker exists.
 * The commands own SIGINT and SIGTERM (src/shared/signals.ts): the SDK's own handlers would stop
 * the workers behind the command's back and swallow the first signal.
 */
export function installRuntime(logger: Logger): void {
  if (installed) return;
  installed = true;
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry: LogEntry) => {
      const meta: Record<string, unknown> = {
        ...(entry.meta ?? {}),
        jobId: (entry.meta as Record<string, unknown> | undefined)?.workflowId,
      };
      // A failed job or activity says what failed in its type and message; the stack of SDK and
      // workflow frames is for LOG_LEVEL=debug.
      const { error } = meta;
      if (error instanceof Error && !logger.isLevelEnabled('debug'))
        meta.error = { type: (error as { type?: string }).type ?? error.name, message: error.message };
      logger[levels[entry.level]](meta, entry.message);
    }),
    telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN' }) } },
    shutdownSignals: [],
  });
}
