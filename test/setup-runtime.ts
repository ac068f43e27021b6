import { DefaultLogger, Runtime, makeTelemetryFilterString, type LogLevel } from '@temporalio/worker';

const debug = process.env.LOG_LEVEL === 'debug';
const level: LogLevel = debug ? 'DEBUG' : 'WARN';
const printer = new DefaultLogger(level);

/**
 * What tests cause on purpose: jobs and activities that fail (refused credentials, bad records, a
 * guard's refusal, injected faults) and workers that poll workflows only. A test that fails says
 * so itself; LOG_LEVEL=debug shows these too.
 */
const EXPECTED = new Set([
  'Activity failed',
  'Workflow failed',
  'No activities registered, not polling for activity tasks',
]);

// Keep the SDK's per-worker INFO lines out of the test output; other warnings and errors still show.
try {
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      if (!debug && EXPECTED.has(entry.message)) return;
      printer.log(entry.level, entry.message, entry.meta);
    }),
    // Core's warnings are races that tests provoke (an activity completing after its job ended).
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: debug ? 'DEBUG' : 'ERROR' }) } },
  });
} catch {
  // Already installed in this worker process by an earlier test file.
}
