import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

const debug = process.env.LOG_LEVEL === 'debug';
const level: LogLevel = debug ? 'DEBUG' : 'WARN';
const printer = new DefaultLogger(level);

// Keep the SDK's per-worker INFO lines out of the test output; warnings and errors still show,
// except "Activity failed": tests make activities fail on purpose (refused credentials, bad
// records, injected faults), and a test that fails says so itself. LOG_LEVEL=debug shows it all.
try {
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      if (!debug && entry.message === 'Activity failed') return;
      printer.log(entry.level, entry.message, entry.meta);
    }),
  });
} catch {
  // Already installed in this worker process by an earlier test file.
}
