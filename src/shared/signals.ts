/**
 * Resolves on the first SIGINT or SIGTERM. A second signal while shutting down exits at once,
 * which is what an operator pressing Ctrl-C twice expects.
 */
export function waitForShutdownSignal(onSecond?: () => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let seen = false;
    const handler = (signal: NodeJS.Signals) => {
      if (seen) {
        onSecond?.();
        process.exit(130);
      }
      seen = true;
      resolve(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
