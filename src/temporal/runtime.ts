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
      const meta = {
        ...(entry.meta ?? {}),
        jobId: (entry.meta as Record<string, unknown> | undefined)?.workflowId,
      };
      logger[levels[entry.level]](meta, entry.message);
    }),
    telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN' }) } },
    shutdownSignals: [],
  });
}
